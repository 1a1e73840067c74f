// The `batch` processor's keys configure batching, but records are no longer
// held here: holding acknowledged records in memory outside the delivery log
// is what let a refused batch be resent to exporters that already had it.
// Each exporter's cursor reads batches of `send_batch_size` (at most
// `send_batch_max_size`) from the pipeline's delivery log, or what is there
// after `timeout` (see src/delivery/log-cursor.ts). In the pipeline this
// processor passes records straight on.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { BatchSettings } from '../../src/delivery/log-cursor.js';
import type { CreateSettings, Host, LogsConsumer, Processor } from '../../src/component/types.js';
import type { BatchConfig } from './config.js';

export class BatchProcessor implements Processor {
  constructor(
    _settings: CreateSettings,
    readonly cfg: BatchConfig,
    private readonly next: LogsConsumer,
  ) {}

  /** How the pipeline's exporters batch what they read from the delivery log. */
  get batchSettings(): BatchSettings {
    return batchSettingsOf(this.cfg);
  }

  async start(_host: Host): Promise<void> {}

  consume(records: ReadableLogRecord[]): Promise<void> {
    return this.next.consume(records);
  }

  async shutdown(): Promise<void> {}
}

export function batchSettingsOf(cfg: BatchConfig): BatchSettings {
  // timeout 0 (the Collector's `timeout: 0s`): a cursor sends what the log holds at once, no wait.
  return { size: cfg.send_batch_size, maxSize: cfg.send_batch_max_size || cfg.send_batch_size, timeoutMs: cfg.timeout };
}
