// What the main thread and pipeline workers say to each other. Only bytes and
// small plain objects cross: request bodies go over transferred, never as
// records, because cloning records costs more than decoding them again.
import type { Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import type { AnyValue, LogAttributes, SeverityNumber } from '@opentelemetry/api-logs';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BackpressureError, isPermanent, PermanentError } from '../component/errors.js';
import type { LogSpan } from '../exporterhelper/push-exporter.js';
import { LogRecordData } from '../model/log-record.js';
import type { Series } from '../telemetry/metrics.js';
import type { BodyFormat } from './ingest.js';

export interface WorkerInit {
  index: number;
  source: { text: string; file?: string };
}

export type ToWorker =
  | { type: 'ingest'; id: number; receiver: string; format: BodyFormat; body: Uint8Array }
  | { type: 'tap'; active: boolean }
  | { type: 'forwarded'; id: number; refused?: Refusal }
  | { type: 'applied'; id: number; position?: number; refused?: Refusal }
  | { type: 'shutdown' };

/** Why a consumer refused, as plain data (rebuilt as a BackpressureError or PermanentError). */
export interface Refusal {
  message: string;
  backpressure?: { retryAfterSeconds: number; status: 429 | 503 };
  permanent?: boolean;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'ingested'; id: number; accepted: number; rejected: number; rejectReason?: string }
  | { type: 'undecodable'; id: number; message: string }
  | ({ type: 'refused'; id: number; records: number; rejected: number } & Refusal)
  | { type: 'forward'; id: number; exporter: string; payload: unknown; span: LogSpan }
  | { type: 'applied?'; id: number; exporter: string; log: string }
  | { type: 'telemetry'; series: Series[] }
  | { type: 'tap'; pipeline: string; records: PlainRecord[] }
  | { type: 'stopped'; series: Series[] };

/** A record as plain data, for the live tap (only sent while someone is subscribed). */
export interface PlainRecord {
  hrTime: HrTime;
  hrTimeObserved: HrTime;
  spanContext?: SpanContext;
  severityText?: string;
  severityNumber?: SeverityNumber;
  body?: AnyValue;
  eventName?: string;
  attributes: LogAttributes;
  droppedAttributesCount: number;
  resource: Attributes;
  scope: InstrumentationScope;
}

export function toPlain(r: ReadableLogRecord): PlainRecord {
  const { name, version, schemaUrl } = r.instrumentationScope;
  return {
    hrTime: r.hrTime,
    hrTimeObserved: r.hrTimeObserved,
    spanContext: r.spanContext,
    severityText: r.severityText,
    severityNumber: r.severityNumber,
    body: r.body,
    eventName: r.eventName,
    attributes: r.attributes,
    droppedAttributesCount: r.droppedAttributesCount,
    resource: r.resource.attributes,
    scope: { name, version, schemaUrl },
  };
}

export function fromPlain(p: PlainRecord): LogRecordData {
  const r = new LogRecordData(resourceFromAttributes(p.resource), p.scope);
  r.hrTime = p.hrTime;
  r.hrTimeObserved = p.hrTimeObserved;
  r.spanContext = p.spanContext;
  r.severityText = p.severityText;
  r.severityNumber = p.severityNumber;
  r.body = p.body;
  r.eventName = p.eventName;
  r.attributes = p.attributes;
  r.droppedAttributesCount = p.droppedAttributesCount;
  return r;
}

export function toRefusal(err: unknown): Refusal {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof BackpressureError)
    return { message, backpressure: { retryAfterSeconds: err.retryAfterSeconds, status: err.status } };
  return isPermanent(err) ? { message, permanent: true } : { message };
}

export function fromRefusal(r: Refusal): Error {
  if (r.backpressure) return new BackpressureError(r.message, r.backpressure.retryAfterSeconds, r.backpressure.status);
  return r.permanent ? new PermanentError(r.message) : new Error(r.message);
}
