// A write plan (plan.ts) as RESP bytes for one Redis server: the plan's
// commands in order in one buffer, each command's end and weight noted so
// once.ts can send them in pipeline chunks inside one MULTI/EXEC.
//
// Each `score member` pair is encoded once into a scratch area at the start
// of the buffer and its bytes copied into every ZADD that carries it; each
// entry's HSET and EXPIRE are built as one string and written with one call
// (encoding every argument of every command separately was most of the
// exporter's CPU; figures in bench/README.md).
import { createHash } from 'node:crypto';
import { hashValues, LOG_HASH, REQUEST_HASH } from './entries.js';
import type { EntryWrite, KeyWrite, Members, StreamData, Ttl, WritePlan } from './plan.js';
import { MEMBERS_PER_COMMAND, streamJson } from './plan.js';
import { asciiBulk, bulkBytes, RespWriter, utf8Bulk, type EncodedCommands } from './resp-writer.js';

/** Constant arguments, encoded once. */
const B = {
  zadd: bulkBytes('zadd'),
  pfadd: bulkBytes('pfadd'),
  sadd: bulkBytes('sadd'),
  rpush: bulkBytes('rpush'),
  gt: bulkBytes('GT'),
  xadd: bulkBytes('xadd'),
  xaddArgs: [bulkBytes('MAXLEN'), bulkBytes('~')],
  data: [bulkBytes('*'), bulkBytes('data')],
};

/** Buffers kept for reuse: a plan of 8192 records takes ~16 MB, too much to allocate per plan (measured). */
const POOL = 4;

/** `$n` + name of each field of a hash layout, as RESP text. */
const REQUEST_HEADS = REQUEST_HASH.names.map(asciiBulk);
const LOG_HEADS = LOG_HASH.names.map(asciiBulk);

/** A plan as RESP, and its batch id (see `batchId`). */
export interface EncodedPlan {
  commands: EncodedCommands;
  batch: string;
}

/**
 * The content hash of a plan's entries (every field of every record, with its key and TTL, as the
 * RESP of its HSET and EXPIRE), which marks a batch applied without a log position: the same
 * records give the same id on every retry.
 */
export function batchId(plan: WritePlan): string {
  const w = new RespWriter(1 << 16);
  for (const e of plan.entries) writeEntry(w, e);
  return digest(w.buf.subarray(0, w.off), plan.entries.length);
}

function digest(entries: Uint8Array, count: number): string {
  return createHash('sha1').update(entries).update(String(count)).digest('hex').slice(0, 16);
}

export class RespEncoder {
  private readonly pool: RespWriter[] = [];
  /** Where each member's `score member` bytes start and end in the scratch area. */
  private start = new Int32Array(1024);
  private end = new Int32Array(1024);

  /** The plan's commands, in order (entries, then key writes). */
  encode(plan: WritePlan): EncodedPlan {
    const w = this.pool.pop() ?? new RespWriter(1 << 20);
    w.reset();
    this.fragments(w, plan.members);
    w.base = w.off;
    w.count = 0;
    const entries = plan.entries;
    for (let i = 0; i < entries.length; i++) writeEntry(w, entries[i]!);
    const batch = digest(w.buf.subarray(w.base, w.off), entries.length);
    const writes = plan.writes;
    for (let i = 0; i < writes.length; i++) this.write(w, writes[i]!);
    return { commands: w, batch };
  }

  /** Keeps the buffer of encoded commands whose sending is over (every reply came back, or it was never sent). */
  release(e: EncodedCommands): void {
    if (!(e instanceof RespWriter) || this.pool.length >= POOL || e.buf.length > 64 << 20) return;
    if (!this.pool.includes(e)) this.pool.push(e);
  }

  /** Writes every `$score $member` pair to the scratch area, noting where each is. */
  private fragments(w: RespWriter, m: Members): void {
    const n = m.scores.length;
    if (this.start.length < n) {
      this.start = new Int32Array(n * 2);
      this.end = new Int32Array(n * 2);
    }
    for (let i = 0; i < n; i++) {
      const score = m.scores[i]!;
      const member = m.members[i]!;
      this.start[i] = w.off;
      if (!w.ascii(asciiBulk(score) + asciiBulk(member))) w.utf8(utf8Bulk(score) + utf8Bulk(member));
      this.end[i] = w.off;
    }
  }

  private write(w: RespWriter, kw: KeyWrite): void {
    switch (kw.type) {
      case 'zadd':
        this.zadd(w, kw.key, kw.members, kw.gt);
        break;
      case 'rpush':
      case 'pfadd':
      case 'sadd':
        writeValues(w, B[kw.type], kw.key, kw.values);
        break;
      case 'hincrby':
        for (const [name, n] of kw.fields) w.cmd(['hincrby', kw.key, name, String(n)]);
        break;
      case 'xadd':
        writeStream(w, kw.key, kw.maxLength, kw.entries);
        break;
    }
    writeTtl(w, kw.key, kw.ttl);
  }

  /** ZADD [GT] of members copied from the scratch area, in commands of at most MEMBERS_PER_COMMAND. */
  private zadd(w: RespWriter, key: string, members: number[], gt: boolean): void {
    for (let off = 0; off < members.length; off += MEMBERS_PER_COMMAND) {
      const end = Math.min(members.length, off + MEMBERS_PER_COMMAND);
      w.array((gt ? 3 : 2) + 2 * (end - off));
      w.raw(B.zadd);
      w.bulk(key);
      if (gt) w.raw(B.gt);
      for (let j = off; j < end; j++) w.again(this.start[members[j]!]!, this.end[members[j]!]!);
      w.mark(end - off);
    }
  }
}

/** HSET of an entry's present fields, then its EXPIRE: one string, one write when all of it is ASCII. */
function writeEntry(w: RespWriter, e: EntryWrite): void {
  const h = e.kind === 'request' ? REQUEST_HEADS : LOG_HEADS;
  const values = hashValues(e);
  const start = w.off;
  const hset = hashText(e.key, h, values, asciiBulk);
  if (w.ascii(hset + expireText(e.key, e.ttl, asciiBulk))) {
    w.markAt(start + hset.length, 1);
    w.mark(1);
    return;
  }
  w.utf8(hashText(e.key, h, values, utf8Bulk));
  w.mark(1);
  w.utf8(expireText(e.key, e.ttl, utf8Bulk));
  w.mark(1);
}

/** `hset key field value …` as RESP text (`bulk` gives each value's `$n`). */
function hashText(key: string, heads: string[], values: (string | null)[], bulk: (v: string) => string): string {
  let n = 0;
  let s = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    n++;
    s += heads[i]! + bulk(v);
  }
  return `*${2 + 2 * n}\r\n$4\r\nhset\r\n${bulk(key)}${s}`;
}

/** `expire key ttl` as RESP text. */
function expireText(key: string, ttl: number, bulk: (v: string) => string): string {
  return `*3\r\n$6\r\nexpire\r\n${bulk(key)}${bulk(String(ttl))}`;
}

/** RPUSH, PFADD or SADD of values in order, in commands of at most MEMBERS_PER_COMMAND. */
function writeValues(w: RespWriter, name: Uint8Array, key: string, values: readonly string[]): void {
  for (let off = 0; off < values.length; off += MEMBERS_PER_COMMAND) {
    const end = Math.min(values.length, off + MEMBERS_PER_COMMAND);
    w.array(2 + end - off);
    w.raw(name);
    w.bulk(key);
    for (let j = off; j < end; j++) w.bulk(values[j]!);
    w.mark(end - off);
  }
}

/** One `xadd key MAXLEN ~ max * data json` per entry; all but the JSON encoded once. */
function writeStream(w: RespWriter, key: string, maxLength: number, entries: readonly StreamData[]): void {
  const head = new RespWriter(256);
  head.array(8);
  head.raw(B.xadd);
  head.bulk(key);
  for (const b of B.xaddArgs) head.raw(b);
  head.bulk(String(maxLength));
  for (const b of B.data) head.raw(b);
  const prefix = head.buf.subarray(0, head.off);
  for (let i = 0; i < entries.length; i++) {
    w.from(prefix, 0, prefix.length);
    w.bulk(streamJson(entries[i]!));
    w.mark(1);
  }
}

function writeTtl(w: RespWriter, key: string, ttl: Ttl): void {
  const s = String(ttl.seconds);
  if (ttl.mode === 'set') {
    w.cmd(['expire', key, s]);
    return;
  }
  w.cmd(['expire', key, s, 'NX']);
  if (ttl.mode === 'lengthen') w.cmd(['expire', key, s, 'GT']);
}
