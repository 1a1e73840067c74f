// Test records and a promise wrapper for LogRecordExporter.export.
import type { ExportResult } from '@opentelemetry/core';
import type { LogAttributes } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { LogRecordData } from '../../../src/model/log-record.js';

const resource = resourceFromAttributes({ 'service.name': 'audit-test' });
const scope = { name: 'audit-test' };

export function record(
  fields: Partial<Pick<LogRecordData, 'body' | 'eventName' | 'severityNumber' | 'severityText' | 'spanContext'>> & {
    attributes?: LogAttributes;
    timeMs?: number;
    resourceAttributes?: Record<string, string | number | boolean>;
  } = {},
): LogRecordData {
  const r = new LogRecordData(
    fields.resourceAttributes ? resourceFromAttributes(fields.resourceAttributes) : resource,
    scope,
  );
  const t = fields.timeMs ?? 1_705_314_645_123;
  r.hrTime = [Math.floor(t / 1000), (t % 1000) * 1e6];
  r.hrTimeObserved = r.hrTime;
  r.body = fields.body;
  r.eventName = fields.eventName;
  r.severityNumber = fields.severityNumber;
  r.severityText = fields.severityText;
  r.spanContext = fields.spanContext;
  r.attributes = fields.attributes ?? {};
  return r;
}

export function exportRecords(exporter: LogRecordExporter, records: ReadableLogRecord[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(records, resolve));
}
