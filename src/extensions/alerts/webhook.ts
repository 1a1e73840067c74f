// Delivers alert notifications to a webhook: JSON POSTs, one at a time, each
// retried with exponential backoff. The queue is bounded (the oldest waiting
// notification is dropped when full, and counted); enqueue never blocks.
import type { InternalLogger } from '../../telemetry/logger.js';
import type { Telemetry } from '../../telemetry/metrics.js';
import type { WebhookConfig } from './config.js';

export const WM = {
  sent: 'auditline_alerts_webhook_sent_total',
  failed: 'auditline_alerts_webhook_failed_total',
  retries: 'auditline_alerts_webhook_retries_total',
  dropped: 'auditline_alerts_webhook_dropped_total',
} as const;

export class WebhookSender {
  private readonly queue: unknown[] = [];
  private running = false;
  private closed = false;
  private readonly abort = new AbortController();
  private wait?: { timer: NodeJS.Timeout; resolve: () => void };

  constructor(
    private readonly cfg: WebhookConfig,
    private readonly logger: InternalLogger,
    private readonly telemetry: () => Telemetry,
  ) {}

  enqueue(payload: unknown): void {
    if (this.closed) return;
    if (this.queue.length >= this.cfg.queue_size) {
      this.queue.shift();
      this.telemetry().add(WM.dropped, 1);
      this.logger.burst(
        'warn',
        'alerts-webhook-full',
        'The alert webhook queue is full; the oldest notification was dropped.',
        { endpoint: this.cfg.endpoint },
      );
    }
    this.queue.push(payload);
    if (!this.running) {
      this.running = true;
      void this.run();
    }
  }

  private async run(): Promise<void> {
    try {
      while (!this.closed && this.queue.length > 0) {
        const payload = this.queue.shift();
        await this.deliver(payload);
      }
    } finally {
      this.running = false;
    }
  }

  private async deliver(payload: unknown): Promise<void> {
    const body = JSON.stringify(payload);
    let delay = this.cfg.initial_interval;
    for (let attempt = 0; ; attempt++) {
      const error = await this.post(body);
      if (error === undefined) {
        this.telemetry().add(WM.sent, 1);
        return;
      }
      if (this.closed) break;
      if (attempt >= this.cfg.max_retries) {
        this.telemetry().add(WM.failed, 1);
        this.logger.warn('An alert notification could not be delivered to the webhook; it was dropped.', {
          endpoint: this.cfg.endpoint,
          attempts: attempt + 1,
          error,
        });
        return;
      }
      this.telemetry().add(WM.retries, 1);
      this.logger.burst('info', 'alerts-webhook-retry', 'The alert webhook failed; retrying with backoff.', {
        endpoint: this.cfg.endpoint,
        error,
        retry_in_ms: delay,
      });
      await this.sleep(delay);
      if (this.closed) break;
      delay = Math.min(delay * 2, this.cfg.max_interval);
    }
    // Closed while this one was being tried: it is abandoned like those still queued.
    this.telemetry().add(WM.dropped, 1);
  }

  /** undefined on a 2xx answer, else what went wrong. */
  private async post(body: string): Promise<string | undefined> {
    try {
      const res = await fetch(this.cfg.endpoint!, {
        method: 'POST',
        headers: { ...this.cfg.headers, 'content-type': 'application/json' },
        body,
        // A redirect is a failure (retried), never followed with the configured headers to another address.
        redirect: 'error',
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.cfg.timeout)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? undefined : `HTTP ${res.status}`;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wait = undefined;
        resolve();
      }, ms);
      timer.unref();
      this.wait = { timer, resolve };
    });
  }

  /** Stops sending; notifications still waiting are dropped (and counted). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    if (this.wait) {
      clearTimeout(this.wait.timer);
      this.wait.resolve();
      this.wait = undefined;
    }
    if (this.queue.length > 0) this.telemetry().add(WM.dropped, this.queue.length);
    this.queue.length = 0;
  }
}
