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
import { parseEndpoint, RespPipeline } from './resp-pipeline.js';
import { chunkEncoded } from './resp-writer.js';
import { COUNT_LUA, STREAM_LUA } from './scripts.js';
import type { Cmd, WritePlan } from './writer.js';

export type Reply = [Error | null, unknown];

export interface ApplyResult {
  /** Commands Redis refused for a reason a retry would not fix (e.g. WRONGTYPE on a foreign key). */
  commandErrors: number;
  firstError?: string;
}

export interface Transport {
  readonly kind: 'standalone' | 'cluster';
  /** Resolves when the write path is connected (connecting if needed, within the connect timeout). */
  ready(): Promise<void>;
  /** Applies a write plan in chunks of about `size` commands, one round trip each. */
  apply(plan: WritePlan, size: number): Promise<ApplyResult>;
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
const RETRYABLE_REPLY = /^(OOM|LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MOVED|ASK|MASTERDOWN|READONLY|NOREPLICAS|MISCONF|NOSCRIPT)\b/;

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
  if (c.status === 'wait') c.connect().catch(() => { /* reported by the wait below and the error listener */ });
  else if (c.status !== 'connecting' && c.status !== 'connect') {
    return Promise.reject(new Error(`${what} is not connected (${c.status}).`));
  }
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      c.off('ready', onReady);
      c.off('end', onEnd);
      c.off('reconnecting', onEnd);
      if (err) reject(err); else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new Error(`${what} is not reachable.`));
    const timer = setTimeout(() => done(new Error(`${what} did not become ready within ${timeoutMs}ms.`)), timeoutMs);
    c.once('ready', onReady);
    c.once('end', onEnd);
    c.once('reconnecting', onEnd);
  });
}

/** Turns a chunk's error replies into the running result; throws when a retry could help. */
export function collectErrors(result: ApplyResult, errors: readonly string[]): void {
  for (const e of errors) {
    if (isRetryableReply(e)) throw new Error(`Redis refused a write: ${e}`);
    result.commandErrors++;
    result.firstError ??= e;
  }
}

/** Reads one ioredis pipeline reply into the running result (connection errors and retryable replies throw). */
export function collect(result: ApplyResult, err: Error | null): void {
  if (!err) return;
  if (err.name !== 'ReplyError' || isRetryableReply(err.message)) throw err;
  result.commandErrors++;
  result.firstError ??= err.message;
}

/** One Redis server, through a RespPipeline (resp-pipeline.ts) for writes and reads alike. */
export class StandaloneTransport implements Transport {
  readonly kind = 'standalone';
  private readonly pipe: RespPipeline;

  constructor(s: ConnectionSettings, readonly name: string) {
    this.pipe = new RespPipeline(parseEndpoint(s.endpoint ?? 'redis://127.0.0.1:6379', s.username, s.password), s.connectTimeout, s.commandTimeout);
    this.pipe.onConnect(async (send) => {
      const r = await send([['SCRIPT', 'LOAD', COUNT_LUA], ['SCRIPT', 'LOAD', STREAM_LUA]]);
      if (r.errors.length) throw new Error(`Redis refused the exporter's scripts: ${r.errors[0]} (Redis 7.0 or newer is needed).`);
    });
  }

  ready(): Promise<void> {
    return this.pipe.ready();
  }

  async apply(plan: WritePlan, size: number): Promise<ApplyResult> {
    await this.pipe.ready();
    const resp = plan.resp;
    const chunks = chunkEncoded(resp, size);
    const result: ApplyResult = { commandErrors: 0 };
    let noscript = false;
    // Chunks go out in plan order on one connection (hashes before the indexes pointing at them),
    // a few at a time so none waits behind a whole batch and trips the reply timeout.
    await inWindow(chunks.length, IN_FLIGHT, async (i) => {
      const [start, end, count] = chunks[i]!;
      const r = await this.pipe.send(resp.buf.subarray(start, end), count);
      if (r.errors.some((e) => e.startsWith('NOSCRIPT'))) noscript = true;
      collectErrors(result, r.errors);
    }).catch((err: unknown) => {
      // Scripts flushed under us: reconnecting loads them again before the retry.
      if (noscript) this.pipe.reset();
      throw err;
    });
    return result;
  }

  async run(cmds: Cmd[], size = 1000): Promise<Reply[]> {
    if (cmds.length === 0) return [];
    await this.pipe.ready();
    const parts: Promise<unknown[]>[] = [];
    for (let i = 0; i < cmds.length; i += size) parts.push(this.pipe.sendCommands(cmds.slice(i, i + size), true).then((r) => r.values));
    const out: Reply[] = [];
    for (const values of await Promise.all(parts)) for (const v of values) out.push(v instanceof Error ? [v, null] : [null, v]);
    return out;
  }

  async pfcountUnion(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const [[err, n]] = await this.run([['pfcount', ...keys]]) as [Reply];
    if (err) throw err;
    return Number(n);
  }

  async scan(pattern: string, onKeys: (keys: string[]) => Promise<void>): Promise<void> {
    let cursor = '0';
    do {
      const [[err, reply]] = await this.run([['scan', cursor, 'MATCH', pattern, 'COUNT', '1000']]) as [Reply];
      if (err) throw err;
      const [next, keys] = reply as [string, string[]];
      cursor = next;
      if (keys.length > 0) await onKeys(keys);
    } while (cursor !== '0');
  }

  onReconnect(fn: () => void): void { this.pipe.onReconnect(fn); }
  /** Connection errors surface as failed calls here; nothing is emitted in the background. */
  onError(): void {}

  close(): Promise<void> {
    return this.pipe.close();
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
      try { await task(i); } catch (err) { failed ??= err; }
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
    try { await c.quit(); return; } catch { /* fall through */ }
  }
  c.disconnect();
}
