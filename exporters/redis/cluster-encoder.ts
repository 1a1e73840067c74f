// A write plan (plan.ts) as string commands for Redis Cluster, grouped by the
// hash slot of their key (cluster-key-slot, as ioredis computes it): each
// slot's part becomes one guarded script call (cluster.ts), since a
// transaction cannot span slots. Commands are the same, in the same order
// within a key, as resp-encoder.ts sends to a single server.
import calculateSlot from 'cluster-key-slot';
import { hashLayout, hashValues } from './entries.js';
import type { Cmd, KeyWrite, Ttl, WritePlan } from './plan.js';
import { MEMBERS_PER_COMMAND, streamJson } from './plan.js';

/** The cluster slot of a key (CRC16 of its UTF-8 bytes or of its `{hash tag}`, modulo 16384). */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  // cluster-key-slot 1.1.2 takes a later `{tag}` after an empty `{}`, where Redis hashes the whole key.
  if (open >= 0 && key.charCodeAt(open + 1) === 0x7d && key.indexOf('{', open + 2) >= 0) return wholeKeySlot(key);
  return calculateSlot(key);
}

/** CRC16/XMODEM of all of a key's UTF-8 bytes, modulo 16384 (see `keySlot`). */
function wholeKeySlot(key: string): number {
  let crc = 0;
  for (const b of Buffer.from(key, 'utf8')) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc & 0x3fff;
}

/** One slot's part of a plan: each command's key (declared to the script), and the commands as script arguments. */
export interface SlotPart {
  keys: string[];
  /** Per command its argument count, then its arguments. */
  args: string[];
  /** Members for multi-member commands, else 1, summed: what pipeline chunks are sized by. */
  weight: number;
}

/** The plan's commands grouped by slot, slots in the order of their first command. */
export function partsBySlot(plan: WritePlan): Map<number, SlotPart> {
  const parts = new Map<number, SlotPart>();
  const partOf = (key: string): SlotPart => {
    const slot = keySlot(key);
    let p = parts.get(slot);
    if (p === undefined) {
      p = { keys: [], args: [], weight: 0 };
      parts.set(slot, p);
    }
    return p;
  };
  for (const e of plan.entries) {
    const p = partOf(e.key);
    const hset: Cmd = ['hset', e.key];
    const names = hashLayout(e).names;
    const values = hashValues(e);
    for (let i = 0; i < names.length; i++) {
      const v = values[i];
      if (v !== null && v !== undefined) hset.push(names[i]!, v);
    }
    push(p, hset, 1);
    push(p, ['expire', e.key, String(e.ttl)], 1);
  }
  for (const w of plan.writes) {
    const p = partOf(w.key);
    writeCommands(w, plan, (c, weight) => push(p, c, weight));
  }
  return parts;
}

function push(p: SlotPart, c: Cmd, weight: number): void {
  p.keys.push(c[1]!);
  p.args.push(String(c.length));
  for (const a of c) p.args.push(a);
  p.weight += weight;
}

/** The commands of one key write, then its TTL's. */
function writeCommands(w: KeyWrite, plan: WritePlan, emit: (c: Cmd, weight: number) => void): void {
  switch (w.type) {
    case 'zadd': {
      const { scores, members } = plan.members;
      for (let off = 0; off < w.members.length; off += MEMBERS_PER_COMMAND) {
        const c: Cmd = w.gt ? ['zadd', w.key, 'GT'] : ['zadd', w.key];
        const part = w.members.slice(off, off + MEMBERS_PER_COMMAND);
        for (const m of part) c.push(scores[m]!, members[m]!);
        emit(c, part.length);
      }
      break;
    }
    case 'rpush':
    case 'pfadd':
    case 'sadd':
      for (let off = 0; off < w.values.length; off += MEMBERS_PER_COMMAND) {
        const part = w.values.slice(off, off + MEMBERS_PER_COMMAND);
        emit([w.type, w.key, ...part], part.length);
      }
      break;
    case 'hincrby':
      for (const [name, n] of w.fields) emit(['hincrby', w.key, name, String(n)], 1);
      break;
    case 'xadd':
      for (const d of w.entries) {
        emit(['xadd', w.key, 'MAXLEN', '~', String(w.maxLength), '*', 'data', streamJson(d)], 1);
      }
      break;
  }
  ttlCommands(w.key, w.ttl, emit);
}

function ttlCommands(key: string, ttl: Ttl, emit: (c: Cmd, weight: number) => void): void {
  const s = String(ttl.seconds);
  if (ttl.mode === 'set') {
    emit(['expire', key, s], 1);
    return;
  }
  emit(['expire', key, s, 'NX'], 1);
  if (ttl.mode === 'lengthen') emit(['expire', key, s, 'GT'], 1);
}
