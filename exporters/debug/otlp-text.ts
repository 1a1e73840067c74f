// The Collector debug exporter's text renderings of logs (its internal/normal and
// internal/otlptext packages), from ReadableLogRecords: values print as pdata
// prints them (`Str(x)`, `Int(3)`, maps and slices as JSON with sorted keys),
// timestamps as Go's time.Time.String() in UTC.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

type Resource = ReadableLogRecord['resource'];
type Scope = ReadableLogRecord['instrumentationScope'] & { attributes?: Record<string, unknown> };

/** Records grouped by resource, then scope (by identity), in first-seen order: the batch's ResourceLogs/ScopeLogs. */
export function groupRecords(records: readonly ReadableLogRecord[]): Map<Resource, Map<Scope, ReadableLogRecord[]>> {
  const out = new Map<Resource, Map<Scope, ReadableLogRecord[]>>();
  for (const r of records) {
    let byScope = out.get(r.resource);
    if (!byScope) out.set(r.resource, (byScope = new Map()));
    const list = byScope.get(r.instrumentationScope);
    if (list) list.push(r);
    else byScope.set(r.instrumentationScope, [r]);
  }
  return out;
}

const SEVERITY = [
  'Unspecified',
  'Trace',
  'Trace2',
  'Trace3',
  'Trace4',
  'Debug',
  'Debug2',
  'Debug3',
  'Debug4',
  'Info',
  'Info2',
  'Info3',
  'Info4',
  'Warn',
  'Warn2',
  'Warn3',
  'Warn4',
  'Error',
  'Error2',
  'Error3',
  'Error4',
  'Fatal',
  'Fatal2',
  'Fatal3',
  'Fatal4',
];

const isInt = (v: number) => Number.isInteger(v) && Math.abs(v) <= 2 ** 53 && !Object.is(v, -0);

/** pdata's value type name. */
function typeOf(v: unknown): string {
  if (v === undefined || v === null) return 'Empty';
  if (typeof v === 'string') return 'Str';
  if (typeof v === 'boolean') return 'Bool';
  if (typeof v === 'bigint') return 'Int';
  if (typeof v === 'number') return isInt(v) ? 'Int' : 'Double';
  if (v instanceof Uint8Array) return 'Bytes';
  return Array.isArray(v) ? 'Slice' : 'Map';
}

/** pdata's Value.AsString(). */
export function asString(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  return JSON.stringify(toRaw(v));
}

/** What Go's encoding/json writes for pdata's AsRaw(): map keys sorted, bytes as base64. */
function toRaw(v: unknown): unknown {
  if (v instanceof Uint8Array) return asString(v);
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toRaw);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, toRaw(o[k])]),
    );
  }
  return v;
}

const valueToString = (v: unknown) => `${typeOf(v)}(${asString(v)})`;

/** Go's time.Time.String() in UTC: `2024-01-15 10:30:45.123 +0000 UTC` (fraction without trailing zeros). */
export function goTime([s, ns]: readonly [number, number]): string {
  const iso = new Date(s * 1000).toISOString(); // 2024-01-15T10:30:45.000Z
  const frac = ns > 0 ? `.${String(ns).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}

function attrs(m: Record<string, unknown> | undefined): string[] {
  return m ? Object.keys(m).map((k) => `${k}=${asString(m[k])}`) : [];
}

/** `normal`: a line per ResourceLog and ScopeLog, then one per record: its body and attributes. */
export function normalText(records: readonly ReadableLogRecord[]): string {
  let out = '';
  let i = 0;
  for (const [resource, scopes] of groupRecords(records)) {
    const schema = resource.schemaUrl ? ` [${resource.schemaUrl}]` : '';
    out += `ResourceLog #${i++}${schema}${attrs(resource.attributes)
      .map((a) => ` ${a}`)
      .join('')}\n`;
    let j = 0;
    for (const [scope, list] of scopes) {
      let details = `${scope.name}${scope.version ? `@${scope.version}` : ''}`;
      if (scope.schemaUrl) details += `${details ? ' ' : ''}[${scope.schemaUrl}]`;
      out += `ScopeLog #${j++}${details ? ` ${details}` : ''}${attrs(scope.attributes)
        .map((a) => ` ${a}`)
        .join('')}\n`;
      for (const r of list) out += `${asString(r.body)} ${attrs(r.attributes).join(' ')}\n`;
    }
  }
  return out;
}

function attributeBlock(header: string, m: Record<string, unknown> | undefined): string {
  const keys = m ? Object.keys(m) : [];
  if (keys.length === 0) return '';
  return `${header}:\n${keys.map((k) => `     -> ${k}: ${valueToString(m![k])}\n`).join('')}`;
}

function detailedRecord(r: ReadableLogRecord, k: number): string {
  const sev = r.severityNumber ?? 0;
  return (
    `LogRecord #${k}\n` +
    `ObservedTimestamp: ${goTime(r.hrTimeObserved)}\n` +
    `Timestamp: ${goTime(r.hrTime)}\n` +
    `SeverityText: ${r.severityText ?? ''}\n` +
    `SeverityNumber: ${SEVERITY[sev] ?? ''}(${sev})\n` +
    (r.eventName ? `EventName: ${r.eventName}\n` : '') +
    `Body: ${valueToString(r.body)}\n` +
    attributeBlock('Attributes', r.attributes) +
    `Trace ID: ${r.spanContext?.traceId ?? ''}\n` +
    `Span ID: ${r.spanContext?.spanId ?? ''}\n` +
    `Flags: ${r.spanContext?.traceFlags ?? 0}\n`
  );
}

/** `detailed`: every ResourceLog, ScopeLogs and LogRecord field, as the Collector's otlptext prints them. */
export function detailedText(records: readonly ReadableLogRecord[]): string {
  let out = '';
  let i = 0;
  for (const [resource, scopes] of groupRecords(records)) {
    out += `ResourceLog #${i++}\nResource SchemaURL: ${resource.schemaUrl ?? ''}\n`;
    out += attributeBlock('Resource attributes', resource.attributes);
    let j = 0;
    for (const [scope, list] of scopes) {
      out += `ScopeLogs #${j++}\nScopeLogs SchemaURL: ${scope.schemaUrl ?? ''}\n`;
      out += `InstrumentationScope ${scope.name} ${scope.version ?? ''}\n`;
      out += attributeBlock('InstrumentationScope attributes', scope.attributes);
      list.forEach((r, k) => {
        out += detailedRecord(r, k);
      });
    }
  }
  return out;
}
