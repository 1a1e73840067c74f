// Redis Cluster transport. ioredis sends a pipeline to one node and refuses
// one whose keys live on different nodes, so commands are grouped by the
// master that serves each key's hash slot (computed here, CRC16 as the
// cluster spec defines it) and each group is sent as pipelines of about
// `pipeline_size` commands: one round trip per chunk per node, in parallel
// across nodes. Guarded groups (counters, stream entries) go as one script
// call each, declaring the marker and the target key, which share a slot by
// construction (see KeySchema.dedup). Replies come back in command order.
import { Cluster, type ClusterNode, type Redis } from 'ioredis';
import { decodeCommands } from './resp-writer.js';
import { chunkCommands, COUNT_LUA, COUNT_SHA, STREAM_LUA } from './scripts.js';
import {
  baseOptions, closeClient, collect, inWindow, IN_FLIGHT, reconnectDelay, scanNode, whenReady,
  type ApplyResult, type ConnectionSettings, type Connectable, type Reply, type Transport,
} from './connection.js';
import type { Cmd, WritePlan } from './writer.js';

const CRC16_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** CRC16/XMODEM of the key's UTF-8 bytes (or of its `{hash tag}`), modulo 16384: the key's cluster slot. */
export function keySlot(key: string): number {
  let s = 0;
  let e = key.length;
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) { s = open + 1; e = close; }
  }
  let crc = 0;
  for (let i = s; i < e; i++) {
    let c = key.charCodeAt(i);
    if (c < 0x80) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ c) & 0xff]!;
    else {
      // Non-ASCII: hash the UTF-8 bytes, as Redis does.
      for (const b of Buffer.from(key.slice(i, i + (c >= 0xd800 && c < 0xdc00 ? 2 : 1)), 'utf8')) {
        crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ b) & 0xff]!;
      }
      if (c >= 0xd800 && c < 0xdc00) i++;
    }
  }
  return crc & 0x3fff;
}

export class ClusterTransport implements Transport {
  readonly kind = 'cluster';
  private readonly cluster: Cluster;
  private readyOnce = false;
  private reconnectFns: (() => void)[] = [];

  private readonly connectTimeout: number;

  constructor(s: ConnectionSettings, readonly name: string) {
    this.connectTimeout = s.connectTimeout;
    const nodes: ClusterNode[] = (s.cluster ?? []).map((a) => {
      const i = a.lastIndexOf(':');
      return { host: a.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(a.slice(i + 1)) };
    });
    const { lazyConnect: _l, enableOfflineQueue: _o, retryStrategy: _r, ...redisOptions } = baseOptions(s);
    this.cluster = new Cluster(nodes, {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: s.connectTimeout,
      redisOptions,
    });
    // Defined commands load themselves on each node (EVAL once, then EVALSHA; again after NOSCRIPT).
    this.cluster.defineCommand('auditlineCount', { numberOfKeys: 2, lua: COUNT_LUA });
    this.cluster.defineCommand('auditlineStream', { numberOfKeys: 2, lua: STREAM_LUA });
    this.cluster.on('ready', () => {
      if (this.readyOnce) for (const fn of this.reconnectFns) fn();
      this.readyOnce = true;
    });
  }

  ready(): Promise<void> {
    return whenReady(this.cluster as unknown as Connectable, this.connectTimeout, 'Redis Cluster');
  }

  /** The master serving a key, as ioredis names it (`host:port`). */
  private nodeOf(key: string): string {
    const owners = this.cluster.slots[keySlot(key)];
    if (!owners || owners.length === 0) throw new Error('The Redis Cluster slot map is not loaded yet.');
    return owners[0]!;
  }

  async apply(plan: WritePlan, size: number): Promise<ApplyResult> {
    const byNode = new Map<string, Cmd[]>();
    // ioredis routes string commands, so the plan's bytes are read back (Cluster is not the fast path).
    for (const c of decodeCommands(plan.resp)) {
      // Script calls route by their first key (the target) and go as defined commands.
      const cmd = c[0] === 'evalsha' ? [c[1] === COUNT_SHA ? 'auditlineCount' : 'auditlineStream', ...c.slice(3)] : c;
      const node = this.nodeOf(c[0] === 'evalsha' ? c[3]! : c[1]!);
      const l = byNode.get(node);
      if (l === undefined) byNode.set(node, [cmd]); else l.push(cmd);
    }
    const result: ApplyResult = { commandErrors: 0 };
    // Per node: pipelines of about `size` commands in plan order, a few in flight; nodes in parallel.
    await Promise.all([...byNode.values()].map((cmds) => {
      const chunks = chunkCommands(cmds, size);
      return inWindow(chunks.length, IN_FLIGHT, async (i) => {
        for (const [err] of (await this.cluster.pipeline(chunks[i]!).exec()) as Reply[]) collect(result, err);
      });
    }));
    return result;
  }

  async run(cmds: Cmd[], size = 1000): Promise<Reply[]> {
    const out: Reply[] = new Array(cmds.length);
    const byNode = new Map<string, number[]>();
    for (let i = 0; i < cmds.length; i++) {
      const node = this.nodeOf(cmds[i]![1]!);
      const l = byNode.get(node);
      if (l === undefined) byNode.set(node, [i]); else l.push(i);
    }
    const work: Promise<void>[] = [];
    for (const idx of byNode.values()) {
      for (let off = 0; off < idx.length; off += size) {
        const part = idx.slice(off, off + size);
        work.push((this.cluster.pipeline(part.map((i) => cmds[i]!)).exec() as Promise<Reply[]>).then((replies) => {
          for (let j = 0; j < part.length; j++) out[part[j]!] = replies[j]!;
        }));
      }
    }
    await Promise.all(work);
    return out;
  }

  /**
   * A cluster refuses PFCOUNT over keys in different slots, so the sketches
   * are copied (GET/SET of the raw HyperLogLog string) under keys sharing one
   * hash tag, counted together, and removed; the copies also carry a short TTL.
   */
  async pfcountUnion(keys: string[], tmpBase: string): Promise<number> {
    if (keys.length === 0) return 0;
    const slot = keySlot(keys[0]!);
    if (keys.every((k) => keySlot(k) === slot)) return this.cluster.pfcount(...keys);
    const blobs = (await Promise.all(keys.map((k) => this.cluster.getBuffer(k)))).filter((b): b is Buffer => b !== null);
    if (blobs.length === 0) return 0;
    const tag = `${tmpBase}{hll-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e9)}}`;
    const tmp = blobs.map((_, i) => `${tag}:${i}`);
    try {
      await Promise.all(blobs.map((b, i) => this.cluster.set(tmp[i]!, b, 'EX', 60)));
      return await this.cluster.pfcount(...tmp);
    } finally {
      await this.cluster.unlink(...tmp).catch(() => undefined);
    }
  }

  async scan(pattern: string, onKeys: (keys: string[]) => Promise<void>): Promise<void> {
    const masters: Redis[] = this.cluster.nodes('master');
    if (masters.length === 0) throw new Error('The Redis Cluster has no known masters.');
    await Promise.all(masters.map((n) => scanNode(n, pattern, onKeys)));
  }

  onReconnect(fn: () => void): void { this.reconnectFns.push(fn); }
  onError(fn: (err: Error) => void): void { this.cluster.on('error', fn); }

  async close(): Promise<void> {
    await closeClient(this.cluster);
  }
}
