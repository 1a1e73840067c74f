// ExportLogsServiceRequest in OTLP/JSON → LogRecordData. The proto3 JSON
// mapping with OTLP's deviations: lowerCamelCase keys (the proto's snake_case
// names are accepted too), hex trace/span ids, int64 as decimal string or
// number, enums as integers (names accepted), unknown fields ignored, null
// treated as absent.
import type { HrTime } from '@opentelemetry/api';
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { LogRecordData } from '../model/log-record.js';
import { jsonInt64ToValue, jsonNanosToHrTime } from './int64.js';
import {
  DecodeError,
  MAX_NESTING,
  MAX_RECORD_ATTRIBUTES,
  setAttribute,
  type DecodedLogs,
  type LogScope,
} from './types.js';

export { DecodeError } from './types.js';
export type { DecodedLogs, LogScope } from './types.js';

type Json = Record<string, unknown>;

const ZERO_TIME: HrTime = [0, 0];
const HEX_ID = /^[0-9a-fA-F]*$/;
const ZERO_TRACE_ID = '00000000000000000000000000000000';

const SEVERITY_BY_NAME: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].forEach((level, i) => {
  SEVERITY_BY_NAME[`SEVERITY_NUMBER_${level}`] = i * 4 + 1;
  for (let k = 2; k <= 4; k++) SEVERITY_BY_NAME[`SEVERITY_NUMBER_${level}${k}`] = i * 4 + k;
});

// Where the decoder is, for error messages (set as it walks; read only on error).
let ri = -1;
let si = -1;
let li = -1;

/** Decodes an OTLP/JSON ExportLogsServiceRequest. Throws DecodeError on invalid JSON or shapes. */
export function decodeLogsRequestJson(body: string | Uint8Array): DecodedLogs {
  let text =
    typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`Invalid JSON: ${(err as Error).message}.`);
  }
  if (!isObject(root))
    throw new DecodeError('Invalid OTLP/JSON: the body must be a JSON object (ExportLogsServiceRequest).');
  const out: DecodedLogs = { records: [], rejected: 0 };
  ri = -1;
  si = -1;
  li = -1;
  const resourceLogs = list(field(root, 'resourceLogs', 'resource_logs'), 'resourceLogs');
  for (ri = 0; ri < resourceLogs.length; ri++) {
    si = -1;
    li = -1;
    const rl = message(resourceLogs[ri], 'resourceLogs[]');
    const resource = decodeResource(rl);
    const scopeLogs = list(field(rl, 'scopeLogs', 'scope_logs'), 'scopeLogs');
    for (si = 0; si < scopeLogs.length; si++) {
      li = -1;
      const sl = message(scopeLogs[si], 'scopeLogs[]');
      const scope = decodeScope(sl);
      const logRecords = list(field(sl, 'logRecords', 'log_records'), 'logRecords');
      for (li = 0; li < logRecords.length; li++) {
        const rec = decodeLogRecord(message(logRecords[li], 'logRecords[]'), resource, scope, out);
        if (rec !== undefined) out.records.push(rec);
      }
    }
  }
  return out;
}

function decodeResource(rl: Json): Resource {
  const res = field(rl, 'resource', 'resource');
  const attributes: Record<string, unknown> = {};
  if (res !== undefined) {
    const kvs = list(field(message(res, 'resource'), 'attributes', 'attributes'), 'resource.attributes');
    for (const kv of kvs) keyValueInto(kv, attributes, 0, true, 'resource.attributes');
  }
  const schemaUrl = str(field(rl, 'schemaUrl', 'schema_url'), 'schemaUrl');
  return resourceFromAttributes(
    attributes as Parameters<typeof resourceFromAttributes>[0],
    schemaUrl === '' ? undefined : { schemaUrl },
  );
}

function decodeScope(sl: Json): LogScope {
  const schemaUrl = str(field(sl, 'schemaUrl', 'schema_url'), 'schemaUrl');
  const scope: LogScope = {
    name: '',
    version: undefined,
    schemaUrl: schemaUrl === '' ? undefined : schemaUrl,
    attributes: undefined,
    droppedAttributesCount: undefined,
  };
  const raw = field(sl, 'scope', 'scope');
  if (raw === undefined) return scope;
  const s = message(raw, 'scope');
  scope.name = str(s.name, 'scope.name');
  const version = str(s.version, 'scope.version');
  if (version !== '') scope.version = version;
  const kvs = field(s, 'attributes', 'attributes');
  if (kvs !== undefined) {
    const attrs: Record<string, unknown> = {};
    for (const kv of list(kvs, 'scope.attributes')) keyValueInto(kv, attrs, 0, false, 'scope.attributes');
    scope.attributes = attrs as LogAttributes;
  }
  const dropped = uint32(
    field(s, 'droppedAttributesCount', 'dropped_attributes_count'),
    'scope.droppedAttributesCount',
  );
  if (dropped !== 0) scope.droppedAttributesCount = dropped;
  return scope;
}

function decodeLogRecord(o: Json, resource: Resource, scope: LogScope, out: DecodedLogs): LogRecordData | undefined {
  const rec = new LogRecordData(resource, scope);
  rec.hrTime = time(field(o, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
  rec.hrTimeObserved = time(field(o, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'observedTimeUnixNano');
  const sev = severity(field(o, 'severityNumber', 'severity_number'));
  if (sev !== 0) rec.severityNumber = sev;
  const sevText = str(field(o, 'severityText', 'severity_text'), 'severityText');
  if (sevText !== '') rec.severityText = sevText;
  const body = o.body;
  if (body != null) {
    const v = anyValue(body, 0, 'body');
    if (v !== null) rec.body = v;
  }
  const attrs = o.attributes;
  if (attrs != null) {
    const kvs = list(attrs, 'attributes');
    if (kvs.length > MAX_RECORD_ATTRIBUTES) {
      out.rejected++;
      out.rejectReason ??= `Rejected log records with more than ${MAX_RECORD_ATTRIBUTES} attributes.`;
      return undefined;
    }
    const target: Record<string, unknown> = {};
    for (const kv of kvs) keyValueInto(kv, target, 0, false, 'attributes');
    rec.attributes = target as LogAttributes;
  }
  rec.droppedAttributesCount = uint32(
    field(o, 'droppedAttributesCount', 'dropped_attributes_count'),
    'droppedAttributesCount',
  );
  const eventName = str(field(o, 'eventName', 'event_name'), 'eventName');
  if (eventName !== '') rec.eventName = eventName;

  const traceId = str(field(o, 'traceId', 'trace_id'), 'traceId');
  const spanId = str(field(o, 'spanId', 'span_id'), 'spanId');
  if (traceId !== '' || spanId !== '') {
    let problem: string | undefined;
    if (traceId !== '' && (traceId.length !== 32 || !HEX_ID.test(traceId))) {
      problem = `traceId "${clip(traceId)}" is not 32 hex digits (16 bytes)`;
    } else if (spanId !== '' && (spanId.length !== 16 || !HEX_ID.test(spanId))) {
      problem = `spanId "${clip(spanId)}" is not 16 hex digits (8 bytes)`;
    }
    if (problem !== undefined) {
      out.rejected++;
      out.rejectReason ??= `Rejected log records with an invalid trace context: ${problem}.`;
      return undefined;
    }
    const tid = traceId.toLowerCase();
    // An all-zero trace id is the invalid id, i.e. no trace context.
    if (tid !== '' && tid !== ZERO_TRACE_ID) {
      const flags = uint32(o.flags, 'flags');
      rec.spanContext = { traceId: tid, spanId: spanId.toLowerCase(), traceFlags: flags & 0xff };
    }
  }
  return rec;
}

/** A KeyValue message into `target`. */
function keyValueInto(
  kv: unknown,
  target: Record<string, unknown>,
  depth: number,
  dropEmpty: boolean,
  where: string,
): void {
  const o = message(kv, where + '[]');
  const key = str(o.key, where + '[].key');
  const raw = o.value;
  const value = raw == null ? null : anyValue(raw, depth, `${where}["${clip(key)}"]`);
  if (value === null && dropEmpty) return;
  setAttribute(target, key, value);
}

/** An AnyValue message; an empty one is `null`. */
function anyValue(raw: unknown, depth: number, where: string): AnyValue {
  const o = message(raw, where);
  let v: unknown;
  if ((v = field(o, 'stringValue', 'string_value')) !== undefined) return str(v, where + '.stringValue');
  if ((v = field(o, 'boolValue', 'bool_value')) !== undefined) {
    if (typeof v !== 'boolean') fail(where + '.boolValue', 'a boolean', v);
    return v;
  }
  if ((v = field(o, 'intValue', 'int_value')) !== undefined) {
    const n = typeof v === 'string' || typeof v === 'number' ? jsonInt64ToValue(v) : undefined;
    if (n === undefined) fail(where + '.intValue', 'an int64 (decimal string or integer)', v);
    return n;
  }
  if ((v = field(o, 'doubleValue', 'double_value')) !== undefined) return double(v, where + '.doubleValue');
  if ((v = field(o, 'bytesValue', 'bytes_value')) !== undefined) {
    const s = str(v, where + '.bytesValue');
    return new Uint8Array(Buffer.from(s, 'base64'));
  }
  if ((v = field(o, 'arrayValue', 'array_value')) !== undefined) {
    if (depth >= MAX_NESTING) fail(where, `AnyValue nested at most ${MAX_NESTING} deep`, '...');
    const values = field(message(v, where + '.arrayValue'), 'values', 'values');
    const items = list(values, where + '.arrayValue.values');
    const arr: AnyValue[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      arr[i] = item == null ? null : anyValue(item, depth + 1, `${where}[${i}]`);
    }
    return arr;
  }
  if ((v = field(o, 'kvlistValue', 'kvlist_value')) !== undefined) {
    if (depth >= MAX_NESTING) fail(where, `AnyValue nested at most ${MAX_NESTING} deep`, '...');
    const values = field(message(v, where + '.kvlistValue'), 'values', 'values');
    const map: Record<string, unknown> = {};
    for (const kv of list(values, where + '.kvlistValue.values')) keyValueInto(kv, map, depth + 1, false, where);
    return map as AnyValue;
  }
  return null;
}

// ---- scalar fields --------------------------------------------------------

/** A field by its JSON name, else its proto name; null counts as absent. */
function field(o: Json, camel: string, snake: string): unknown {
  const v = o[camel];
  if (v != null) return v;
  if (camel === snake) return undefined;
  const s = o[snake];
  return s == null ? undefined : s;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function message(v: unknown, where: string): Json {
  if (!isObject(v)) fail(where, 'an object', v);
  return v;
}

function list(v: unknown, where: string): unknown[] {
  if (v == null) return [];
  if (!Array.isArray(v)) fail(where, 'an array', v);
  return v;
}

function str(v: unknown, where: string): string {
  if (v == null) return '';
  if (typeof v !== 'string') fail(where, 'a string', v);
  return v;
}

function time(v: unknown, where: string): HrTime {
  if (v == null) return ZERO_TIME;
  const t = typeof v === 'string' || typeof v === 'number' ? jsonNanosToHrTime(v) : undefined;
  if (t === undefined) fail(where, 'unsigned 64-bit nanoseconds (decimal string or integer)', v);
  return t;
}

function uint32(v: unknown, where: string): number {
  if (v == null) return 0;
  const n = typeof v === 'string' && /^[0-9]{1,10}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff)
    fail(where, 'an unsigned 32-bit integer', v);
  return n;
}

function severity(v: unknown): number {
  if (v == null) return 0;
  if (typeof v === 'string') {
    const named = SEVERITY_BY_NAME[v];
    if (named !== undefined) return named;
    if (/^-?[0-9]{1,10}$/.test(v)) v = Number(v);
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
    fail('severityNumber', 'an integer or a SeverityNumber name', v);
  }
  return v;
}

function double(v: unknown, where: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    if (v.trim() !== '' && Number.isFinite(n)) return n;
  }
  return fail(where, 'a number', v);
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}

function fail(where: string, expected: string, got: unknown): never {
  let at = 'the request';
  if (ri >= 0) {
    at = `resourceLogs[${ri}]`;
    if (si >= 0) at += `.scopeLogs[${si}]`;
    if (li >= 0) at += `.logRecords[${li}]`;
  }
  const shown = typeof got === 'string' ? JSON.stringify(clip(got)) : Array.isArray(got) ? 'an array' : String(got);
  throw new DecodeError(`Invalid OTLP/JSON at ${at}: ${where} must be ${expected}, got ${shown}.`);
}
