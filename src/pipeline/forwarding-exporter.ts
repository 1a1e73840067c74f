// In a pipeline worker, the stand-in for an exporter that must stay the only
// writer of its target (sqlite, msgpack_audit): the worker's cursor builds the
// batch's payload here, in parallel with the other workers, and the one
// instance on the main thread writes it, keyed by the worker's log position,
// so its idempotency holds across threads too.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { LogSpan, PushExporter } from '../exporterhelper/queued-exporter.js';

export interface Forward {
  /** Sends a prepared payload to the main thread's instance; resolves or rejects with its outcome. */
  payload(exporter: string, payload: unknown, span: LogSpan): Promise<void>;
  /** The main thread's instance's applied position for `log`. */
  applied(exporter: string, log: string): Promise<number>;
}

export class ForwardingExporter implements PushExporter {
  constructor(
    private readonly id: string,
    private readonly preparer: { prepare(records: ReadableLogRecord[]): unknown },
    private readonly forward: Forward,
  ) {}

  async start(): Promise<void> {}

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}

  prepare(records: ReadableLogRecord[]): unknown {
    return this.preparer.prepare(records);
  }

  exportPrepared(payload: unknown, cb: (r: ExportResult) => void, span?: LogSpan): void {
    if (!span) { cb({ code: ExportResultCode.FAILED, error: new Error('A forwarded batch needs its log span.') }); return; }
    this.forward.payload(this.id, payload, span).then(
      () => cb({ code: ExportResultCode.SUCCESS }),
      (error: Error) => cb({ code: ExportResultCode.FAILED, error }),
    );
  }

  export(_records: ReadableLogRecord[], cb: (r: ExportResult) => void): void {
    cb({ code: ExportResultCode.FAILED, error: new Error('A forwarding exporter only sends prepared batches.') });
  }

  appliedPosition(log: string): Promise<number> {
    return this.forward.applied(this.id, log);
  }
}
