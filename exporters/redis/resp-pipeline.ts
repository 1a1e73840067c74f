// A minimal RESP2 pipeline connection for a single Redis server: commands are
// encoded straight into one Buffer per chunk and written with one socket
// write; replies are counted and checked for errors (writes) or returned
// (reads).
//
// Why not ioredis here: it builds a Command object, a promise and a timer per
// command, several times the CPU of the whole plan encoded here; a chunk sent
// as one script argument cost Redis more in cjson decoding; its reply decoder
// took most of a query's CPU (figures in bench/README.md). ioredis serves
// Redis Cluster.
//
// Failure model: any socket error, close or reply timeout rejects every chunk
// in flight (their replies can no longer be matched) and drops the socket;
// the next write connects again. Nothing is queued while disconnected.
import { type Socket, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { RespWriter } from './resp-writer.js';

export interface RespEndpoint {
  host: string;
  port: number;
  tls: boolean;
  db: number;
  username?: string;
  password?: string;
}

/** `redis://[user:pass@]host[:port][/db]` or `rediss://…`; explicit username/password override the URL's. */
export function parseEndpoint(url: string, username?: string, password?: string): RespEndpoint {
  const u = new URL(url);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`The database in "${url}" must be a non-negative integer.`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    tls: u.protocol === 'rediss:',
    db,
    username: username ?? (u.username ? decodeURIComponent(u.username) : undefined),
    password: password ?? (u.password ? decodeURIComponent(u.password) : undefined),
  };
}

/** RESP encoding of one command (`*n` then `$len` + bytes per argument). */
export function encodeCommand(c: readonly string[]): Buffer {
  return encodeCommands([c]);
}

/** Reused for encoding reads and handshakes; the result is copied out of it. */
const scratch = new RespWriter(1 << 16);

/** RESP of many commands in one exactly sized Buffer (see RespWriter for how arguments are copied). */
export function encodeCommands(cmds: readonly (readonly string[])[]): Buffer {
  scratch.reset();
  for (let i = 0; i < cmds.length; i++) scratch.cmd(cmds[i]!);
  return Buffer.from(scratch.buf.subarray(0, scratch.off));
}

export interface ChunkReplies {
  /** Error replies, in order. */
  errors: string[];
  /** Every reply when asked for (`keep`), error replies as ReplyError objects; else empty. */
  values: unknown[];
}

/** An error reply from Redis (named like ioredis's, so both are classified alike). */
export class ReplyError extends Error {
  override name = 'ReplyError';
}

interface Pending {
  left: number;
  keep: boolean;
  result: ChunkReplies;
  resolve(r: ChunkReplies): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** `+OK` and `+QUEUED` (one per command of a transaction) without allocating a string each (measured). */
function simpleString(b: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n === 2 && b[start] === 79 && b[start + 1] === 75) return 'OK';
  if (n === 6 && b[start] === 81 && b[start + 5] === 68) return 'QUEUED';
  return b.toString('latin1', start, end);
}

/** `:n` from the bytes (most are `:0` or `:1`), without a string each. */
function integer(b: Buffer, start: number, end: number): number {
  if (end - start > 15) return Number(b.toString('latin1', start, end));
  let neg = false;
  let i = start;
  if (b[i] === 45) {
    neg = true;
    i++;
  }
  let n = 0;
  for (; i < end; i++) n = n * 10 + (b[i]! - 48);
  return neg ? -n : n;
}

/**
 * Incremental RESP2 reply reader over a byte stream; calls `onReply` per top-level reply.
 * Arrays are built across reads (an EXEC reply of a whole batch arrives in many socket
 * reads and is parsed once); an error inside an array becomes a ReplyError there.
 */
class ReplyReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Arrays being filled, innermost last, with how many elements each still lacks. */
  private readonly stack: { arr: unknown[]; left: number }[] = [];

  constructor(private readonly onReply: (value: unknown, isError: boolean) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    const b = this.buf;
    for (;;) {
      if (this.pos >= b.length) return;
      const end = b.indexOf(13, this.pos); // \r
      if (end < 0 || end + 1 >= b.length) return;
      const type = b[this.pos]!;
      const next = end + 2;
      let v: unknown;
      let err = false;
      switch (type) {
        case 43:
          v = simpleString(b, this.pos + 1, end);
          break; // +
        case 45:
          v = b.toString('utf8', this.pos + 1, end);
          err = true;
          break; // -
        case 58:
          v = integer(b, this.pos + 1, end);
          break; // :
        case 36: {
          // $
          const len = Number(b.toString('latin1', this.pos + 1, end));
          if (len >= 0) {
            if (b.length < next + len + 2) return;
            this.pos = next + len + 2;
            this.value(b.toString('utf8', next, next + len), false);
            continue;
          }
          v = null;
          break;
        }
        case 42: {
          // *
          const n = Number(b.toString('latin1', this.pos + 1, end));
          this.pos = next;
          if (n > 0) this.stack.push({ arr: [], left: n });
          else this.value(n < 0 ? null : [], false);
          continue;
        }
        default:
          throw new Error(`Unexpected RESP reply type "${String.fromCharCode(type)}".`);
      }
      this.pos = next;
      this.value(v, err);
    }
  }

  /** A complete value: into the innermost open array (closing the arrays it completes), or out as a reply. */
  private value(v: unknown, err: boolean): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) {
        this.onReply(v, err);
        return;
      }
      top.arr.push(err ? new ReplyError(v as string) : v);
      if (--top.left > 0) return;
      this.stack.pop();
      v = top.arr;
      err = false;
    }
  }
}

export class RespPipeline {
  private socket?: Socket;
  private connecting?: Promise<void>;
  private readonly pending: Pending[] = [];
  private onConnectFns: ((send: (cmds: string[][]) => Promise<ChunkReplies>) => Promise<void>)[] = [];
  private closed = false;
  private everConnected = false;
  private reconnectFns: (() => void)[] = [];

  constructor(
    private readonly ep: RespEndpoint,
    private readonly connectTimeout: number,
    private readonly replyTimeout: number,
  ) {}

  /** Runs after every (re)connect, before any chunk, e.g. to load scripts. */
  onConnect(fn: (send: (cmds: string[][]) => Promise<ChunkReplies>) => Promise<void>): void {
    this.onConnectFns.push(fn);
  }
  /** Called when a connection is made after an earlier one was lost. */
  onReconnect(fn: () => void): void {
    this.reconnectFns.push(fn);
  }

  /** Connects (with AUTH and SELECT) unless connected; rejects after `connectTimeout`. */
  ready(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The Redis connection is closed.'));
    if (this.socket && !this.connecting) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Writes `payload` (RESP of `count` commands) in one write; resolves with their error replies. */
  send(payload: Buffer, count: number, keep = false): Promise<ChunkReplies> {
    const sock = this.socket;
    if (!sock || this.closed) return Promise.reject(new Error('Redis is not connected.'));
    return new Promise((resolve, reject) => {
      const p: Pending = {
        left: count,
        keep,
        result: { errors: [], values: [] },
        resolve,
        reject,
        timer: setTimeout(
          () => this.fail(new Error(`Redis did not answer within ${this.replyTimeout}ms.`)),
          this.replyTimeout,
        ),
      };
      p.timer.unref();
      this.pending.push(p);
      sock.write(payload);
    });
  }

  sendCommands(cmds: readonly (readonly string[])[], keep = false): Promise<ChunkReplies> {
    return this.send(encodeCommands(cmds), cmds.length, keep);
  }

  /** Drops the connection (rejecting what is in flight); the next ready() reconnects. */
  reset(): void {
    this.fail(new Error('The Redis connection was reset.'));
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.socket;
    if (!s) return;
    if (this.pending.length === 0 && !this.connecting) {
      await new Promise<void>((r) => {
        s.once('close', () => r());
        s.end(encodeCommand(['QUIT']));
        setTimeout(r, 500).unref();
      });
    }
    this.fail(new Error('The Redis connection is closed.'));
  }

  private async open(): Promise<void> {
    const ep = this.ep;
    const sock: Socket = await new Promise((resolve, reject) => {
      const s = ep.tls
        ? tlsConnect({ host: ep.host, port: ep.port, servername: ep.host })
        : netConnect({ host: ep.host, port: ep.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`Connecting to Redis at ${ep.host}:${ep.port} timed out after ${this.connectTimeout}ms.`));
      }, this.connectTimeout);
      const onError = (err: Error) => {
        clearTimeout(timer);
        s.destroy();
        reject(err);
      };
      s.once('error', onError);
      s.once(ep.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.off('error', onError);
        resolve(s as Socket);
      });
    });
    if (this.closed) {
      sock.destroy();
      throw new Error('The Redis connection is closed.');
    }
    sock.setNoDelay(true);
    const reader = new ReplyReader((v, isError) => this.reply(v, isError));
    sock.on('data', (d: Buffer) => {
      try {
        reader.push(d);
      } catch (err) {
        this.fail(err as Error);
      }
    });
    sock.on('error', (err) => this.fail(err));
    sock.on('close', () => {
      if (this.socket === sock) this.fail(new Error('The Redis connection was closed.'));
    });
    this.socket = sock;
    try {
      const hello: string[][] = [];
      if (ep.password !== undefined)
        hello.push(ep.username !== undefined ? ['AUTH', ep.username, ep.password] : ['AUTH', ep.password]);
      if (ep.db !== 0) hello.push(['SELECT', String(ep.db)]);
      hello.push(['PING']);
      const r = await this.sendCommands(hello);
      if (r.errors.length) throw new Error(`Redis refused the connection: ${r.errors[0]}`);
      for (const fn of this.onConnectFns) await fn((cmds) => this.sendCommands(cmds, true));
    } catch (err) {
      this.fail(err as Error);
      throw err;
    }
    if (this.everConnected) for (const fn of this.reconnectFns) fn();
    this.everConnected = true;
  }

  private reply(v: unknown, isError: boolean): void {
    const p = this.pending[0];
    if (!p) return;
    if (isError) p.result.errors.push(v as string);
    if (p.keep) p.result.values.push(isError ? new ReplyError(v as string) : v);
    if (--p.left === 0) {
      this.pending.shift();
      clearTimeout(p.timer);
      p.resolve(p.result);
    }
  }

  /** Drops the socket and rejects everything in flight. */
  private fail(err: Error): void {
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }
}
