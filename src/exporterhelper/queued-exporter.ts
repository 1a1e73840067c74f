// Wraps any SDK LogRecordExporter with the Collector's exporterhelper
// behaviour: a bounded sending queue drained by N consumers, retry with
// exponential backoff and jitter for retryable failures, and a per-attempt
// timeout. The batch is converted to the exporter's payload (`prepare`) as it
// is queued, so the queue and retries hold the payload, not the records.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BackpressureError, PermanentError, errorMessage, isPermanent } from '../component/errors.js';
import type { CreateSettings, Exporter, Host } from '../component/types.js';
import { M } from '../telemetry/metrics.js';
import { isFileStorage } from '../extensions/file-storage/factory.js';
import type { QueueStore } from '../extensions/file-storage/queue-store.js';
import type { ExporterHelperSettings } from './config.js';
import type { PushExporter } from './push-exporter.js';

interface Item {
  /** The batch, until `prepare` has turned it into `payload`. */
  records: ReadableLogRecord[] | null;
  payload?: unknown;
  /** Set when `prepare` threw: the batch cannot be sent. */
  prepareError?: unknown;
  count: number;
  firstAttempt: number;
  /** Sequence in the persistent queue, if any. */
  seq?: number;
}

export class QueuedExporter implements Exporter {
  private readonly queue: Item[] = [];
  private readonly concurrency: number;
  private active = 0;
  private accepting = false;
  private started = false;
  private shutdownPromise?: Promise<void>;
  private drainWaiters: (() => void)[] = [];
  private readonly labels: { exporter: string };
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  /** Set when shutdown's drain deadline passes: retries stop and what is left is dropped and counted. */
  private drainExpired = false;
  private store?: QueueStore;

  constructor(
    private readonly settings: CreateSettings,
    private readonly inner: PushExporter,
    private readonly cfg: ExporterHelperSettings,
  ) {
    this.concurrency = Math.max(1, Math.min(cfg.sending_queue.num_consumers, inner.maxConcurrency ?? Infinity));
    this.labels = { exporter: settings.id };
    settings.telemetry.set(M.queueCapacity, cfg.sending_queue.queue_size, this.labels);
  }

  async start(host: Host): Promise<void> {
    if (this.started || this.shutdownPromise) return;
    this.started = true;
    await this.inner.start?.(host);
    const storageId = this.cfg.sending_queue.enabled ? this.cfg.sending_queue.storage : undefined;
    if (storageId) {
      const ext = host.getExtension(storageId);
      if (!isFileStorage(ext))
        throw new Error(`Storage extension "${storageId}" is not enabled in service.extensions.`);
      this.store = ext.queueStore(this.settings.id);
      const left = this.store.loadAll((file, err) => {
        this.settings.logger.error('A persisted batch could not be read; it was kept aside as .corrupt.', {
          exporter: this.settings.id,
          file,
          error: errorMessage(err),
        });
      });
      for (const b of left)
        this.queue.push({ records: b.records, count: b.records.length, firstAttempt: Date.now(), seq: b.seq });
      if (left.length > 0) {
        this.settings.logger.info('Resuming the persistent sending queue.', {
          exporter: this.settings.id,
          batches: left.length,
          records: left.reduce((n, b) => n + b.records.length, 0),
        });
        this.gauge();
        this.pump();
      }
    }
    this.accepting = true;
  }

  consume(records: ReadableLogRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.take({ records, count: records.length, firstAttempt: Date.now() });
  }

  private take(item: Item): Promise<void> {
    if (!this.accepting) {
      return Promise.reject(new BackpressureError(`Exporter "${this.settings.id}" is not running.`, 1, 503));
    }
    if (!this.cfg.sending_queue.enabled) {
      this.prepare(item);
      return this.sendNow(item);
    }
    if (this.queue.length >= this.cfg.sending_queue.queue_size) {
      this.settings.telemetry.add(M.exporterEnqueueFailed, item.count, this.labels);
      this.settings.logger.burst(
        'warn',
        'queue-full',
        'Sending queue is full; refusing records so the sender retries.',
        {
          exporter: this.settings.id,
          queue_size: this.cfg.sending_queue.queue_size,
        },
      );
      return Promise.reject(new BackpressureError(`Sending queue of exporter "${this.settings.id}" is full.`, 1, 503));
    }
    if (this.store && item.records) {
      try {
        item.seq = this.store.append(item.records);
      } catch (err) {
        this.settings.logger.burst(
          'error',
          'persist',
          'Could not persist a batch to the sending queue; refusing it so the sender retries.',
          { exporter: this.settings.id, error: errorMessage(err) },
        );
        return Promise.reject(
          new BackpressureError(
            `Persistent queue of exporter "${this.settings.id}" failed: ${errorMessage(err)}`,
            5,
            503,
          ),
        );
      }
    }
    // After persisting: the disk copy is of the records; from here on only the payload is held.
    this.prepare(item);
    this.queue.push(item);
    this.gauge();
    this.pump();
    return Promise.resolve();
  }

  private prepare(item: Item): void {
    if (item.records === null) return;
    try {
      item.payload = this.inner.prepare(item.records);
    } catch (err) {
      item.prepareError = err;
    }
    item.records = null;
  }

  /** Resolves when the queue is empty and nothing is in flight. */
  drained(): Promise<void> {
    if (this.queue.length === 0 && this.active === 0) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    this.accepting = false;
    if (this.started) {
      // Drain what was acknowledged; after the deadline what is left is dropped and counted,
      // or, with a persistent queue, left on disk for the next start.
      const deadline = Math.max(this.cfg.timeout * 2, 10_000);
      let timer: NodeJS.Timeout | undefined;
      const expired = await Promise.race([
        this.drained().then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), deadline);
        }),
      ]);
      clearTimeout(timer);
      this.drainExpired = expired;
      for (const s of this.sleeps) {
        clearTimeout(s.timer);
        s.wake();
      }
      if (expired) {
        const left = this.queue.splice(0).reduce((n, i) => n + i.count, 0);
        this.gauge();
        if (left > 0 && this.store) {
          this.settings.logger.warn(
            'Shutting down with records still queued; they stay on disk and are sent at the next start.',
            { exporter: this.settings.id, records: left },
          );
        } else if (left > 0) {
          this.settings.telemetry.add(M.exporterFailed, left, this.labels);
          this.settings.logger.error('Dropped queued records at shutdown after the drain deadline.', {
            exporter: this.settings.id,
            records: left,
          });
        }
      }
    }
    try {
      await this.inner.forceFlush?.();
    } finally {
      await this.inner.shutdown();
    }
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.active++;
      this.gauge();
      void this.deliver(item)
        .then((err) => {
          // A persisted batch leaves the disk once sent or dropped for good; one cut short by shutdown stays for the next start.
          if (item.seq !== undefined && (err === undefined || !this.drainExpired)) this.store!.remove(item.seq);
        })
        .finally(() => {
          this.active--;
          if (this.queue.length > 0) this.pump();
          else if (this.active === 0) for (const w of this.drainWaiters.splice(0)) w();
        });
    }
  }

  private async sendNow(item: Item): Promise<void> {
    const err = await this.deliver(item);
    if (err)
      throw isPermanent(err)
        ? err
        : new BackpressureError(`Exporter "${this.settings.id}" failed: ${errorMessage(err)}`, 5, 503);
  }

  /** Sends with retries. Returns the final error if the records were dropped. */
  private async deliver(item: Item): Promise<unknown> {
    const r = this.cfg.retry_on_failure;
    let interval = r.initial_interval;
    this.prepare(item); // batches resumed from disk
    for (;;) {
      try {
        await this.exportOnce(item);
        this.settings.telemetry.add(M.exporterSent, item.count, this.labels);
        return undefined;
      } catch (err) {
        const elapsed = Date.now() - item.firstAttempt;
        const wait = jitter(Math.min(interval, r.max_interval), r.randomization_factor);
        const giveUp =
          isPermanent(err) ||
          !r.enabled ||
          this.drainExpired ||
          (r.max_elapsed_time > 0 && elapsed + wait > r.max_elapsed_time);
        if (giveUp && this.drainExpired && item.seq !== undefined) return err;
        if (giveUp) {
          this.settings.telemetry.add(M.exporterFailed, item.count, this.labels);
          this.settings.logger.burst('error', 'dropped', 'Dropped records after export failure.', {
            exporter: this.settings.id,
            records: item.count,
            permanent: isPermanent(err),
            error: errorMessage(err),
          });
          return err;
        }
        this.settings.telemetry.add(M.exporterRetries, 1, this.labels);
        this.settings.logger.burst('warn', 'retry', 'Export failed; will retry.', {
          exporter: this.settings.id,
          records: item.count,
          retry_in_ms: Math.round(wait),
          error: errorMessage(err),
        });
        await this.sleep(wait);
        interval *= r.multiplier;
      }
    }
  }

  private exportOnce(item: Item): Promise<void> {
    if (item.prepareError !== undefined) {
      const e = item.prepareError;
      return Promise.reject(isPermanent(e) ? e : new PermanentError(`Cannot prepare the batch: ${errorMessage(e)}`));
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Export timed out after ${this.cfg.timeout}ms.`)),
        this.cfg.timeout,
      );
      const done = (res: ExportResult) => {
        clearTimeout(timer);
        if (res.code === ExportResultCode.SUCCESS) resolve();
        else reject(res.error ?? new Error('Export failed.'));
      };
      try {
        this.inner.exportPrepared(item.payload, done);
      } catch (err) {
        clearTimeout(timer);
        reject(err);
      }
    });
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
      this.sleeps.add(s);
    });
  }

  private gauge(): void {
    this.settings.telemetry.set(M.queueSize, this.queue.length + this.active, this.labels);
  }
}

function jitter(ms: number, factor: number): number {
  return ms * (1 - factor + Math.random() * 2 * factor);
}
