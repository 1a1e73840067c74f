// Query parameters of the SQLite routes, validated into filters. Values only
// ever reach SQL as bound parameters, never as text.
import {
  decodeCursor,
  parseLevels,
  parseLimit,
  parseTime,
  singleParams,
} from '../../src/extensions/query-api/params.js';
import { HttpError } from '../../src/extensions/query-api/routes.js';

export interface AuditFilter {
  user_id?: string;
  session_id?: string;
  event?: string;
  component?: string;
  levels?: string[];
  /** ISO-8601, inclusive. */
  since?: string;
  /** ISO-8601, exclusive. */
  until?: string;
  limit: number;
  /** Position after which the page starts (newest first). */
  after?: { timestamp: string; id: number };
}

export interface JobFilter {
  limit: number;
  afterId?: number;
}

export const AUDIT_PARAMS = [
  'user_id',
  'session_id',
  'event',
  'level',
  'component',
  'since',
  'until',
  'limit',
  'cursor',
] as const;
export const JOB_PARAMS = ['limit', 'cursor'] as const;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function parseAuditFilter(query: URLSearchParams, now = Date.now()): AuditFilter {
  const p = singleParams(query, AUDIT_PARAMS);
  const f: AuditFilter = { limit: parseLimit(p.get('limit'), 100, 1000) };
  for (const k of ['user_id', 'session_id', 'event', 'component'] as const) {
    const v = p.get(k);
    if (v !== undefined) f[k] = v;
  }
  const level = p.get('level');
  if (level !== undefined) f.levels = parseLevels(level);
  const since = p.get('since');
  if (since !== undefined) f.since = parseTime('since', since, now);
  const until = p.get('until');
  if (until !== undefined) f.until = parseTime('until', until, now);
  const cursor = p.get('cursor');
  if (cursor !== undefined) {
    const c = decodeCursor(cursor);
    if (
      c.length !== 3 ||
      c[0] !== 'a' ||
      typeof c[1] !== 'string' ||
      !ISO_UTC.test(c[1]) ||
      !Number.isSafeInteger(c[2])
    ) {
      throw new HttpError(400, 'parameter "cursor" is not a cursor returned by this endpoint');
    }
    f.after = { timestamp: c[1], id: c[2] as number };
  }
  return f;
}

export function parseJobFilter(query: URLSearchParams): JobFilter {
  const p = singleParams(query, JOB_PARAMS);
  const f: JobFilter = { limit: parseLimit(p.get('limit'), 1000, 10_000) };
  const cursor = p.get('cursor');
  if (cursor !== undefined) {
    const c = decodeCursor(cursor);
    if (c.length !== 2 || c[0] !== 'j' || !Number.isSafeInteger(c[1])) {
      throw new HttpError(400, 'parameter "cursor" is not a cursor returned by this endpoint');
    }
    f.afterId = c[1] as number;
  }
  return f;
}
