// The JSON shape of a live record on the stream. It mirrors the columns of
// the audit table (so `auditline logs follow --json` and `logs audit --json`
// look alike) and carries the remaining attributes under `attributes`, with
// prompt/response content keys removed even if redaction was not configured.
import type { AnyValue } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { contentFreeJson, isContentKey } from '../../model/content-keys.js';
import { recordEventName, recordTimeMillis, severityLevel } from '../../model/log-record.js';

export interface RecordView {
  timestamp: string;
  level: string;
  event: string | null;
  component: string | null;
  operation: string | null;
  message: string | null;
  session_id: string | null;
  user_id: string | null;
  trace_id: string | null;
  span_id: string | null;
  attributes: Record<string, AnyValue>;
}

/** Attribute names read into the view's own fields (first present wins). */
const FIELDS: ReadonlyArray<readonly [keyof RecordView, readonly string[]]> = [
  ['component', ['component']],
  ['operation', ['operation']],
  ['session_id', ['session.id', 'session_id']],
  ['user_id', ['user.id', 'user_id', 'enduser.id']],
];
const CONSUMED = new Set(['event.name', ...FIELDS.flatMap(([, keys]) => keys)]);

export function recordView(r: ReadableLogRecord): RecordView {
  const a = r.attributes;
  const body = r.body;
  const sc = r.spanContext;
  const traced = sc !== undefined && /[1-9a-f]/.test(sc.traceId);
  const v: RecordView = {
    timestamp: new Date(recordTimeMillis(r) || Date.now()).toISOString(),
    level: severityLevel(r),
    event: recordEventName(r) ?? null,
    component: null,
    operation: null,
    message: body === undefined || body === null ? null : typeof body === 'string' ? body : contentFreeJson(body),
    session_id: null,
    user_id: null,
    trace_id: traced ? sc.traceId : null,
    span_id: traced ? sc.spanId : null,
    attributes: {},
  };
  for (const [field, keys] of FIELDS) {
    for (const k of keys) {
      const x = a[k];
      if (x !== undefined && x !== null) {
        (v as unknown as Record<string, unknown>)[field] = String(x);
        break;
      }
    }
  }
  if (v.component === null && r.instrumentationScope.name) v.component = r.instrumentationScope.name;
  for (const k in a) {
    if (CONSUMED.has(k) || isContentKey(k) || a[k] === undefined) continue;
    v.attributes[k] = a[k]!;
  }
  return v;
}
