// Groups records into batches by size or time. When an exporter refuses a
// batch (its queue is full) the batch is kept, not dropped, and retried;
// while too much is held, new records are refused so the receiver answers
// 503 and the sender retries. Nothing is lost silently.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BackpressureError, errorMessage, isPermanent } from '../../src/component/errors.js';
import type { CreateSettings, Host, LogsConsumer, Processor } from '../../src/component/types.js';
import { M } from '../../src/telemetry/metrics.js';
import type { BatchConfig } from './config.js';

export class BatchProcessor implements Processor {
  private pending: ReadableLogRecord[] = [];
  private timer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private readonly inflight = new Set<Promise<void>>();
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private blocked = false;
  private stopped = false;
  private shutdownPromise?: Promise<void>;

  constructor(private readonly settings: CreateSettings, private readonly cfg: BatchConfig, private readonly next: LogsConsumer) {
    this.maxBatch = cfg.send_batch_max_size || cfg.send_batch_size;
    this.maxPending = cfg.max_pending || cfg.send_batch_size * 8;
  }

  async start(_host: Host): Promise<void> {}

  consume(records: ReadableLogRecord[]): Promise<void> {
    if (this.stopped) return Promise.reject(new BackpressureError('The collector is shutting down.', 1, 503));
    if (this.pending.length >= this.maxPending) {
      return Promise.reject(new BackpressureError('Exporters are behind; try again shortly.', 1, 503));
    }
    // A loop, not push(...records): spreading a large array overflows the stack.
    for (let i = 0; i < records.length; i++) this.pending.push(records[i]!);
    if (!this.blocked) {
      if (this.pending.length >= this.cfg.send_batch_size) this.sendFull();
      if (this.pending.length > 0 && !this.timer) {
        this.timer = setTimeout(() => this.onTimeout(), this.cfg.timeout);
        this.timer.unref();
      }
    }
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    // Exporters shut down after processors, so they still take what is held here.
    const deadline = Date.now() + 15_000;
    while (this.pending.length > 0 || this.inflight.size > 0) {
      this.blocked = false;
      while (this.pending.length > 0) this.send(this.pending.splice(0, this.maxBatch));
      await Promise.allSettled([...this.inflight]);
      if (this.pending.length > 0) {
        if (Date.now() > deadline) {
          this.drop(this.pending.splice(0), 'Dropped held records at shutdown because exporters kept refusing them.');
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private onTimeout(): void {
    this.timer = undefined;
    if (this.blocked) return;
    while (this.pending.length > 0) this.send(this.pending.splice(0, this.maxBatch));
  }

  private sendFull(): void {
    while (!this.blocked && this.pending.length >= this.cfg.send_batch_size) {
      this.send(this.pending.splice(0, this.maxBatch));
    }
    if (this.pending.length === 0) { clearTimeout(this.timer); this.timer = undefined; }
  }

  private send(batch: ReadableLogRecord[]): void {
    const p = this.next.consume(batch).then(
      () => undefined,
      (err: unknown) => {
        if (err instanceof BackpressureError && !isPermanent(err)) this.holdBack(batch, err);
        else this.drop(batch, `Dropped a batch that the pipeline rejected: ${errorMessage(err)}`);
      },
    );
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Puts a refused batch back at the head and retries after the suggested delay. */
  private holdBack(batch: ReadableLogRecord[], err: BackpressureError): void {
    this.pending = batch.concat(this.pending);
    if (this.stopped) return;
    this.blocked = true;
    this.settings.logger.burst('warn', 'held', 'Exporters refused a batch; holding it and retrying.', { records: batch.length });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.blocked = false;
      this.sendFull();
      this.onTimeout();
    }, Math.min(err.retryAfterSeconds * 1000, 1000));
    this.retryTimer.unref();
  }

  private drop(batch: ReadableLogRecord[], msg: string): void {
    this.settings.telemetry.add(M.processorDropped, batch.length, { processor: this.settings.id });
    this.settings.logger.burst('error', 'drop', msg, { processor: this.settings.id, records: batch.length });
  }
}
