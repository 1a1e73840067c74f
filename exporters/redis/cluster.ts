// Redis Cluster transport. A transaction (MULTI or a script) cannot span hash
// slots, so a batch is applied at most once *per slot*: the plan's commands are
// grouped by the slot of their key (cluster-encoder.ts), and each slot's part
// is one call of APPLY_LUA (scripts.ts), which checks and sets a guard key in
// that slot (`slotTag` gives every slot a hash tag) and writes the part only
// when the guard does not already cover the batch. The calls go as pipelines
// per master, nodes in parallel. A retry thus writes only the parts an earlier
// attempt did not. Once every part is applied, the log position goes under its
// plain key (what `appliedPosition` reads).
//
// Free entry keys are chosen under the writers' lock (one for the whole
// cluster), and for a batch of a log the choice is stored first, so a retry
// after a partial failure builds the same plan for the remaining slots.
import { Cluster, type ClusterNode, type Redis } from 'ioredis';
import { keySlot, partsBySlot } from './cluster-encoder.js';
import { allocate, guardEnd, guardRenames, guardValue } from './once.js';
import type { Cmd, WritePlan } from './plan.js';
import { batchId } from './resp-encoder.js';
import { ACQUIRE_LUA, APPLY_LUA, RELEASE_LUA } from './scripts.js';
import {
  baseOptions,
  closeClient,
  inWindow,
  IN_FLIGHT,
  isRetryableReply,
  LockWait,
  lockToken,
  reconnectDelay,
  scanNode,
  Turns,
  whenReady,
  type ConnectionSettings,
  type Connectable,
  type OnceJob,
  type OnceResult,
  type Reply,
  type Transport,
} from './connection.js';

export { keySlot };

let slotTags: string[] | undefined;

/** A short hash tag (`n0`, `n1`, …) for each slot: `{tag}` in a key puts it in that slot. */
export function slotTag(slot: number): string {
  if (slotTags === undefined) {
    const t = new Array<string>(16384);
    let left = 16384;
    for (let i = 0; left > 0; i++) {
      const s = keySlot(`n${i}`);
      if (t[s] === undefined) {
        t[s] = `n${i}`;
        left--;
      }
    }
    slotTags = t;
  }
  return slotTags[slot]!;
}

export class ClusterTransport implements Transport {
  readonly kind = 'cluster';
  private readonly cluster: Cluster;
  private readyOnce = false;
  private reconnectFns: (() => void)[] = [];
  private readonly connectTimeout: number;
  private readonly turns = new Turns();

  constructor(
    s: ConnectionSettings,
    readonly name: string,
  ) {
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
    // A defined command loads itself on each node (EVAL once, then EVALSHA; again after NOSCRIPT).
    this.cluster.defineCommand('auditlineApply', { lua: APPLY_LUA });
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

  applyOnce(job: OnceJob): Promise<OnceResult> {
    return this.turns.run(() => this.once(job));
  }

  private async once(job: OnceJob): Promise<OnceResult> {
    await this.ready();
    const batch = batchId(job.initial);
    const guardKey = (tag?: string) => job.guardKey(batch, tag);
    const token = lockToken(job, guardKey());
    if (guardEnd(await this.cluster.get(guardKey())) >= job.end) return { skipped: true, commandErrors: 0 };
    const [lock, next] = job.lockKeys('lock');
    const { writer, lockMs, nextMs } = job.locking;
    const waits = new LockWait(lockMs);
    while ((await this.cluster.eval(ACQUIRE_LUA, 2, lock, next, token, lockMs, writer, nextMs)) !== 1)
      await waits.next();
    try {
      let renames: Map<string, string> | undefined;
      if (job.allocKey !== undefined) {
        const v = await this.cluster.get(job.allocKey);
        if (guardEnd(v) === job.end) renames = guardRenames(v) ?? new Map();
      }
      if (renames === undefined) {
        const taken = await this.exists(job.initial.entryKeys);
        renames = taken.some(Boolean)
          ? await allocate(job.initial.entryKeys, job.initial.entryN, taken, (keys) => this.exists(keys))
          : new Map();
        if (job.allocKey !== undefined)
          await this.cluster.set(job.allocKey, guardValue(job.end, renames), 'EX', job.allocTtlSec);
      }
      const plan = renames.size > 0 ? job.build(job.first, renames) : job.initial;
      const out = await this.applySlots(plan, job, guardKey);
      // Every part is in: the position under its plain key (a batch marker expires like the parts' markers).
      if (job.ttlSec === undefined) await this.cluster.set(guardKey(), String(job.end));
      else await this.cluster.set(guardKey(), String(job.end), 'EX', job.ttlSec);
      return { ...out, plan };
    } finally {
      await this.cluster.eval(RELEASE_LUA, 1, lock, token).catch(() => undefined);
    }
  }

  /** Each slot's part as one APPLY_LUA call; the calls go as pipelines of about `job.size` commands per master, masters in parallel. */
  private async applySlots(plan: WritePlan, job: OnceJob, guardKey: (tag: string) => string): Promise<OnceResult> {
    const ttl = String(job.ttlSec ?? 0);
    const end = String(job.end);
    const byNode = new Map<string, { calls: (string | number)[][]; weights: number[] }>();
    for (const [slot, part] of partsBySlot(plan)) {
      const guard = guardKey(slotTag(slot));
      const node = this.nodeOf(guard);
      let n = byNode.get(node);
      if (n === undefined) {
        n = { calls: [], weights: [] };
        byNode.set(node, n);
      }
      n.calls.push(['auditlineApply', part.keys.length + 1, guard, ...part.keys, end, ttl, ...part.args]);
      n.weights.push(part.weight);
    }
    const out: OnceResult = { skipped: false, commandErrors: 0 };
    await Promise.all(
      [...byNode.values()].map(({ calls, weights }) => this.sendCalls(chunked(calls, weights, job.size), out)),
    );
    return out;
  }

  /** Pipelines of script calls to one master, a few in flight; refused commands are counted into `out`. */
  private sendCalls(chunks: (string | number)[][][], out: OnceResult): Promise<void> {
    return inWindow(chunks.length, IN_FLIGHT, async (i) => {
      for (const [err, r] of (await this.cluster.pipeline(chunks[i]! as string[][]).exec()) as Reply[]) {
        if (err)
          throw isRetryableReply(err.message) || err.name !== 'ReplyError'
            ? err
            : new Error(`Redis Cluster refused part of a batch: ${err.message}`);
        const [, errs, first] = r as [number, number, string];
        if (errs > 0) {
          out.commandErrors += errs;
          if (!out.firstError && first) out.firstError = first;
        }
      }
    });
  }

  /** Which keys exist (one EXISTS each, pipelined per node). */
  private async exists(keys: readonly string[]): Promise<boolean[]> {
    const replies = await this.run(keys.map((k) => ['exists', k]));
    return replies.map(([err, v]) => {
      if (err) throw err;
      return v === 1;
    });
  }

  async readGuard(key: string): Promise<string | null> {
    await this.ready();
    return this.cluster.get(key);
  }

  async run(cmds: Cmd[], size = 1000): Promise<Reply[]> {
    const out: Reply[] = new Array(cmds.length);
    const byNode = new Map<string, number[]>();
    for (let i = 0; i < cmds.length; i++) {
      const node = this.nodeOf(cmds[i]![1]!);
      const l = byNode.get(node);
      if (l === undefined) byNode.set(node, [i]);
      else l.push(i);
    }
    const work: Promise<void>[] = [];
    for (const idx of byNode.values()) {
      for (let off = 0; off < idx.length; off += size) {
        const part = idx.slice(off, off + size);
        work.push(
          (this.cluster.pipeline(part.map((i) => cmds[i]!)).exec() as Promise<Reply[]>).then((replies) => {
            for (let j = 0; j < part.length; j++) out[part[j]!] = replies[j]!;
          }),
        );
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
    const blobs = (await Promise.all(keys.map((k) => this.cluster.getBuffer(k)))).filter(
      (b): b is Buffer => b !== null,
    );
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

  onReconnect(fn: () => void): void {
    this.reconnectFns.push(fn);
  }
  onError(fn: (err: Error) => void): void {
    this.cluster.on('error', fn);
  }

  async close(): Promise<void> {
    await closeClient(this.cluster);
  }
}

/** Calls in order, cut into pipelines of about `size` weight. */
function chunked<T>(calls: T[], weights: number[], size: number): T[][] {
  const chunks: T[][] = [];
  let cur: T[] = [];
  let w = 0;
  calls.forEach((c, i) => {
    if (w > 0 && w + weights[i]! > size) {
      chunks.push(cur);
      cur = [];
      w = 0;
    }
    cur.push(c);
    w += weights[i]!;
  });
  if (cur.length > 0) chunks.push(cur);
  return chunks;
}
