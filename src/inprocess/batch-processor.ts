// The in-process batch processor: the SDK's BatchLogRecordProcessor keeps at
// most 2,048 records and drops the rest of a burst without a word (and drops a
// batch whose export failed). This one keeps up to `maxQueueSize` records
// (100,000 by default), retries a failed batch until it is stored, and reports
// every drop through `onError` with its count, so nothing is lost silently.
//
// onEmit is synchronous, so a full queue cannot block the caller: at the bound
// a record is dropped, counted, and the burst reported (once when it starts,
// once with its total when it ends). Batches go to the exporter one at a time,
// in emit order; a retry resends the same batch and never overlaps an attempt
// still running. forceFlush() and shutdown() wait at most `flushTimeoutMillis`;
// at shutdown whatever is still unexported then is dropped and reported.
import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord, SdkLogRecord } from '@opentelemetry/sdk-logs';

export interface AuditlineBatchProcessorOptions {
  exporter: LogRecordExporter;
  /** Records held at most (queued and being exported). Default 100,000. `Infinity`: never drop, memory unbounded. */
  maxQueueSize?: number;
  /** Records per export call. Default 1,024. */
  maxExportBatchSize?: number;
  /** How long a partial batch waits for more records. Default 1,000 ms. */
  scheduledDelayMillis?: number;
  /** One export attempt's limit; after it the attempt counts as failed, but a retry still waits for its callback. Default 30,000 ms. */
  exportTimeoutMillis?: number;
  /** How long forceFlush() and shutdown() wait for the queue to drain. Default 30,000 ms. */
  flushTimeoutMillis?: number;
  /** First wait before a failed batch is sent again; doubles up to `maxRetryDelayMillis`. Default 100 ms. */
  retryDelayMillis?: number;
  /** Default 5,000 ms. */
  maxRetryDelayMillis?: number;
  /** Receives every drop and export failure, as one error per burst. Default: a line on stderr. */
  onError?: (error: Error) => void;
}

export interface AuditlineBatchProcessorStats {
  /** Records waiting or being exported. */
  queued: number;
  /** Records the exporter confirmed. */
  exported: number;
  /** Records dropped: queue full, refused for good by the exporter, emitted after shutdown, or unexported at the shutdown deadline. */
  dropped: number;
  /** Export attempts that failed (each retried unless permanent). */
  failedExports: number;
}

interface Waiter {
  target: number;
  resolve: () => void;
}

const defaultOnError = (e: Error): void => {
  process.stderr.write(`auditline: ${e.message}\n`);
};

export class AuditlineBatchProcessor implements LogRecordProcessor {
  private readonly exporter: LogRecordExporter;
  private readonly maxQueueSize: number;
  private readonly batchSize: number;
  private readonly delayMillis: number;
  private readonly exportTimeoutMillis: number;
  private readonly flushTimeoutMillis: number;
  private readonly retryDelayMillis: number;
  private readonly maxRetryDelayMillis: number;
  private readonly onError: (error: Error) => void;

  // Records [head, queue.length) wait; `batch` is out with the exporter (or waiting to be retried).
  private queue: ReadableLogRecord[] = [];
  private head = 0;
  private batch: ReadableLogRecord[] | undefined;
  private accepted = 0;
  /** Records exported or dropped after being accepted, in emit order. */
  private settled = 0;
  private exported = 0;
  private dropped = 0;
  private failedExports = 0;
  private failureStreak = 0;
  private overflow = 0;
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: AuditlineBatchProcessorOptions) {
    this.exporter = options.exporter;
    this.maxQueueSize = positive(options.maxQueueSize, 100_000, 'maxQueueSize');
    this.batchSize = Math.min(positive(options.maxExportBatchSize, 1024, 'maxExportBatchSize'), this.maxQueueSize);
    this.delayMillis = nonNegative(options.scheduledDelayMillis, 1000, 'scheduledDelayMillis');
    this.exportTimeoutMillis = positive(options.exportTimeoutMillis, 30_000, 'exportTimeoutMillis');
    this.flushTimeoutMillis = nonNegative(options.flushTimeoutMillis, 30_000, 'flushTimeoutMillis');
    this.retryDelayMillis = positive(options.retryDelayMillis, 100, 'retryDelayMillis');
    this.maxRetryDelayMillis = Math.max(
      positive(options.maxRetryDelayMillis, 5000, 'maxRetryDelayMillis'),
      this.retryDelayMillis,
    );
    this.onError = options.onError ?? defaultOnError;
  }

  onEmit(record: SdkLogRecord): void {
    if (this.shuttingDown) {
      this.dropped++;
      this.report(new Error('A log record was emitted after shutdown and dropped.'));
      return;
    }
    if (this.held() >= this.maxQueueSize) {
      if (this.overflow++ === 0) {
        this.report(
          new Error(
            `The queue is full (${this.maxQueueSize} records): dropping log records until it drains. Raise maxQueueSize or emit less at once.`,
          ),
        );
      }
      this.dropped++;
      return;
    }
    if (this.overflow > 0) this.endOverflow();
    this.queue.push(record);
    this.accepted++;
    if (this.batch === undefined && this.queue.length - this.head >= this.batchSize) this.pump();
    else if (this.timer === undefined && this.batch === undefined) this.schedule();
  }

  /** Resolves once every record emitted before the call is exported (or dropped and reported), or after `flushTimeoutMillis`. */
  async forceFlush(): Promise<void> {
    if (this.shutdownPromise) return this.shutdownPromise;
    await this.drain(false);
    // As the SDK's processor does: an exporter with its own buffer writes it out too.
    try {
      await this.exporter.forceFlush?.();
    } catch (err) {
      this.report(asError(err, 'The exporter failed to flush'));
    }
  }

  /** Flushes for at most `flushTimeoutMillis`, drops and reports what is left, then shuts the exporter down. Runs once. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  stats(): AuditlineBatchProcessorStats {
    return { queued: this.held(), exported: this.exported, dropped: this.dropped, failedExports: this.failedExports };
  }

  private async doShutdown(): Promise<void> {
    this.shuttingDown = true;
    await this.drain(true);
    if (this.overflow > 0) this.endOverflow();
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    this.timer = this.retryTimer = undefined;
    try {
      await this.exporter.shutdown();
    } catch (err) {
      this.report(asError(err, 'The exporter failed to shut down'));
    }
  }

  private held(): number {
    return this.queue.length - this.head + (this.batch?.length ?? 0);
  }

  private drain(final: boolean): Promise<void> {
    const target = this.accepted;
    if (this.settled >= target) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const deadline = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const left = target - this.settled;
        if (final) {
          this.giveUp();
        } else if (left > 0) {
          this.report(
            new Error(
              `forceFlush() waited ${this.flushTimeoutMillis} ms and ${left} log records are still unexported; they stay queued and are retried.`,
            ),
          );
        }
        resolve();
      }, this.flushTimeoutMillis);
      // Not unref'd: it keeps the process alive while the app awaits a flush (the retry timers are unref'd).
      const waiter: Waiter = {
        target,
        resolve: () => {
          clearTimeout(deadline);
          resolve();
        },
      };
      this.waiters.push(waiter);
      if (this.overflow > 0) this.endOverflow();
      clearTimeout(this.timer);
      this.timer = undefined;
      this.pump();
    });
  }

  /** At the shutdown deadline: everything not yet exported is dropped and reported. */
  private giveUp(): void {
    const left = this.held();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.queue = [];
    this.head = 0;
    this.batch = undefined;
    if (left === 0) return;
    this.dropped += left;
    this.settle(left);
    this.report(
      new Error(
        `Shutdown: ${left} log records were not exported within ${this.flushTimeoutMillis} ms and are dropped.`,
      ),
    );
  }

  private schedule(): void {
    if (this.queue.length === this.head) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump(true);
    }, this.delayMillis);
    this.timer.unref?.();
  }

  /** Sends the next batch unless one is out or waiting for its retry; a partial one only when `due` (its delay passed), flushing or shutting down. */
  private pump(due = false): void {
    if (this.batch !== undefined) return;
    const waiting = this.queue.length - this.head;
    if (waiting === 0) return;
    if (!due && waiting < this.batchSize && this.waiters.length === 0 && !this.shuttingDown) {
      if (this.timer === undefined) this.schedule();
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    const n = Math.min(waiting, this.batchSize);
    this.batch = this.queue.slice(this.head, this.head + n);
    this.head += n;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 65_536 && this.head * 2 >= this.queue.length) {
      // Measured: slicing a batch off the front with splice() costs O(queue) per batch; compact now and then instead.
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.send(this.batch);
  }

  private send(batch: ReadableLogRecord[]): void {
    let answered = false;
    const timer = setTimeout(() => {
      if (answered) return;
      this.failedExports++;
      this.failure(
        new Error(
          `An export of ${batch.length} log records has not answered within ${this.exportTimeoutMillis} ms; it is retried once it does.`,
        ),
      );
    }, this.exportTimeoutMillis);
    timer.unref?.();
    const done = (result: ExportResult): void => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      this.onResult(batch, result);
    };
    const pending = batch.some((r) => r.resource.asyncAttributesPending);
    const go = (): void => {
      try {
        context.with(suppressTracing(context.active()), () => this.exporter.export(batch, done));
      } catch (err) {
        done({ code: ExportResultCode.FAILED, error: asError(err, 'The exporter threw') });
      }
    };
    if (!pending) {
      go();
      return;
    }
    Promise.all(batch.map((r) => r.resource.waitForAsyncAttributes?.())).then(go, go);
  }

  private onResult(batch: ReadableLogRecord[], result: ExportResult): void {
    if (this.batch !== batch) return; // given up at the shutdown deadline
    if (result.code === ExportResultCode.SUCCESS) {
      this.batch = undefined;
      this.exported += batch.length;
      if (this.failureStreak > 0) {
        this.report(
          new Error(`Export recovered after ${this.failureStreak} failed attempts; no log records were lost.`),
        );
        this.failureStreak = 0;
      }
      this.settle(batch.length);
      this.pump();
      return;
    }
    const err = result.error ?? new Error('Export failed.');
    if (err.name === 'PermanentError') {
      this.batch = undefined;
      this.failedExports++;
      this.dropped += batch.length;
      this.report(
        new Error(`The exporter refused ${batch.length} log records for good; they are dropped: ${err.message}`),
      );
      this.settle(batch.length);
      this.pump();
      return;
    }
    this.failedExports++;
    this.failure(err);
    const delay = Math.min(this.retryDelayMillis * 2 ** Math.min(this.failureStreak - 1, 30), this.maxRetryDelayMillis);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.batch === batch) this.send(batch);
    }, delay);
    this.retryTimer.unref?.();
  }

  /** A retryable failure; reported when a streak starts, then every 100th. */
  private failure(err: Error): void {
    if (this.failureStreak++ % 100 === 0) {
      this.report(new Error(`Export failed (${err.message}); ${this.held()} log records are kept and retried.`));
    }
  }

  private settle(n: number): void {
    this.settled += n;
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.target <= this.settled) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private endOverflow(): void {
    const n = this.overflow;
    this.overflow = 0;
    this.report(new Error(`Dropped ${n} log records while the queue was full (${this.maxQueueSize} records).`));
  }

  private report(err: Error): void {
    try {
      this.onError(err);
    } catch {
      // The error handler must not break the application's logging call.
    }
  }
}

function asError(err: unknown, what: string): Error {
  return err instanceof Error ? err : new Error(`${what}: ${String(err)}.`);
}

function positive(v: number | undefined, def: number, name: string): number {
  if (v === undefined) return def;
  if (!(v > 0)) throw new RangeError(`${name} must be a positive number, got ${v}.`);
  return v;
}

function nonNegative(v: number | undefined, def: number, name: string): number {
  if (v === undefined) return def;
  if (!(v >= 0)) throw new RangeError(`${name} must be zero or more, got ${v}.`);
  return v;
}
