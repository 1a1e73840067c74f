// Deletes rows older than each table's retention, at start and then every
// `retention_interval`. Each statement removes at most `batch` rows and the
// event loop is yielded between statements, so exports interleave with a
// large purge instead of waiting for it.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { errorMessage } from '../../src/component/errors.js';
import type { InternalLogger } from '../../src/telemetry/logger.js';
import type { RetentionDays } from './config.js';
import type { Table } from './schema.js';

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
  private readonly statements: Record<Table, Database.Statement<[string, number]>>;

  constructor(
    private readonly db: Database.Database,
    private readonly days: RetentionDays,
    private readonly intervalMs: number,
    private readonly batch: number,
    private readonly logger: InternalLogger,
  ) {
    const del = (t: Table) => db.prepare<[string, number]>(
      `DELETE FROM ${t} WHERE id IN (SELECT id FROM ${t} WHERE timestamp < ? ORDER BY timestamp LIMIT ?)`);
    this.statements = { audit_logs: del('audit_logs'), job_logs: del('job_logs') };
  }

  /** Runs one pass now (in the background) and schedules the next ones. */
  start(): void {
    if (this.timer || this.stopped) return;
    void this.run();
    this.timer = setInterval(() => { void this.run(); }, this.intervalMs);
    this.timer.unref();
  }

  /** One pass over both tables; concurrent calls share the pass in progress. */
  run(now = Date.now()): Promise<RetentionResult> {
    this.running ??= this.pass(now).finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Stops the timer and makes a pass in progress end after its current statement. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async pass(now: number): Promise<RetentionResult> {
    const result: RetentionResult = { deleted: { audit_logs: 0, job_logs: 0 }, statements: 0 };
    try {
      for (const table of ['audit_logs', 'job_logs'] as const) {
        const cutoff = new Date(now - this.days[table] * DAY_MS).toISOString();
        const stmt = this.statements[table];
        for (;;) {
          if (this.stopped) return result;
          const { changes } = stmt.run(cutoff, this.batch);
          result.statements++;
          result.deleted[table] += changes;
          if (changes < this.batch) break;
          await yieldToLoop();
        }
      }
      if (result.deleted.audit_logs + result.deleted.job_logs > 0) {
        this.logger.info('Deleted expired rows.', { ...result.deleted, statements: result.statements });
        this.db.pragma('optimize');
      }
    } catch (err) {
      // A busy or full database is retried at the next interval; ingestion is unaffected.
      if (!this.stopped) this.logger.warn('Retention pass failed; will retry at the next interval.', { error: errorMessage(err) });
    }
    return result;
  }
}
