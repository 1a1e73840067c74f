// In a pipeline worker, the stand-in for a single-writer exporter (sqlite,
// msgpack_audit, file): the worker's cursor builds the batch's payload here
// with an unstarted instance's `prepare`, in parallel with the other workers,
// and the one instance on the main thread writes it, keyed by the worker's log
// position, so its idempotency holds across threads too.
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { LogSpan, PushExporter, ResultCallback } from '../exporterhelper/push-exporter.js';

export interface Forward {
  /** Sends a prepared payload to the main thread's instance; resolves or rejects with its outcome. */
  payload(exporter: string, payload: unknown, span: LogSpan): Promise<void>;
  /** The main thread's instance's applied position for `log`. */
  applied(exporter: string, log: string): Promise<number>;
}

export class ForwardingExporter<P> implements PushExporter<P> {
  constructor(
    private readonly id: string,
    /** Never started: only its `prepare` runs here. */
    private readonly preparer: PushExporter<P>,
    private readonly forward: Forward,
  ) {}

  async start(): Promise<void> {}

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}

  prepare(records: ReadableLogRecord[]): P {
    return this.preparer.prepare(records);
  }

  exportPrepared(payload: P, cb: ResultCallback, span?: LogSpan): void {
    if (!span) {
      cb({ code: ExportResultCode.FAILED, error: new Error('A forwarded batch needs its log span.') });
      return;
    }
    this.forward.payload(this.id, payload, span).then(
      () => cb({ code: ExportResultCode.SUCCESS }),
      (error: Error) => cb({ code: ExportResultCode.FAILED, error }),
    );
  }

  export(_records: ReadableLogRecord[], cb: ResultCallback): void {
    cb({ code: ExportResultCode.FAILED, error: new Error('A forwarding exporter only sends prepared batches.') });
  }

  appliedPosition(log: string): Promise<number> {
    return this.forward.applied(this.id, log);
  }
}
