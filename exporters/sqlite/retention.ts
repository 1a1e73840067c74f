// Deletes rows older than each table's retention, at start and then every
// `retention_interval`. The deletes run on the writer thread, at most `batch`
// rows per statement, yielding between statements so writes queued meanwhile
// go first: a large purge never holds up ingestion.
import { errorMessage } from '../../src/component/errors.js';
import type { InternalLogger } from '../../src/telemetry/logger.js';
import type { RetentionDays } from './config.js';
import type { Table } from './schema.js';
import type { WriteWorker } from './writer.js';

export interface RetentionResult {
  /** Rows deleted per table. */
  deleted: Record<Table, number>;
  /** DELETE statements run. */
  statements: number;
}

const DAY_MS = 86_400_000;

export class Retention {
  private timer?: NodeJS.Timeout;
  private running?: Promise<RetentionResult>;
  private stopped = false;

  constructor(
    private readonly writer: WriteWorker,
    private readonly days: RetentionDays,
    private readonly intervalMs: number,
    private readonly batch: number,
    private readonly logger: InternalLogger,
  ) {}

  /** Runs one pass now (in the background) and schedules the next ones. */
  start(): void {
    if (this.timer || this.stopped) return;
    void this.run().catch(() => undefined);
    this.timer = setInterval(() => {
      void this.run().catch(() => undefined);
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One pass over both tables; concurrent calls share the pass in progress. */
  run(now = Date.now()): Promise<RetentionResult> {
    this.running ??= this.pass(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops scheduling passes; a pass in progress ends when the writer closes. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async pass(now: number): Promise<RetentionResult> {
    const cutoff = (t: Table) => new Date(now - this.days[t] * DAY_MS).toISOString();
    try {
      const r = await this.writer.retention(
        { audit_logs: cutoff('audit_logs'), job_logs: cutoff('job_logs') },
        this.batch,
      );
      if (r.deleted.audit_logs + r.deleted.job_logs > 0)
        this.logger.info('Deleted expired rows.', { ...r.deleted, statements: r.statements });
      return r;
    } catch (err) {
      // A busy or full database is retried at the next interval; ingestion is unaffected.
      if (!this.stopped)
        this.logger.warn('Retention pass failed; will retry at the next interval.', { error: errorMessage(err) });
      throw err;
    }
  }
}
