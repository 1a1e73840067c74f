// Turns a call's fields (anything a caller may pass) into OTel log attributes,
// copied at call time, so a caller changing its object afterwards cannot alter
// the record. Nothing here throws: a field that cannot be read becomes a
// placeholder and the problem is reported.
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';

/** Nested maps and lists deeper than this are cut off (`"[too deep]"`). */
const MAX_DEPTH = 8;

/** Conventional field names (docs/log-formats.md) written under the names every Auditline exporter reads (msgpack_audit takes the session from `session.id`). */
const ALIASES: Readonly<Record<string, string>> = {
  session_id: 'session.id',
  user_id: 'user.id',
  request_id: 'request.id',
};

/** For logRequest/logResponse: the request fields (docs/redis-keys.md) under OpenTelemetry semantic-convention names. */
export const REQUEST_ALIASES: Readonly<Record<string, string>> = {
  ...ALIASES,
  client_ip: 'client.address',
  proxy_hostname: 'server.address',
  method: 'http.request.method',
  path: 'url.path',
  status_code: 'http.response.status_code',
  response_time_ms: 'duration_ms',
  user_agent: 'user_agent.original',
  bytes_sent: 'http.response.body.size',
};

/** The error attributes: OpenTelemetry's exception conventions, which the sqlite exporter promotes to error_type/error_message/error_stack and the redis exporter reads as `error`. */
export const ERROR_TYPE = 'exception.type';
export const ERROR_MESSAGE = 'exception.message';
export const ERROR_STACK = 'exception.stacktrace';

/** Writes type, message and stack of a thrown value (an Error or anything else). */
export function errorAttributes(err: unknown, into: LogAttributes, report: (e: unknown) => void): void {
  try {
    if (err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err && 'name' in err)) {
      const e = err as Error & { code?: unknown };
      const type =
        typeof e.name === 'string' && e.name !== '' && e.name !== 'Error' ? e.name : e.constructor?.name || 'Error';
      into[ERROR_TYPE] = type;
      into[ERROR_MESSAGE] = String(e.message ?? '');
      if (typeof e.stack === 'string' && e.stack !== '') into[ERROR_STACK] = e.stack;
      if (typeof e.code === 'string' || typeof e.code === 'number') into['error.code'] = e.code;
      return;
    }
    into[ERROR_TYPE] = err === null ? 'null' : typeof err;
    into[ERROR_MESSAGE] = typeof err === 'string' ? err : safeString(err);
  } catch (e) {
    report(e);
    into[ERROR_TYPE] = 'unknown';
    into[ERROR_MESSAGE] = '[unreadable error]';
  }
}

/**
 * Copies `fields` into `into`, leaving out `skip` keys and undefined values. `error` becomes the
 * exception attributes, known field names take their aliases, values become OTel AnyValues.
 */
export function copyFields(
  fields: object,
  into: LogAttributes,
  skip: ReadonlySet<string>,
  aliases: Readonly<Record<string, string>>,
  report: (e: unknown) => void,
): void {
  let keys: string[];
  try {
    keys = Object.keys(fields);
  } catch (e) {
    report(e);
    return;
  }
  for (const k of keys) {
    if (skip.has(k)) continue;
    let v: unknown;
    try {
      v = (fields as Record<string, unknown>)[k];
    } catch (e) {
      report(e);
      into[aliases[k] ?? k] = '[unreadable]';
      continue;
    }
    if (v === undefined) continue;
    if (k === 'error') {
      if (v !== null) errorAttributes(v, into, report);
      continue;
    }
    into[aliases[k] ?? k] = toAnyValue(v, 0, undefined, report);
  }
}

/** Any JavaScript value as an OTel AnyValue: dates as ISO text, errors as {type, message}, cycles and depth cut off. */
export function toAnyValue(
  v: unknown,
  depth: number,
  seen: Set<object> | undefined,
  report: (e: unknown) => void,
): AnyValue {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return v;
    case 'bigint':
      return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    case 'undefined':
      return null;
    case 'symbol':
      return v.toString();
    case 'function':
      return `[function ${v.name || 'anonymous'}]`;
  }
  if (v === null) return null;
  try {
    if (v instanceof Uint8Array) return v;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (v instanceof Error) return { type: v.name || 'Error', message: String(v.message) };
    if (depth >= MAX_DEPTH) return '[too deep]';
    const s = seen ?? new Set<object>();
    if (s.has(v as object)) return '[circular]';
    s.add(v as object);
    try {
      if (Array.isArray(v)) return v.map((x) => toAnyValue(x, depth + 1, s, report));
      if (v instanceof Map) {
        const out: Record<string, AnyValue> = {};
        for (const [mk, mv] of v) out[String(mk)] = toAnyValue(mv, depth + 1, s, report);
        return out;
      }
      if (v instanceof Set) return [...v].map((x) => toAnyValue(x, depth + 1, s, report));
      const out: Record<string, AnyValue> = {};
      for (const k of Object.keys(v as object)) {
        let x: unknown;
        try {
          x = (v as Record<string, unknown>)[k];
        } catch (e) {
          report(e);
          out[k] = '[unreadable]';
          continue;
        }
        if (x === undefined) continue;
        out[k] = toAnyValue(x, depth + 1, s, report);
      }
      return out;
    } finally {
      s.delete(v as object);
    }
  } catch (e) {
    report(e);
    return '[unreadable]';
  }
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    try {
      return JSON.stringify(v) ?? '[unreadable]';
    } catch {
      return '[unreadable]';
    }
  }
}
