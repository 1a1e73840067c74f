// SqliteExporter: an SDK LogRecordExporter writing `audit_logs` and `job_logs`.
// Works in-process under the SDK's BatchLogRecordProcessor and in a collector
// pipeline (via the factory). Writes are synchronous better-sqlite3 calls, one
// transaction per export, so nothing is ever buffered in memory here.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type Database from 'better-sqlite3';
import { PermanentError, errorMessage } from '../../src/component/errors.js';
import type { Host } from '../../src/component/types.js';
import { formatIssue, type ConfigIssue } from '../../src/config/schema.js';
import type { PushExporter } from '../../src/exporterhelper/queued-exporter.js';
import { QUERY_API_TYPE, type QueryApi } from '../../src/extensions/query-api/routes.js';
import { silentLogger, type InternalLogger } from '../../src/telemetry/logger.js';
import { checkSqliteConfig, sqliteConfigSpec, type SqliteConfig, type SqliteExporterOptions } from './config.js';
import { SqliteQueries } from './queries.js';
import { Retention, type RetentionResult } from './retention.js';
import { registerSqliteRoutes } from './routes.js';
import { RowBuilder } from './rows.js';
import { openWritable, SqliteWriter } from './writer.js';

export interface SqliteExporterContext {
  /** Component id, for log lines. */
  id?: string;
  logger?: InternalLogger;
}

const PARSED = Symbol('parsed config');

/** SQLite error codes worth retrying: the database is busy, full or the disk failed transiently. */
const RETRYABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|PROTOCOL|NOMEM)/;

export class SqliteExporter implements PushExporter {
  /** One writer: SQLite serialises writes anyway and order within a file is kept. */
  readonly maxConcurrency = 1;
  readonly config: SqliteConfig;
  private readonly logger: InternalLogger;
  private readonly id: string;
  private readonly rows: RowBuilder;
  private db?: Database.Database;
  private writer?: SqliteWriter;
  private retention?: Retention;
  private queries?: SqliteQueries;
  private closed = false;
  private shutdownPromise?: Promise<void>;

  /** `options` in YAML form: `{ path: './data/auditline.db', retention_days: { audit_logs: 7 } }`. */
  constructor(options: SqliteExporterOptions, ctx: SqliteExporterContext = {}) {
    this.config = (ctx as { [PARSED]?: SqliteConfig })[PARSED] ?? parseOptions(options);
    this.logger = ctx.logger ?? silentLogger;
    this.id = ctx.id ?? 'sqlite';
    this.rows = new RowBuilder(this.config.promote);
  }

  /** From a config the collector already validated. */
  static fromConfig(config: SqliteConfig, ctx: SqliteExporterContext = {}): SqliteExporter {
    return new SqliteExporter({ path: config.path }, { ...ctx, [PARSED]: config } as SqliteExporterContext);
  }

  /** Opens the database and registers the query routes when a query API is running. */
  async start(host?: Host): Promise<void> {
    this.open();
    if (!host) return;
    const api = host.findExtension<QueryApi>(QUERY_API_TYPE);
    if (!api) {
      this.logger.debug('No query API extension is configured; the SQLite routes are not served.', { exporter: this.id });
      return;
    }
    this.serveQueries(api);
  }

  /** Registers `GET /api/logs/audit` and `GET /api/logs/jobs/:job_id` on a query API. */
  serveQueries(api: QueryApi): void {
    try {
      registerSqliteRoutes(api, () => this.reader());
    } catch (err) {
      // Two sqlite exporters in one collector: the first one registered serves the routes.
      this.logger.warn('The SQLite routes are already served by another exporter; this one is not queryable.', {
        exporter: this.id, error: errorMessage(err),
      });
    }
  }

  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    let result: ExportResult;
    try {
      if (this.closed) throw new PermanentError('SQLite exporter is shut down.');
      this.open();
      this.writer!.write(records);
      const dropped = this.rows.takeDropped();
      if (dropped > 0) {
        this.logger.burst('warn', 'content-dropped', 'Dropped prompt or response content keys before writing; configure the redaction processor.', {
          exporter: this.id, keys: dropped,
        });
      }
      result = { code: ExportResultCode.SUCCESS };
    } catch (err) {
      this.rows.takeDropped();
      result = { code: ExportResultCode.FAILED, error: classify(err) };
    }
    resultCallback(result);
  }

  /** Runs one retention pass now (it also runs at start and every `retention_interval`). */
  enforceRetention(now?: number): Promise<RetentionResult> {
    this.open();
    return this.retention!.run(now);
  }

  /** Writes are committed before export() calls back, so there is nothing to flush. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.close();
    return this.shutdownPromise;
  }

  private async close(): Promise<void> {
    this.closed = true;
    await this.retention?.stop();
    this.queries?.close();
    if (this.db?.open) {
      try { this.db.pragma('optimize'); } catch { /* best effort */ }
      this.db.close();
    }
  }

  /** Opens lazily so in-process use works without start(). */
  private open(): void {
    if (this.db) return;
    if (this.closed) throw new PermanentError('SQLite exporter is shut down.');
    const { db, migratedFrom } = openWritable(this.config.path, this.config.synchronous);
    this.db = db;
    this.writer = new SqliteWriter(db, this.rows);
    if (migratedFrom > 0 && migratedFrom < (db.pragma('user_version', { simple: true }) as number)) {
      this.logger.info('Upgraded the database schema.', { path: this.config.path, from: migratedFrom, to: db.pragma('user_version', { simple: true }) });
    }
    this.retention = new Retention(db, this.config.retention_days, this.config.retention_interval, this.config.retention_batch_size, this.logger);
    this.retention.start();
  }

  private reader(): SqliteQueries {
    this.open();
    this.queries ??= new SqliteQueries(this.config.path);
    return this.queries;
  }
}

function parseOptions(options: SqliteExporterOptions): SqliteConfig {
  const issues: ConfigIssue[] = [];
  const cfg = sqliteConfigSpec.parse(options, [], issues);
  if (cfg) checkSqliteConfig(cfg, (key, msg) => issues.push({ path: key === null ? [] : [key], message: msg }));
  if (!cfg || issues.length) throw new Error(`Invalid SQLite exporter options: ${issues.map(formatIssue).join('; ')}`);
  return cfg;
}

function classify(err: unknown): Error {
  if (err instanceof PermanentError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && RETRYABLE.test(code)) return err as Error;
  // Anything else (constraint, corrupt file, a bug) would fail the same way again.
  return new PermanentError(`SQLite write failed: ${errorMessage(err)}`);
}
