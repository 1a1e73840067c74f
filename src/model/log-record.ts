// The record type that flows through every pipeline. It satisfies the SDK's
// ReadableLogRecord, so any SDK LogRecordExporter accepts it unchanged, and it
// is a plain class (not the SDK's LogRecordImpl) so processors in the collector
// may replace `attributes` and `body` before records are handed to exporters.
import type { HrTime, SpanContext } from '@opentelemetry/api';
import type { AnyValue, LogAttributes, SeverityNumber } from '@opentelemetry/api-logs';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

export class LogRecordData implements ReadableLogRecord {
  hrTime: HrTime;
  hrTimeObserved: HrTime;
  spanContext?: SpanContext;
  severityText?: string;
  severityNumber?: SeverityNumber;
  body?: AnyValue;
  eventName?: string;
  resource: Resource;
  instrumentationScope: InstrumentationScope;
  attributes: LogAttributes;
  droppedAttributesCount: number;

  constructor(resource: Resource, scope: InstrumentationScope) {
    this.hrTime = ZERO_TIME;
    this.hrTimeObserved = ZERO_TIME;
    this.spanContext = undefined;
    this.severityText = undefined;
    this.severityNumber = undefined;
    this.body = undefined;
    this.eventName = undefined;
    this.resource = resource;
    this.instrumentationScope = scope;
    this.attributes = {};
    this.droppedAttributesCount = 0;
  }
}

const ZERO_TIME: HrTime = [0, 0];

/** Unix milliseconds of a record: its event time, else its observed time. */
export function recordTimeMillis(r: ReadableLogRecord): number {
  const t = r.hrTime[0] === 0 && r.hrTime[1] === 0 ? r.hrTimeObserved : r.hrTime;
  return t[0] * 1000 + Math.floor(t[1] / 1e6);
}

/** The record's event name: the field, else attribute `event.name`. */
export function recordEventName(r: ReadableLogRecord): string | undefined {
  if (r.eventName) return r.eventName;
  const a = r.attributes['event.name'];
  return typeof a === 'string' && a !== '' ? a : undefined;
}

/** Level names (TRACE..CRITICAL, docs/log-formats.md) from an OTel severity number. */
export function severityLevel(r: ReadableLogRecord): string {
  const n = r.severityNumber ?? 0;
  if (n === 0) return levelFromText(r.severityText) ?? 'INFO';
  if (n <= 4) return 'TRACE';
  if (n <= 8) return 'DEBUG';
  if (n <= 12) return 'INFO';
  if (n <= 16) return 'WARNING';
  if (n <= 20) return 'ERROR';
  return 'CRITICAL';
}

function levelFromText(t: string | undefined): string | undefined {
  if (!t) return undefined;
  const u = t.toUpperCase();
  if (u === 'WARN') return 'WARNING';
  if (u === 'FATAL') return 'CRITICAL';
  return LEVELS.includes(u) ? u : undefined;
}

export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

/** Severity number at the start of each level, for filtering. */
export const LEVEL_SEVERITY: Record<string, number> = {
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  WARNING: 13,
  ERROR: 17,
  CRITICAL: 21,
};
