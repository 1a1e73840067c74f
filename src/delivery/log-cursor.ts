// One exporter's cursor into one delivery log: it reads batches at the
// exporter's pace (this is where batching by size and time happens), sends
// each with retries that concern only this exporter, and commits its position
// once the batch is stored. One batch is in flight at a time, so positions
// advance in order and an idempotent sink can remember them; an attempt that
// outlives its timeout is still awaited before the retry, never raced.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { PermanentError, errorMessage, isPermanent } from '../component/errors.js';
import type { CreateSettings } from '../component/types.js';
import type { ExporterHelperSettings } from '../exporterhelper/config.js';
import type { LogSpan, PushExporter } from '../exporterhelper/push-exporter.js';
import { M } from '../telemetry/metrics.js';
import type { DeliveryLog } from './delivery-log.js';

export interface BatchSettings {
  /** A batch goes out as soon as this many records wait. */
  size: number;
  /** Upper bound on one batch. */
  maxSize: number;
  /** A non-empty batch goes out after this long even if not full. */
  timeoutMs: number;
}

export class LogCursor {
  private pos = 0;
  private stopping = false;
  private deadlineExpired = false;
  private running?: Promise<void>;
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; wake(): void }>();
  private readonly labels: { exporter: string };

  constructor(
    private readonly log: DeliveryLog,
    private readonly exporter: PushExporter,
    private readonly settings: CreateSettings,
    private readonly helper: ExporterHelperSettings,
    private readonly batch: BatchSettings,
  ) {
    this.labels = { exporter: settings.id };
  }

  get position(): number {
    return this.pos;
  }

  /** Resolves once the cursor stopped: drained, or its log closed and every record read. */
  finished(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Starts reading from `from` (the larger of the cursor's committed position and the sink's own). */
  start(from: number): void {
    this.pos = this.log.addCursor(this.settings.id, from);
    this.log.commit(this.settings.id, this.pos);
    this.running = this.loop();
  }

  /**
   * Sends what the log holds, then stops. After `deadlineMs` retries stop: in memory mode what is left
   * is dropped and counted; in durable mode it stays in the log for the next start.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.stopping = true;
    this.log.wakeAll();
    this.wakeSleeps();
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    const expired = await Promise.race([
      this.running.then(() => false),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(true), deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    if (!expired) return;
    this.deadlineExpired = true;
    this.wakeSleeps();
    this.log.wakeAll();
    // An attempt still running gets one more timeout to report before shutdown goes on.
    await Promise.race([this.running, new Promise((r) => setTimeout(r, this.helper.timeout).unref())]);
  }

  private async loop(): Promise<void> {
    const { size, maxSize, timeoutMs } = this.batch;
    for (;;) {
      if (this.deadlineExpired) break;
      if (this.log.end <= this.pos) {
        if (this.stopping || this.log.isClosed) break;
        await this.log.waitFor(this.pos);
        continue;
      }
      // Not a full batch yet: wait for one, or the batch timeout, whichever comes first.
      if (this.log.end - this.pos < size && !this.stopping) {
        const deadline = Date.now() + timeoutMs;
        while (this.log.end - this.pos < size && !this.stopping && !this.log.isClosed && Date.now() < deadline) {
          await this.log.waitFor(this.pos + size - 1, deadline - Date.now());
        }
      }
      const { first, records } = this.log.read(this.pos, maxSize);
      if (records.length === 0) break;
      const span: LogSpan = { log: this.log.name, first, end: first + records.length };
      const delivered = await this.deliver(records, span);
      if (!delivered && this.deadlineExpired && this.log.durable) break; // stays in the log for the next start
      this.pos = span.end;
      this.log.commit(this.settings.id, this.pos);
      this.gauge();
    }
    if (this.deadlineExpired && !this.log.durable) {
      const left = this.log.available(this.pos);
      if (left > 0) {
        this.settings.telemetry.add(M.exporterFailed, left, this.labels);
        this.settings.logger.error(
          'Dropped records at shutdown: the exporter could not take them before max_elapsed_time.',
          {
            exporter: this.settings.id,
            records: left,
          },
        );
        this.pos = this.log.end;
        this.log.commit(this.settings.id, this.pos);
      }
    } else if (this.deadlineExpired && this.log.available(this.pos) > 0) {
      this.settings.logger.warn(
        'Shutting down with records not yet exported; they stay in the delivery log for the next start.',
        {
          exporter: this.settings.id,
          records: this.log.available(this.pos),
        },
      );
    }
    this.gauge();
  }

  /** Sends one batch until it is stored or dropped for good. Returns false if it was not stored. */
  private async deliver(records: ReadableLogRecord[], span: LogSpan): Promise<boolean> {
    const r = this.helper.retry_on_failure;
    const startedAt = Date.now();
    let interval = r.initial_interval;
    let payload: unknown;
    let prepared = false;
    for (;;) {
      let err: unknown;
      try {
        if (!prepared) payload = this.exporter.prepare(records);
        prepared = true;
        await this.attempt(records.length, payload, span);
        this.settings.telemetry.add(M.exporterSent, records.length, this.labels);
        return true;
      } catch (e) {
        err = prepared ? e : new PermanentError(`Cannot prepare the batch: ${errorMessage(e)}`);
      }
      const wait = jitter(Math.min(interval, r.max_interval), r.randomization_factor);
      const elapsed = Date.now() - startedAt;
      const giveUp =
        isPermanent(err) ||
        !r.enabled ||
        this.deadlineExpired ||
        (r.max_elapsed_time > 0 && elapsed + wait > r.max_elapsed_time);
      if (giveUp && this.deadlineExpired && this.log.durable) return false;
      if (giveUp) {
        this.settings.telemetry.add(M.exporterFailed, records.length, this.labels);
        this.settings.logger.burst('error', 'dropped', 'Dropped records after export failure.', {
          exporter: this.settings.id,
          records: records.length,
          permanent: isPermanent(err),
          error: errorMessage(err),
        });
        return false;
      }
      this.settings.telemetry.add(M.exporterRetries, 1, this.labels);
      this.settings.logger.burst('warn', 'retry', 'Export failed; will retry.', {
        exporter: this.settings.id,
        records: records.length,
        retry_in_ms: Math.round(wait),
        error: errorMessage(err),
      });
      await this.sleep(wait);
      interval *= r.multiplier;
    }
  }

  /** One attempt. Past the timeout it is reported but still awaited: a retry never races it. */
  private attempt(count: number, payload: unknown, span: LogSpan): Promise<void> {
    const outcome = new Promise<void>((resolve, reject) => {
      const done = (res: ExportResult) => {
        if (res.code === ExportResultCode.SUCCESS) resolve();
        else reject(res.error ?? new Error('Export failed.'));
      };
      this.exporter.exportPrepared(payload, done, span);
    });
    const timer = setTimeout(() => {
      this.settings.logger.burst(
        'warn',
        'slow',
        'An export is taking longer than its timeout; waiting for its outcome before any retry.',
        {
          exporter: this.settings.id,
          timeout_ms: this.helper.timeout,
          records: count,
        },
      );
    }, this.helper.timeout);
    timer.unref();
    return outcome.finally(() => clearTimeout(timer));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const s = {
        timer: setTimeout(() => {
          this.sleeps.delete(s);
          resolve();
        }, ms),
        wake: resolve,
      };
      s.timer.unref();
      this.sleeps.add(s);
    });
  }

  private wakeSleeps(): void {
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.wake();
    }
    this.sleeps.clear();
  }

  private gauge(): void {
    this.settings.telemetry.set(M.queueSize, this.log.backlog(this.settings.id), {
      ...this.labels,
      log: this.log.name,
    });
  }
}

function jitter(ms: number, factor: number): number {
  return ms * (1 - factor + Math.random() * 2 * factor);
}
