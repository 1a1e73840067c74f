// One JSON object per record, with the fields of the seed's JSON log
// (seeds/structured-logging.md): timestamp (ISO-8601 UTC), level, component,
// operation, message, session_id, user_id, metadata — plus request_id, event,
// trace/span ids and service where present. Fields without a value are left
// out, as in the seed's example. Every attribute not promoted to a field goes
// into `metadata`; prompt/response content keys are dropped at every depth.
//
// The line is concatenated field by field (JSON.stringify per value) rather
// than built as an object and stringified, which skips one object per record.
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { contentFreeJson, contentFreeReplacer, isContentKey } from '../../src/model/content-keys.js';
import { recordEventName, recordTimeMillis, severityLevel } from '../../src/model/log-record.js';

/** Output field → attributes that fill it, first present wins (the same names the sqlite exporter promotes). */
const PROMOTED: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['component', ['component']],
  ['operation', ['operation']],
  ['session_id', ['session.id', 'session_id']],
  ['user_id', ['user.id', 'user_id', 'enduser.id']],
  ['request_id', ['request.id', 'request_id']],
];

const ZERO_TRACE = '00000000000000000000000000000000';

export class RecordJson {
  /** Attribute keys used for a field in the current record; they stay out of `metadata`. */
  private readonly used: string[] = [];

  /** The record as one line of JSON, newline included. */
  line(r: ReadableLogRecord): string {
    const attrs = r.attributes;
    const used = this.used;
    used.length = 0;
    let ms = recordTimeMillis(r);
    if (ms <= 0) ms = Date.now();
    let s = `{"timestamp":"${new Date(ms).toISOString()}","level":"${severityLevel(r)}"`;
    let component: string | undefined;
    for (let i = 0; i < PROMOTED.length; i++) {
      const [field, keys] = PROMOTED[i]!;
      for (let j = 0; j < keys.length; j++) {
        const v = attrs[keys[j]!];
        if (v === undefined || v === null) continue;
        used.push(keys[j]!);
        if (i === 0) component = String(v);
        s += `,"${field}":${scalar(v)}`;
        break;
      }
      // Without a `component` attribute, the logger (instrumentation scope) names the component.
      if (i === 0 && component === undefined && r.instrumentationScope.name) s += `,"component":${JSON.stringify(r.instrumentationScope.name)}`;
      if (i === 1) s += this.message(r.body);
    }
    const event = recordEventName(r);
    if (event !== undefined) {
      if (r.eventName === undefined || r.eventName === '') used.push('event.name');
      s += `,"event":${JSON.stringify(event)}`;
    }
    const sc = r.spanContext;
    if (sc && sc.traceId && sc.traceId !== ZERO_TRACE) s += `,"trace_id":"${sc.traceId}","span_id":"${sc.spanId}"`;
    const service = r.resource.attributes['service.name'];
    if (typeof service === 'string' && service !== '') s += `,"service":${JSON.stringify(service)}`;
    s += this.metadata(attrs);
    return s + '}\n';
  }

  private message(body: AnyValue | undefined): string {
    if (body === undefined || body === null) return '';
    if (typeof body === 'string') return `,"message":${JSON.stringify(body)}`;
    return `,"body":${contentFreeJson(body)}`;
  }

  private metadata(attrs: LogAttributes): string {
    let m = '';
    for (const k in attrs) {
      const v = attrs[k];
      if (v === undefined || this.used.includes(k) || isContentKey(k)) continue;
      m += `${m === '' ? '' : ','}${JSON.stringify(k)}:${JSON.stringify(v, contentFreeReplacer) ?? 'null'}`;
    }
    return m === '' ? '' : `,"metadata":{${m}}`;
  }
}

function scalar(v: AnyValue): string {
  return typeof v === 'string' ? JSON.stringify(v) : contentFreeJson(v);
}
