// From an OTel log record to the seed's log entry (timestamp, client_ip,
// client_hostname, proxy_hostname, method, path, status_code,
// response_time_ms, user_id, user_agent, referrer, bytes_sent, error, plus
// session_id, trace_id, event, level, message, client_id when present).
// Each field is looked up in a list of attribute names, first present wins;
// the defaults follow the OpenTelemetry semantic conventions and `mapping`
// in the config replaces the list for a field.
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { severityLevel } from '../../src/model/log-record.js';
import { DEFAULT_MAPPING, ENTRY_FIELDS, type EntryField } from '../../src/model/request-fields.js';

export { DEFAULT_MAPPING, ENTRY_FIELDS, type EntryField } from '../../src/model/request-fields.js';

/** The seed's log entry plus the optional fields; absent values are null. */
export interface LogEntry {
  timestamp: string;
  client_ip: string | null;
  client_hostname: string | null;
  proxy_hostname: string | null;
  method: string | null;
  path: string | null;
  status_code: number | null;
  response_time_ms: number | null;
  user_id: string | null;
  user_agent: string | null;
  referrer: string | null;
  bytes_sent: number | null;
  error: string | null;
  session_id?: string;
  trace_id?: string;
  event?: string;
  level: string;
  message?: string;
  client_id?: string;
  component?: string;
}

/** What the writer needs besides the entry: the record's time and derived keys. */
export interface Mapped {
  entry: LogEntry;
  /** Unix seconds and microseconds of the record's time. */
  sec: number;
  micros: number;
  /** True when the record has an HTTP method and status code. */
  isRequest: boolean;
  /** `http.route`, else the path with id-like segments replaced by `:id`. */
  route: string | null;
  /** For logs: proxy hostname, else host.name, else service.name. */
  hostname: string | null;
  /** Attributes no field took (kept as JSON on log entries). */
  rest: Record<string, AnyValue> | null;
}

type Lookup = readonly string[];

/** Compiled once per exporter: field → attribute names, and the set of names any field consumes. */
export class FieldMapper {
  private readonly l: Record<EntryField, Lookup>;
  private readonly consumed: Set<string>;
  /** Lookups whose names are in seconds (OTel `*.duration` metrics convention). */
  private readonly secondsNames: Set<string>;

  constructor(overrides: Record<string, readonly string[]> = {}) {
    this.l = { ...DEFAULT_MAPPING };
    for (const [k, v] of Object.entries(overrides)) {
      if ((ENTRY_FIELDS as readonly string[]).includes(k)) this.l[k as EntryField] = v;
    }
    this.consumed = new Set(Object.values(this.l).flat());
    this.consumed.add('event.name');
    this.secondsNames = new Set(this.l.response_time_ms.filter((n) => n.endsWith('.duration')));
  }

  /** Maps one record; `rest` is filled only for records that are not HTTP requests. */
  map(r: ReadableLogRecord): Mapped {
    const a = r.attributes;
    const l = this.l;
    const t = r.hrTime[0] === 0 && r.hrTime[1] === 0 ? r.hrTimeObserved : r.hrTime;
    const sec = t[0];
    const micros = Math.floor(t[1] / 1000);
    const method = upper(text(a, l.method));
    const status = intOf(first(a, l.status_code));
    const rawPath = text(a, l.path);
    const path = rawPath === null ? null : stripQuery(rawPath);
    const rtName = firstName(a, l.response_time_ms);
    let rt: number | null = null;
    if (rtName !== undefined) {
      const n = numOf(a[rtName]);
      if (n !== null) rt = round3(this.secondsNames.has(rtName) ? n * 1000 : n);
    }
    const entry: LogEntry = {
      timestamp: isoOf(sec, micros),
      client_ip: text(a, l.client_ip),
      client_hostname: text(a, l.client_hostname),
      proxy_hostname: hostOnly(text(a, l.proxy_hostname)),
      method,
      path,
      status_code: status,
      response_time_ms: rt,
      user_id: text(a, l.user_id),
      user_agent: text(a, l.user_agent),
      referrer: text(a, l.referrer),
      bytes_sent: intOf(first(a, l.bytes_sent)),
      error: text(a, l.error),
      level: severityLevel(r),
    };
    const session = text(a, l.session_id);
    if (session !== null) entry.session_id = session;
    const trace = r.spanContext?.traceId ?? text(a, l.trace_id);
    if (trace) entry.trace_id = trace;
    const event = r.eventName || text(a, l.event);
    if (event) entry.event = event;
    const message = messageOf(r.body);
    if (message !== null) entry.message = message;
    const client = text(a, l.client_id);
    if (client !== null) entry.client_id = client;
    const isRequest = method !== null && status !== null;
    if (!isRequest) {
      const component = text(a, l.component) ?? (r.instrumentationScope.name || null);
      if (component) entry.component = component;
    }
    const routeAttr = text(a, l.route);
    const route = isRequest ? (routeAttr ?? (path === null ? null : normalizePath(path))) : null;
    let hostname = entry.proxy_hostname;
    if (!isRequest && hostname === null) {
      const res = r.resource.attributes;
      hostname = str(a['host.name']) ?? str(res['host.name']) ?? str(res['service.name']);
    }
    let rest: Record<string, AnyValue> | null = null;
    if (!isRequest) {
      for (const k in a) {
        if (this.consumed.has(k) || a[k] === undefined) continue;
        (rest ??= {})[k] = a[k]!;
      }
    }
    return { entry, sec, micros, isRequest, route, hostname, rest };
  }
}

function firstName(a: LogAttributes, names: Lookup): string | undefined {
  for (let i = 0; i < names.length; i++) {
    const v = a[names[i]!];
    if (v !== undefined && v !== null && v !== '') return names[i];
  }
  return undefined;
}

function first(a: LogAttributes, names: Lookup): AnyValue | undefined {
  for (let i = 0; i < names.length; i++) {
    const v = a[names[i]!];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** A string for the first present attribute; arrays (header values) give their first element. */
function text(a: LogAttributes, names: Lookup): string | null {
  const v = first(a, names);
  if (v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length > 0 && v[0] !== null && v[0] !== undefined ? String(v[0]) : null;
  return JSON.stringify(v);
}

function str(v: AnyValue | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function upper(s: string | null): string | null {
  return s === null ? null : s.toUpperCase();
}

function intOf(v: AnyValue | undefined): number | null {
  const n = numOf(v);
  return n === null ? null : Math.trunc(n);
}

function numOf(v: AnyValue | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function stripQuery(p: string): string {
  const q = p.indexOf('?');
  return q >= 0 ? p.slice(0, q) : p;
}

/** `api.example.com:8443` → `api.example.com` (IPv6 literals in brackets are kept whole). */
function hostOnly(h: string | null): string | null {
  if (h === null) return null;
  const m = /^([^:[\]]+):\d+$/.exec(h);
  return m ? m[1]! : h;
}

function messageOf(body: AnyValue | undefined): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body === '' ? null : body;
  if (typeof body === 'number' || typeof body === 'boolean') return String(body);
  if (body instanceof Uint8Array) return Buffer.from(body).toString('base64');
  return JSON.stringify(body);
}

const ID_SEGMENT =
  /^(?:\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{16,})$/;

/** `/users/123/orders/9f1c…` → `/users/:id/orders/:id`, so one path index serves every id (the seed's normalize_path). */
export function normalizePath(path: string): string {
  if (!/\d/.test(path)) return path;
  const segs = path.split('/');
  for (let i = 0; i < segs.length; i++) if (ID_SEGMENT.test(segs[i]!)) segs[i] = ':id';
  return segs.join('/');
}

const isoCache = { sec: -1, prefix: '' };

/** ISO-8601 UTC with milliseconds, as the seed's entries; the date part is cached per second. */
export function isoOf(sec: number, micros: number): string {
  if (sec !== isoCache.sec) {
    isoCache.sec = sec;
    isoCache.prefix = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  const ms = Math.floor(micros / 1000);
  return `${isoCache.prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}
