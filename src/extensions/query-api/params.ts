// Query-string helpers shared by every route on the query API: each problem
// becomes a 400 whose message names the parameter.
import { LEVELS } from '../../model/log-record.js';
import { HttpError } from './routes.js';

const MAX_VALUE_LENGTH = 512;

/** Parameters given once each, from a known set; returns name → value. */
export function singleParams(query: URLSearchParams, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of query) {
    if (!allowed.includes(k))
      throw new HttpError(400, `unknown parameter "${k}" (expected one of: ${allowed.join(', ')})`);
    if (out.has(k)) throw new HttpError(400, `parameter "${k}" is given more than once`);
    if (v === '') throw new HttpError(400, `parameter "${k}" must not be empty`);
    if (v.length > MAX_VALUE_LENGTH)
      throw new HttpError(400, `parameter "${k}" is longer than ${MAX_VALUE_LENGTH} characters`);
    out.set(k, v);
  }
  return out;
}

export function parseLimit(v: string | undefined, def: number, max: number): number {
  if (v === undefined) return def;
  const n = /^\d{1,7}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= max)) throw new HttpError(400, `parameter "limit" must be an integer from 1 to ${max}`);
  return n;
}

const LEVEL_ALIASES: Record<string, string> = { WARN: 'WARNING', FATAL: 'CRITICAL' };

/** `ERROR,CRITICAL` → exact levels (case-insensitive; WARN and FATAL accepted). */
export function parseLevels(v: string): string[] {
  const out: string[] = [];
  for (const part of v.split(',')) {
    const u = part.trim().toUpperCase();
    const level = LEVEL_ALIASES[u] ?? u;
    if (!LEVELS.includes(level))
      throw new HttpError(400, `parameter "level" must be a comma-separated list of ${LEVELS.join(', ')}`);
    if (!out.includes(level)) out.push(level);
  }
  return out;
}

const RELATIVE_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** An ISO-8601 time, or a duration before now such as `30m`, `1h`, `7d`; returned as ISO-8601 UTC. */
export function parseTime(name: string, v: string, now: number): string {
  const rel = /^(\d{1,6})([smhdw])$/.exec(v);
  let ms: number;
  if (rel) ms = now - Number(rel[1]) * RELATIVE_UNITS[rel[2]!]!;
  else ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? Date.parse(v.replace(' ', 'T')) : NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > 253_402_300_799_999) {
    throw new HttpError(
      400,
      `parameter "${name}" must be an ISO-8601 time or a duration before now such as 30m, 1h or 7d`,
    );
  }
  return new Date(ms).toISOString();
}

/** Opaque page position: base64url of a small JSON array tagged by route. */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(v: string): unknown[] {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(v)) throw new Error('not base64url');
    const parsed: unknown = JSON.parse(Buffer.from(v, 'base64url').toString('utf8'));
    if (Array.isArray(parsed)) return parsed;
  } catch {
    /* falls through to the 400 */
  }
  throw new HttpError(400, 'parameter "cursor" is not a cursor returned by this endpoint');
}
