// In a pipeline worker, the stand-in for an exporter that must stay the only
// writer of its target (sqlite): it builds the batch's payload here, in
// parallel with the other workers, and hands it to the exporter's instance on
// the main thread, whose sending queue and retries take it from there.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Exporter } from '../component/types.js';
import { errorMessage } from '../component/errors.js';

export type Forward = (exporter: string, count: number, payload: unknown, error?: string) => Promise<void>;

export class ForwardingExporter implements Exporter {
  constructor(
    private readonly id: string,
    private readonly preparer: { prepare(records: ReadableLogRecord[]): unknown },
    private readonly forward: Forward,
  ) {}

  async start(): Promise<void> {}

  async shutdown(): Promise<void> {}

  consume(records: ReadableLogRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    let payload: unknown;
    try {
      payload = this.preparer.prepare(records);
    } catch (err) {
      // The main thread's instance drops and counts the batch, as for its own prepare failures.
      return this.forward(this.id, records.length, undefined, errorMessage(err));
    }
    return this.forward(this.id, records.length, payload);
  }
}
