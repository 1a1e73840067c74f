// How the exporter talks to Redis: a transport applies write plans, runs
// read pipelines, scans key families and reports readiness. This file holds
// the interface, the ioredis options (Redis Cluster), the reply-error
// classification, and the single-server transport; cluster.ts has the other.
//
// Outage behaviour: nothing is queued while disconnected (no offline queue;
// the write connection is opened on demand), commands in flight fail on the
// first lost connection (maxRetriesPerRequest 0, no resend), and every round
// trip has a reply timeout. The exporter's export then fails with an
// ordinary (retryable) error and the sending queue retries with backoff.
import type { Redis, RedisOptions } from 'ioredis';
import { allocate, guardEnd, NodeTx, type LockSettings } from './once.js';
import type { Cmd, WritePlan } from './plan.js';
import { RespEncoder, type EncodedPlan } from './resp-encoder.js';
import { parseEndpoint, RespPipeline } from './resp-pipeline.js';
import type { EncodedCommands } from './resp-writer.js';

/** The writers' lock token of a batch: the same on every attempt at it by this exporter instance. */
export function lockToken(job: OnceJob, guardKey: string): string {
  return `${job.locking.writer}:${guardKey}:${job.end}`;
}

export type Reply = [Error | null, unknown];

export interface ApplyResult {
  /** Commands Redis refused for a reason a retry would not fix (e.g. WRONGTYPE on a foreign key). */
  commandErrors: number;
  firstError?: string;
}

/** One batch to apply at most once (once.ts). */
export interface OnceJob {
  /** Records [first, end) of a delivery log; a batch without a span is [0, 1) under a batch marker. */
  first: number;
  end: number;
  /** The plan of the whole batch without renames, built before the attempt waits for the connection. */
  initial: WritePlan;
  /** The plan of the batch's records from position `from` on, with entry keys renamed. */
  build(from: number, renames?: ReadonlyMap<string, string>): WritePlan;
  /**
   * The guard key: the log position, or for a batch without a span a marker of `batch` (the content
   * hash of the initial plan's entries, resp-encoder.ts `batchId`); `tag`: a cluster node's hash tag.
   */
  guardKey(batch: string, tag?: string): string;
  /** Batch markers expire after this many seconds; positions never do. */
  ttlSec?: number;
  /** Redis Cluster, batches of a log: where the entry keys chosen for the batch are kept for its retries, and for how long. */
  allocKey?: string;
  allocTtlSec: number;
  /** Lock and next-in-line keys; `tag` as above. */
  lockKeys(tag?: string): [string, string];
  locking: LockSettings;
  /** Commands per round trip. */
  size: number;
}

export interface OnceResult extends ApplyResult {
  /** True when an earlier attempt had already applied the batch: nothing was written. */
  skipped: boolean;
  /** The plan that was applied (for its TTL bookkeeping). */
  plan?: WritePlan;
}

export interface Transport {
  readonly kind: 'standalone' | 'cluster';
  /** Resolves when the write path is connected (connecting if needed, within the connect timeout). */
  ready(): Promise<void>;
  /** Applies a batch at most once (see once.ts); one batch at a time per transport. */
  applyOnce(job: OnceJob): Promise<OnceResult>;
  /** The value of a guard key (a log position), read where the writes go. */
  readGuard(key: string): Promise<string | null>;
  /** Runs single-key commands pipelined (per node on a cluster); replies in command order. */
  run(cmds: Cmd[], size?: number): Promise<Reply[]>;
  /** PFCOUNT of the union of HyperLogLogs (on a cluster, via same-slot copies under `tmpBase`). */
  pfcountUnion(keys: string[], tmpBase: string): Promise<number>;
  /** SCAN with a fixed pattern on every master; `onKeys` gets each non-empty batch. */
  scan(pattern: string, onKeys: (keys: string[]) => Promise<void>): Promise<void>;
  /** Called on every `ready` after the first (keys may be gone after a restart). */
  onReconnect(fn: () => void): void;
  /** Called on connection errors (ioredis emits them while it reconnects). */
  onError(fn: (err: Error) => void): void;
  close(): Promise<void>;
}

export interface ConnectionSettings {
  endpoint?: string;
  cluster?: string[];
  username?: string;
  password?: string;
  connectTimeout: number;
  commandTimeout: number;
}

/** Reply errors a retry can fix: memory, loading, a busy script, cluster moves and failovers. */
const RETRYABLE_REPLY =
  /^(OOM|LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MOVED|ASK|MASTERDOWN|READONLY|NOREPLICAS|MISCONF|NOSCRIPT)\b/;

export function isRetryableReply(message: string): boolean {
  return RETRYABLE_REPLY.test(message);
}

/** Reconnect backoff: 50 ms doubling to 2 s, forever (exports fail fast meanwhile). */
export function reconnectDelay(times: number): number {
  return Math.min(50 * 2 ** Math.min(times, 6), 2000);
}

export function baseOptions(s: ConnectionSettings): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: s.connectTimeout,
    commandTimeout: s.commandTimeout,
    retryStrategy: reconnectDelay,
    ...(s.username !== undefined ? { username: s.username } : {}),
    ...(s.password !== undefined ? { password: s.password } : {}),
  };
}

/** The status a client must be in before a command can go out, shared by Redis and Cluster. */
export interface Connectable {
  status: string;
  connect(): Promise<void>;
  once(event: string, fn: (...a: unknown[]) => void): unknown;
  off(event: string, fn: (...a: unknown[]) => void): unknown;
}

/** Waits for `ready` on a client that is starting; throws at once while it is reconnecting or closed. */
export function whenReady(c: Connectable, timeoutMs: number, what: string): Promise<void> {
  if (c.status === 'ready') return Promise.resolve();
  if (c.status === 'wait')
    c.connect().catch(() => {
      /* reported by the wait below and the error listener */
    });
  else if (c.status !== 'connecting' && c.status !== 'connect') {
    return Promise.reject(new Error(`${what} is not connected (${c.status}).`));
  }
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      c.off('ready', onReady);
      c.off('end', onEnd);
      c.off('reconnecting', onEnd);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new Error(`${what} is not reachable.`));
    const timer = setTimeout(() => done(new Error(`${what} did not become ready within ${timeoutMs}ms.`)), timeoutMs);
    c.once('ready', onReady);
    c.once('end', onEnd);
    c.once('reconnecting', onEnd);
  });
}

/** One Redis server, through RespPipelines (resp-pipeline.ts): one for transactions, one for other commands. */
export class StandaloneTransport implements Transport {
  readonly kind = 'standalone';
  private readonly pipe: RespPipeline;
  /** Transactions only: WATCH and MULTI hold state on the connection, so nothing else may use it meanwhile. */
  private readonly tx: RespPipeline;
  private readonly turns = new Turns();
  private readonly encoder = new RespEncoder();

  constructor(
    s: ConnectionSettings,
    readonly name: string,
  ) {
    const ep = parseEndpoint(s.endpoint ?? 'redis://127.0.0.1:6379', s.username, s.password);
    this.pipe = new RespPipeline(ep, s.connectTimeout, s.commandTimeout);
    this.tx = new RespPipeline(ep, s.connectTimeout, s.commandTimeout);
  }

  ready(): Promise<void> {
    return this.tx.ready();
  }

  /** Encodes the batch before its turn, so that overlaps the transaction of the batch before it. */
  applyOnce(job: OnceJob): Promise<OnceResult> {
    const encoded = this.encoder.encode(job.initial);
    return this.turns.run(() => this.once(job, encoded));
  }

  private async once(job: OnceJob, initial: EncodedPlan): Promise<OnceResult> {
    await this.tx.ready();
    let plan = job.initial;
    let enc = initial.commands;
    let from = job.first;
    const guard = job.guardKey(initial.batch);
    const waits = new LockWait(job.locking.lockMs);
    for (let aborted = 0; ;) {
      const tx = new NodeTx(this.tx, job.lockKeys(), lockToken(job, guard), job.locking);
      try {
        const b = await tx.begin(guard, plan.entryKeys);
        const pos = guardEnd(b.guard);
        if (pos >= job.end) {
          await tx.end();
          this.encoder.release(enc);
          return { skipped: true, commandErrors: 0 };
        }
        if (!b.held) {
          await tx.end();
          await waits.next();
          continue;
        }
        let existing = b.existing;
        if (pos > from) {
          // Records below `pos` were applied under other batch boundaries (an earlier run's): only the rest.
          this.encoder.release(enc);
          plan = job.build(pos);
          enc = this.encoder.encode(plan).commands;
          from = pos;
          existing = -1;
        }
        const [final, finalEnc] = existing === 0 ? [plan, enc] : await this.withFreeKeys(tx, job, from, plan, enc);
        const r = await tx.commit(finalEnc, { key: guard, value: String(job.end), ttlSec: job.ttlSec }, job.size);
        // Every reply has come back: the socket holds no reference to these bytes any more.
        if (finalEnc !== enc) this.encoder.release(finalEnc);
        if (r.applied) {
          this.encoder.release(enc);
          return { skipped: false, commandErrors: r.commandErrors, firstError: r.firstError, plan: final };
        }
      } catch (err) {
        await tx.end();
        throw err;
      }
      if (++aborted === MAX_ABORTS) {
        await tx.end();
        throw new Error(
          "Redis kept refusing the batch's transaction (the writers' lock or its position changed under it each time).",
        );
      }
    }
  }

  /** The plan again with entries whose key is taken moved to free keys, when any is. */
  private async withFreeKeys(
    tx: NodeTx,
    job: OnceJob,
    from: number,
    plan: WritePlan,
    enc: EncodedCommands,
  ): Promise<[WritePlan, EncodedCommands]> {
    const taken = await tx.exists(plan.entryKeys);
    if (!taken.some(Boolean)) return [plan, enc];
    const final = job.build(from, await allocate(plan.entryKeys, plan.entryN, taken, (keys) => tx.exists(keys)));
    return [final, this.encoder.encode(final).commands];
  }

  async readGuard(key: string): Promise<string | null> {
    await this.tx.ready();
    const [[err, v]] = (await this.run([['get', key]])) as [Reply];
    if (err) throw err;
    return v as string | null;
  }

  async run(cmds: Cmd[], size = 1000): Promise<Reply[]> {
    if (cmds.length === 0) return [];
    await this.pipe.ready();
    const parts: Promise<unknown[]>[] = [];
    for (let i = 0; i < cmds.length; i += size)
      parts.push(this.pipe.sendCommands(cmds.slice(i, i + size), true).then((r) => r.values));
    const out: Reply[] = [];
    for (const values of await Promise.all(parts))
      for (const v of values) out.push(v instanceof Error ? [v, null] : [null, v]);
    return out;
  }

  async pfcountUnion(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const [[err, n]] = (await this.run([['pfcount', ...keys]])) as [Reply];
    if (err) throw err;
    return Number(n);
  }

  async scan(pattern: string, onKeys: (keys: string[]) => Promise<void>): Promise<void> {
    let cursor = '0';
    do {
      const [[err, reply]] = (await this.run([['scan', cursor, 'MATCH', pattern, 'COUNT', '1000']])) as [Reply];
      if (err) throw err;
      const [next, keys] = reply as [string, string[]];
      cursor = next;
      if (keys.length > 0) await onKeys(keys);
    } while (cursor !== '0');
  }

  onReconnect(fn: () => void): void {
    this.tx.onReconnect(fn);
  }
  /** Connection errors surface as failed calls here; nothing is emitted in the background. */
  onError(): void {}

  async close(): Promise<void> {
    await Promise.all([this.pipe.close(), this.tx.close()]);
  }
}

/** Transactions refused by EXEC in a row (lock or position changed) before an attempt gives up and is retried later. */
export const MAX_ABORTS = 5;

/** One task at a time, in call order (transactions on one connection, or one set of node connections). */
export class Turns {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Backoff while another writer holds the lock: 2 ms doubling to 50 ms with jitter, for at most the lock's lifetime. */
export class LockWait {
  private delay = 2;
  private readonly deadline: number;

  constructor(lockMs: number) {
    this.deadline = Date.now() + lockMs + 1000;
  }

  async next(): Promise<void> {
    if (Date.now() > this.deadline)
      throw new Error("Another writer has held the Redis writers' lock longer than its lifetime; will retry.");
    await new Promise((r) => setTimeout(r, this.delay * (0.5 + Math.random())));
    this.delay = Math.min(this.delay * 2, 50);
  }
}

/** Round trips kept in flight per export and node: enough to keep Redis busy, few enough that none waits long. */
export const IN_FLIGHT = 4;

/** Runs task(0..n-1) with at most `width` running, starting them in index order; rejects on the first failure. */
export async function inWindow(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const lane = async () => {
    while (next < n && failed === undefined) {
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, lane));
  if (failed !== undefined) throw failed;
}

export async function scanNode(node: Redis, pattern: string, onKeys: (keys: string[]) => Promise<void>): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await onKeys(keys);
  } while (cursor !== '0');
}

/** QUIT when connected (flushes replies), else just disconnect; never throws. */
export async function closeClient(c: { status: string; quit(): Promise<unknown>; disconnect(): void }): Promise<void> {
  if (c.status === 'ready') {
    try {
      await c.quit();
      return;
    } catch {
      /* fall through */
    }
  }
  c.disconnect();
}
