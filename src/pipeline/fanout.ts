// Consumers that copy one stream of records to several destinations.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { LogsConsumer } from '../component/types.js';
import { LogRecordData } from '../model/log-record.js';
import type { RecordTap } from './tap.js';

/**
 * The end of a pipeline: publishes to the live tap, then hands the same
 * (now read-only) records to every exporter. It resolves once every exporter
 * has taken them; if one refuses, the sender retries the whole request
 * (at-least-once, as in the Collector).
 */
export class ExporterFanout implements LogsConsumer {
  constructor(
    private readonly pipeline: string,
    private readonly exporters: LogsConsumer[],
    private readonly tap: RecordTap,
  ) {}

  consume(records: ReadableLogRecord[]): Promise<void> {
    if (this.tap.active) this.tap.publish(records, this.pipeline);
    if (this.exporters.length === 1) return this.exporters[0]!.consume(records);
    return Promise.all(this.exporters.map((e) => e.consume(records))).then(() => undefined);
  }
}

/**
 * One receiver feeding several pipelines. Processors may rewrite records, so
 * every pipeline but the last gets its own copy.
 */
export class PipelineFanout implements LogsConsumer {
  constructor(private readonly pipelines: LogsConsumer[]) {}

  consume(records: ReadableLogRecord[]): Promise<void> {
    const n = this.pipelines.length;
    const work: Promise<void>[] = [];
    for (let i = 0; i < n; i++) work.push(this.pipelines[i]!.consume(i === n - 1 ? records : records.map(cloneRecord)));
    return Promise.all(work).then(() => undefined);
  }
}

export function cloneRecord(r: ReadableLogRecord): LogRecordData {
  const c = new LogRecordData(r.resource, r.instrumentationScope);
  c.hrTime = r.hrTime;
  c.hrTimeObserved = r.hrTimeObserved;
  c.spanContext = r.spanContext;
  c.severityText = r.severityText;
  c.severityNumber = r.severityNumber;
  c.body = r.body === undefined ? undefined : structuredClone(r.body);
  c.eventName = r.eventName;
  c.attributes = structuredClone(r.attributes);
  c.droppedAttributesCount = r.droppedAttributesCount;
  return c;
}
