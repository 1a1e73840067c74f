// What a record stores: the fields of its hash (request or log entry), its
// stream entry, and the step it adds to an OAuth flow. Field names and order
// are the key schema's (docs/redis-keys.md); queries read them back.
import type { AnyValue } from '@opentelemetry/api-logs';
import type { LogEntry } from './field-mapping.js';
import type { EntryWrite, HashLayout, LogFields } from './plan.js';

/** A request's hash (`req:{timestamp}:{client_ip}`). */
export const REQUEST_HASH: HashLayout = {
  names: [
    'timestamp',
    'client_ip',
    'client_hostname',
    'proxy_hostname',
    'method',
    'path',
    'status_code',
    'response_time_ms',
    'user_id',
    'user_agent',
    'referrer',
    'bytes_sent',
    'error',
    'session_id',
    'trace_id',
    'event',
    'level',
    'message',
    'client_id',
  ],
};

/** A log entry's hash (`log:{timestamp}:{seq}`), for records that are not HTTP requests. */
export const LOG_HASH: HashLayout = {
  names: [
    'timestamp',
    'level',
    'event',
    'message',
    'hostname',
    'component',
    'session_id',
    'user_id',
    'client_ip',
    'client_hostname',
    'client_id',
    'trace_id',
    'method',
    'path',
    'status_code',
    'response_time_ms',
    'error',
    'attributes',
  ],
};

/** The layout of an entry's hash. */
export function hashLayout(e: EntryWrite): HashLayout {
  return e.kind === 'request' ? REQUEST_HASH : LOG_HASH;
}

/** An entry's hash values in its layout's order; null: the field is absent. */
export function hashValues(e: EntryWrite): (string | null)[] {
  return e.kind === 'request' ? requestValues(e.entry) : logValues(e.fields);
}

/** A request's hash values in `REQUEST_HASH` order. */
function requestValues(e: LogEntry): (string | null)[] {
  return [
    e.timestamp,
    e.client_ip,
    e.client_hostname,
    e.proxy_hostname,
    e.method,
    e.path,
    String(e.status_code),
    e.response_time_ms === null ? null : String(e.response_time_ms),
    e.user_id,
    e.user_agent,
    e.referrer,
    e.bytes_sent === null ? null : String(e.bytes_sent),
    e.error,
    e.session_id ?? null,
    e.trace_id ?? null,
    e.event ?? null,
    e.level,
    e.message ?? null,
    e.client_id ?? null,
  ];
}

/** The log entry of a record that is not a request (its stream JSON is this object). */
export function logEntryOf(e: LogEntry, hostname: string | null, rest: Record<string, AnyValue> | null): LogFields {
  const out: LogFields = { timestamp: e.timestamp, level: e.level };
  if (e.event !== undefined) out.event = e.event;
  if (e.message !== undefined) out.message = e.message;
  if (hostname !== null) out.hostname = hostname;
  if (e.component !== undefined) out.component = e.component;
  if (e.session_id !== undefined) out.session_id = e.session_id;
  if (e.user_id !== null) out.user_id = e.user_id;
  if (e.client_ip !== null) out.client_ip = e.client_ip;
  if (e.client_hostname !== null) out.client_hostname = e.client_hostname;
  if (e.client_id !== undefined) out.client_id = e.client_id;
  if (e.trace_id !== undefined) out.trace_id = e.trace_id;
  if (e.method !== null) out.method = e.method;
  if (e.path !== null) out.path = e.path;
  if (e.status_code !== null) out.status_code = e.status_code;
  if (e.response_time_ms !== null) out.response_time_ms = e.response_time_ms;
  if (e.error !== null) out.error = e.error;
  if (rest !== null) out.attributes = rest;
  return out;
}

/** A log entry's hash values in `LOG_HASH` order (objects as JSON). */
function logValues(o: LogFields): (string | null)[] {
  const names = LOG_HASH.names;
  const out = new Array<string | null>(names.length);
  for (let i = 0; i < names.length; i++) {
    const v = o[names[i]!];
    out[i] =
      v === null || v === undefined
        ? null
        : typeof v === 'string'
          ? v
          : typeof v === 'object'
            ? JSON.stringify(v, jsonSafe)
            : String(v);
  }
  return out;
}

/** One step of an OAuth flow (`oauth:flow:{session_id}`): the event type, its time, and what tells steps apart. */
export function flowStep(type: string, ts: string, e: LogEntry, key: string): string {
  return `{"step":${JSON.stringify(type)},"timestamp":${ts},"data":${JSON.stringify(flowData(e, key))}}`;
}

function flowData(e: LogEntry, key: string): Record<string, unknown> {
  const d: Record<string, unknown> = { id: key, level: e.level };
  if (e.client_id !== undefined) d.client_id = e.client_id;
  if (e.user_id !== null) d.user_id = e.user_id;
  if (e.client_ip !== null) d.client_ip = e.client_ip;
  if (e.method !== null) d.method = e.method;
  if (e.path !== null) d.path = e.path;
  if (e.status_code !== null) d.status_code = e.status_code;
  if (e.error !== null) d.error = e.error;
  if (e.message !== undefined) d.message = e.message;
  return d;
}

/** Byte arrays as base64 and bigints as strings, so any attribute value serialises. */
export function jsonSafe(_k: string, v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** 32-bit FNV-1a of a string as 8 hex digits: a short deterministic sequence for `log:{timestamp}:{seq}`. */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
