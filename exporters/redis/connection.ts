// How the exporter talks to Redis: a transport runs read pipelines, applies
// write plans, scans key families and reports readiness. This file holds the
// interface, the ioredis options shared by both kinds, the reply-error
// classification, and the single-server transport; cluster.ts has the other.
//
// Outage behaviour: no offline queue (a command while disconnected fails at
// once), in-flight commands fail on the first lost connection
// (maxRetriesPerRequest 0, no resend), and every command has a timeout. The
// exporter's export then fails with an ordinary (retryable) error and the
// sending queue retries with backoff while ioredis reconnects in the background.
import { Redis, type RedisOptions } from 'ioredis';
import { APPLY_LUA, chunkPlan } from './bulk-script.js';
import type { Cmd, WritePlan } from './writer.js';

export type Reply = [Error | null, unknown];

export interface ApplyResult {
  /** Commands Redis refused for a reason a retry would not fix (e.g. WRONGTYPE on a foreign key). */
  commandErrors: number;
  firstError?: string;
}

export interface Transport {
  readonly kind: 'standalone' | 'cluster';
  /** Resolves when connected; connects a fresh client; fails fast while reconnecting. */
  ready(timeoutMs: number): Promise<void>;
  /** Applies a write plan in chunks of about `size` commands, one round trip each. */
  apply(plan: WritePlan, size: number, guardTtlSeconds: number): Promise<ApplyResult>;
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

interface ApplyCommand { auditlineApply(json: string): Promise<[number, string]> }

/** Reads a script's `{errors, firstError}` reply (or a plain reply error) into the running result. */
export function collect(result: ApplyResult, reply: unknown, err: Error | null): void {
  if (err) {
    if (isRetryableReply(err.message) || !(err.name === 'ReplyError')) throw err;
    result.commandErrors++;
    result.firstError ??= err.message;
    return;
  }
  if (Array.isArray(reply) && typeof reply[0] === 'number' && reply[0] > 0) {
    const first = String(reply[1]);
    if (isRetryableReply(first)) throw new Error(`Redis refused a write: ${first}`);
    result.commandErrors += reply[0];
    result.firstError ??= first;
  }
}

export class StandaloneTransport implements Transport {
  readonly kind = 'standalone';
  private readonly client: Redis;
  private readyOnce = false;
  private reconnectFns: (() => void)[] = [];

  constructor(s: ConnectionSettings, readonly name: string) {
    this.client = new Redis(s.endpoint ?? 'redis://127.0.0.1:6379', baseOptions(s));
    this.client.defineCommand('auditlineApply', { numberOfKeys: 0, lua: APPLY_LUA });
    this.client.on('ready', () => {
      if (this.readyOnce) for (const fn of this.reconnectFns) fn();
      this.readyOnce = true;
    });
  }

  ready(timeoutMs: number): Promise<void> {
    return whenReady(this.client as unknown as Connectable, timeoutMs, 'Redis');
  }

  async apply(plan: WritePlan, size: number, guardTtl: number): Promise<ApplyResult> {
    const chunks = chunkPlan(plan, size, guardTtl);
    const c = this.client as unknown as ApplyCommand;
    // All chunks go out back to back on one connection, so they are applied in plan order.
    const replies = await Promise.all(chunks.map((chunk) => c.auditlineApply(JSON.stringify(chunk))));
    const result: ApplyResult = { commandErrors: 0 };
    for (const r of replies) collect(result, r, null);
    return result;
  }

  async run(cmds: Cmd[], size = 1000): Promise<Reply[]> {
    if (cmds.length === 0) return [];
    if (cmds.length <= size) return (await this.client.pipeline(cmds).exec()) as Reply[];
    const parts: Promise<Reply[]>[] = [];
    for (let i = 0; i < cmds.length; i += size) parts.push(this.client.pipeline(cmds.slice(i, i + size)).exec() as Promise<Reply[]>);
    return (await Promise.all(parts)).flat();
  }

  async pfcountUnion(keys: string[]): Promise<number> {
    return keys.length === 0 ? 0 : this.client.pfcount(...keys);
  }

  async scan(pattern: string, onKeys: (keys: string[]) => Promise<void>): Promise<void> {
    await scanNode(this.client, pattern, onKeys);
  }

  onReconnect(fn: () => void): void { this.reconnectFns.push(fn); }
  onError(fn: (err: Error) => void): void { this.client.on('error', fn); }

  async close(): Promise<void> {
    await closeClient(this.client);
  }
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
