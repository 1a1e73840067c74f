// One checkpoint of an audit file's digest (`audit.log.digest`, one JSON
// object per line; format in docs/audit-integrity.md). A checkpoint covers the
// byte range [start, end) of the audit file: the SHA-256 of those bytes, how
// many entries they hold and their time range, and the hash of the checkpoint
// before it, all signed. The signed text is the object without `sig`, keys in
// the order below, as JSON.stringify writes it; its SHA-256 is the hash the
// next checkpoint names in `prev`.
import { createHash } from 'node:crypto';
import type { Algorithm, Signer, Verifier } from './keys.js';

/** `prev` of the first checkpoint. */
export const GENESIS = '0'.repeat(64);

/**
 * Why a checkpoint starts a new generation (coverage restarting at `start` with a file other than the one
 * covered before): `new` (first checkpoint), `replaced` (the path holds another file: rotation),
 * `truncated` (the file became shorter than what was covered), `foreign` (bytes the writer did not
 * write appeared after what was covered; they stay uncovered).
 */
export type GenerationReason = 'new' | 'replaced' | 'truncated' | 'foreign';

export interface FileCheckpoint {
  v: 1;
  seq: number;
  gen: number;
  /** Set on the first checkpoint of a generation. */
  reason?: GenerationReason;
  start: number;
  end: number;
  records: number;
  /** Smallest and largest entry timestamp (Unix ms); null without entries. */
  min_ts: number | null;
  max_ts: number | null;
  sha256: string;
  prev: string;
  /** Unix ms when written. */
  time: number;
  /** The last checkpoint before a clean shutdown: nothing after `end` was written by this writer. */
  closed?: true;
  alg: Algorithm;
  key_id: string;
}

export type SignedFileCheckpoint = FileCheckpoint & { sig: string };

/** The signed text: fields in a fixed order, optional ones only when set. */
export function fileCheckpointBody(c: FileCheckpoint): string {
  const o: Record<string, unknown> = { v: c.v, seq: c.seq, gen: c.gen };
  if (c.reason !== undefined) o.reason = c.reason;
  Object.assign(o, {
    start: c.start,
    end: c.end,
    records: c.records,
    min_ts: c.min_ts,
    max_ts: c.max_ts,
    sha256: c.sha256,
    prev: c.prev,
    time: c.time,
  });
  if (c.closed) o.closed = true;
  o.alg = c.alg;
  o.key_id = c.key_id;
  return JSON.stringify(o);
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The line to append (with its newline) and the checkpoint's hash. */
export function signFileCheckpoint(c: FileCheckpoint, signer: Signer): { line: string; hash: string } {
  const body = fileCheckpointBody(c);
  const sig = signer.sign(Buffer.from(body));
  return { line: `${body.slice(0, -1)},"sig":${JSON.stringify(sig)}}\n`, hash: sha256Hex(body) };
}

/** Parses one digest line; throws with what is wrong. */
export function parseFileCheckpoint(line: string): SignedFileCheckpoint {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    throw new Error('not JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not a JSON object');
  const c = o as Record<string, unknown>;
  if (c.v !== 1) throw new Error(`unknown version ${JSON.stringify(c.v)}`);
  for (const k of ['seq', 'gen', 'start', 'end', 'records', 'time']) {
    if (!Number.isSafeInteger(c[k]) || (c[k] as number) < 0) throw new Error(`"${k}" must be a non-negative integer`);
  }
  for (const k of ['min_ts', 'max_ts'])
    if (c[k] !== null && !Number.isSafeInteger(c[k])) throw new Error(`"${k}" must be an integer or null`);
  for (const k of ['sha256', 'prev'])
    if (typeof c[k] !== 'string' || !/^[0-9a-f]{64}$/.test(c[k] as string))
      throw new Error(`"${k}" must be 64 hex digits`);
  for (const k of ['alg', 'key_id', 'sig']) if (typeof c[k] !== 'string') throw new Error(`"${k}" must be a string`);
  if ((c.end as number) < (c.start as number)) throw new Error('"end" is before "start"');
  return c as unknown as SignedFileCheckpoint;
}

/** Whether the checkpoint's signature is valid under `key`. */
export function checkSignature(c: SignedFileCheckpoint, key: Verifier): boolean {
  return c.alg === key.algorithm && c.key_id === key.keyId && key.verify(Buffer.from(fileCheckpointBody(c)), c.sig);
}

export function fileCheckpointHash(c: FileCheckpoint): string {
  return sha256Hex(fileCheckpointBody(c));
}
