// The one shape every exporter has in a collector pipeline. `prepare` turns a
// batch into the exporter's own payload where the records are (for a single
// writer with pipeline workers: on the worker's thread), and `exportPrepared`
// sends that payload, again with the same payload on retry. An exporter that
// sends records as they are prepares nothing: its payload is the batch.
// Every exporter is also an SDK LogRecordExporter, so the same class runs
// in-process under the SDK's BatchLogRecordProcessor.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Host } from '../component/types.js';

export type ResultCallback = (result: ExportResult) => void;

/**
 * A batch's place in a pipeline's delivery log: records [first, end) of log `log`.
 * `log` names the log (pipeline, and pipeline worker when there are workers) and is stable across restarts.
 */
export interface LogSpan {
  log: string;
  first: number;
  end: number;
}

export interface PushExporter<P = unknown> extends LogRecordExporter {
  /** Opens files and connections, registers routes; returns quickly. */
  start?(host: Host): Promise<void>;
  /** Upper bound on concurrent exports, e.g. 1 for a single append-only file. */
  readonly maxConcurrency?: number;
  /**
   * Converts a batch into what `exportPrepared` sends, synchronously; a throw drops the batch for good.
   * A payload smaller than the records keeps a queued batch's heap small. A single writer's payload
   * crosses threads, so it must survive a structured clone.
   */
  prepare(records: ReadableLogRecord[]): P;
  /**
   * Sends a payload from `prepare`; called again with the same payload on retry. In a collector
   * pipeline `span` says where the batch sits in its delivery log: an idempotent sink stores
   * `span.end` atomically with the data and treats a span it has already applied as done.
   */
  exportPrepared(payload: P, resultCallback: ResultCallback, span?: LogSpan): void;
  /**
   * An idempotent sink's own record of how far it got: the `end` of the last span from `log` it has
   * durably applied (0 when none). The collector resumes the exporter's cursor from the larger of
   * this and its own committed position, so a replay after a crash never writes a record twice.
   */
  appliedPosition?(log: string): Promise<number>;
  /** SIGHUP: close and reopen output files (logrotate). */
  reopen?(): Promise<void>;
}

/** The SDK's `export()` for a PushExporter: prepares the batch, then sends it; a prepare failure fails the export. */
export function exportByPreparing<P>(
  exporter: PushExporter<P>,
  records: ReadableLogRecord[],
  resultCallback: ResultCallback,
): void {
  let payload: P;
  try {
    payload = exporter.prepare(records);
  } catch (err) {
    resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    return;
  }
  exporter.exportPrepared(payload, resultCallback);
}
