// Refuses records while the process uses too much memory, so receivers answer
// 429 with Retry-After and senders back off instead of the collector growing
// until it is killed. Memory is sampled on an unref'd timer, never per call:
// `consume` costs one boolean check.
//
// What is measured: resident set size (`process.memoryUsage.rss()`, the same
// figure as `process.memoryUsage().rss` without walking the heap spaces).
// The Collector measures the Go heap, but in Node the V8 heap leaves out
// Buffers and ArrayBuffers, which hold request bodies and encoded batches in a
// collector; RSS covers them and is what a container's OOM killer looks at.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BackpressureError } from '../../src/component/errors.js';
import type { CreateSettings, Host, LogsConsumer, Processor } from '../../src/component/types.js';
import { M } from '../../src/telemetry/metrics.js';
import type { MemoryLimiterConfig } from './config.js';
import { resolveLimits, type MemoryLimits } from './limits.js';

const MIB = 1024 * 1024;

export class MemoryLimiterProcessor implements Processor {
  readonly limits: MemoryLimits;
  private refusing = false;
  private lastGc = 0;
  private timer?: NodeJS.Timeout;
  private readonly retryAfterSeconds: number;
  private readonly labels: { processor: string };

  constructor(
    private readonly settings: CreateSettings,
    private readonly cfg: MemoryLimiterConfig,
    private readonly next: LogsConsumer,
  ) {
    this.limits = resolveLimits(cfg);
    this.retryAfterSeconds = Math.max(1, Math.ceil(cfg.check_interval / 1000));
    this.labels = { processor: settings.id };
  }

  /** True while records are being refused. */
  get limited(): boolean {
    return this.refusing;
  }

  async start(_host: Host): Promise<void> {
    if (this.timer) return;
    this.check();
    this.timer = setInterval(() => this.check(), this.cfg.check_interval);
    this.timer.unref();
  }

  consume(records: ReadableLogRecord[]): Promise<void> {
    if (this.refusing) {
      this.settings.telemetry.add(M.processorRefused, records.length, this.labels);
      return Promise.reject(
        new BackpressureError(
          `Memory usage is above the soft limit of ${mib(this.limits.softBytes)} MiB; try again later.`,
          this.retryAfterSeconds,
          429,
        ),
      );
    }
    return this.next.consume(records);
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    let rss = process.memoryUsage.rss();
    // As in the Collector: above the soft limit force a GC now and then, above the hard limit at every check
    // (by default). Only possible when Node runs with --expose-gc.
    if (rss > this.limits.softBytes && typeof globalThis.gc === 'function') {
      const now = Date.now();
      const every =
        rss > this.limits.hardBytes
          ? this.cfg.min_gc_interval_when_hard_limited
          : this.cfg.min_gc_interval_when_soft_limited;
      if (now - this.lastGc >= every) {
        globalThis.gc();
        this.lastGc = now;
        rss = process.memoryUsage.rss();
      }
    }
    const over = rss > this.limits.softBytes;
    if (over === this.refusing) return;
    this.refusing = over;
    const fields = {
      processor: this.settings.id,
      rss_mib: mib(rss),
      soft_limit_mib: mib(this.limits.softBytes),
      hard_limit_mib: mib(this.limits.hardBytes),
    };
    if (over)
      this.settings.logger.warn('Memory usage is above the soft limit; refusing records until it drops.', fields);
    else this.settings.logger.info('Memory usage is below the soft limit again; accepting records.', fields);
  }
}

function mib(bytes: number): number {
  return Math.round((bytes / MIB) * 10) / 10;
}
