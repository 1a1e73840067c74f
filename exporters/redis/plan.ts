// The write plan: what one export batch changes in Redis, as typed data and
// not yet as commands. planner.ts builds it from records; resp-encoder.ts
// turns it into RESP bytes for one server and cluster-encoder.ts into
// per-slot commands for Redis Cluster. The key schema is docs/redis-keys.md.
import type { LogEntry } from './field-mapping.js';

/** A Redis command as sent: lower-case name, key, arguments (all strings). */
export type Cmd = string[];

/**
 * How a write sets its key's time to live:
 * - `set`: `EXPIRE key s` after every write (entries, counters, streams, flows);
 * - `keep`: `EXPIRE key s NX`, so a key recreated without a TTL gets one;
 * - `lengthen`: `keep`, then `EXPIRE key s GT`, so an index lives as long as its longest-lived member.
 */
export type TtlMode = 'set' | 'keep' | 'lengthen';

export interface Ttl {
  seconds: number;
  mode: TtlMode;
}

/** The fields a hash can have, in the order they are written. */
export interface HashLayout {
  readonly names: readonly string[];
}

/** A log entry as stored and streamed: its non-null fields, the hostname, and the other attributes. */
export type LogFields = Record<string, unknown>;

/**
 * One record's hash and its TTL (`EXPIRE key ttl` after the HSET): a request's entry or a log
 * entry's fields, laid out as fields when encoded (entries.ts `hashValues`), so a batch does not
 * hold an array of strings per record until then.
 */
export type EntryWrite = { key: string; ttl: number } & (
  { kind: 'request'; entry: LogEntry } | { kind: 'log'; fields: LogFields }
);

/** Score/member pairs of sorted sets, by number: a record's pair is shared by every index that holds it. */
export interface Members {
  scores: string[];
  members: string[];
}

/** Every write to a key other than an entry hash, in the order they are applied. */
export type KeyWrite =
  /** ZADD [GT] of `members` (numbers into `WritePlan.members`). */
  | { type: 'zadd'; key: string; members: number[]; gt: boolean; ttl: Ttl }
  /** RPUSH, PFADD or SADD of `values`, in order. */
  | { type: 'rpush' | 'pfadd' | 'sadd'; key: string; values: string[]; ttl: Ttl }
  /** One HINCRBY per field. */
  | { type: 'hincrby'; key: string; fields: Map<string, number>; ttl: Ttl }
  /** One `XADD key MAXLEN ~ max * data json` per entry. */
  | { type: 'xadd'; key: string; maxLength: number; entries: StreamData[]; ttl: Ttl };

/**
 * A stream entry's `data`: a request's entry, serialised when encoded (a batch holding thousands of
 * JSON strings until then cost more GC than it saved; bench/README.md), or a log entry's JSON, made
 * while planning for its key.
 */
export type StreamData = LogEntry | string;

/** The JSON of a stream entry. */
export function streamJson(d: StreamData): string {
  return typeof d === 'string' ? d : JSON.stringify(d);
}

export interface WritePlan {
  /** Entry hashes, written first (queries find an entry only through an index or a stream written after it). */
  entries: EntryWrite[];
  members: Members;
  /** Indexes, sketches, OAuth flows, counters and streams, in order. */
  writes: KeyWrite[];
  /** Index TTLs this plan lengthens; remembered only once the plan has been applied. */
  expiresSet: [string, number][];
  /**
   * The key each entry (request or log hash) wants, in record order, before `renames`: the
   * schema's key, or with `:{n}` when an earlier entry of the batch has it. Checked against what
   * Redis holds before the plan is applied (once.ts).
   */
  entryKeys: string[];
  /** For each entry key, its n (1: the schema's key itself). */
  entryN: number[];
}

/** Members (or values) per command: bounds one command's size and the time Redis spends on it. */
export const MEMBERS_PER_COMMAND = 500;

/** `key` for the n-th entry wanting `base` (n = 1 is the base itself). */
export function entryKey(base: string, n: number): string {
  return n === 1 ? base : `${base}:${n}`;
}
