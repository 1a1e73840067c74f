// SqliteExporter: an SDK LogRecordExporter writing `audit_logs` and `job_logs`.
// Works in-process under the SDK's BatchLogRecordProcessor and in a collector
// pipeline (via the factory). Rows are built on the calling thread and written
// on a writer thread, each export within one transaction; export() calls back
// once that transaction has committed. In a pipeline each batch comes with its
// span of a delivery log, and the log's position is stored with the rows, so a
// retried or replayed span is written once (see README "Positions").
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { PermanentError, errorMessage } from '../../src/component/errors.js';
import type { Host } from '../../src/component/types.js';
import { formatIssue, type ConfigIssue } from '../../src/config/schema.js';
import {
  exportByPreparing,
  type LogSpan,
  type PushExporter,
  type ResultCallback,
} from '../../src/exporterhelper/push-exporter.js';
import { findQueryApi, registerRoutesOnce, type QueryApi } from '../../src/extensions/query-api/routes.js';
import { modesOf } from '../../src/config/file-mode.js';
import { silentLogger, type InternalLogger } from '../../src/telemetry/logger.js';
import { checkSqliteConfig, sqliteConfigSpec, type SqliteConfig, type SqliteExporterOptions } from './config.js';
import { SqliteQueries } from './queries.js';
import { SCHEMA_VERSION } from './schema.js';
import { Retention, type RetentionResult } from './retention.js';
import { registerSqliteRoutes } from './routes.js';
import { RowBuilder, type BatchText } from './rows.js';
import { prepareDatabase, SqliteWriteError, WriteWorker } from './writer.js';
import type { IntegrityKey } from './row-integrity.js';
import { readKeyFile, signerFromText } from '../../src/integrity/keys.js';

export interface SqliteExporterContext {
  /** Component id, for log lines. */
  id?: string;
  logger?: InternalLogger;
}

/** One batch as rows (UTF-8 JSON per table), built once and kept for retries. */
export interface SqlitePayload {
  batch: BatchText;
  dropped: number;
  /** Settles when the latest attempt has answered; a retry starts only then. */
  attempt?: Promise<void>;
  /** The rows are in the database: the buffers went back to the pool and a repeat writes nothing. */
  committed?: boolean;
}

const NO_ROWS: BatchText = { audit_logs: null, job_logs: null, rows: 0 };
const NOOP = (): void => undefined;

/** SQLite error codes worth retrying: the database is busy, full or the disk failed transiently. */
const RETRYABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|PROTOCOL|NOMEM)/;

export class SqliteExporter implements PushExporter<SqlitePayload> {
  /**
   * Up to eight exports in flight: rows of the next batches are built on this thread while the writer
   * thread commits, and batches waiting there share one transaction. Order is kept: the writer takes
   * batches in the order they were posted. Eight rather than four lets a busy writer commit more
   * batches at once: every commit rewrites the index pages it touched, so fewer, larger ones are cheaper.
   */
  readonly maxConcurrency = 8;
  readonly config: SqliteConfig;
  private readonly logger: InternalLogger;
  private readonly id: string;
  private readonly rows: RowBuilder;
  private writer?: WriteWorker;
  private retention?: Retention;
  private queries?: SqliteQueries;
  private closed = false;
  private shutdownPromise?: Promise<void>;

  /**
   * `options` in YAML form: `{ path: './data/auditline.db', retention_days: { audit_logs: 7 } }`;
   * `config`, when given, is those options already parsed (the factory passes the collector's).
   */
  constructor(
    options: SqliteExporterOptions,
    ctx: SqliteExporterContext = {},
    config: SqliteConfig = parseOptions(options),
  ) {
    this.config = config;
    this.logger = ctx.logger ?? silentLogger;
    this.id = ctx.id ?? 'sqlite';
    this.rows = new RowBuilder(this.config.promote);
  }

  /** From a config the collector already validated. */
  static fromConfig(config: SqliteConfig, ctx: SqliteExporterContext = {}): SqliteExporter {
    return new SqliteExporter({ path: config.path }, ctx, config);
  }

  /** Opens the database and registers the query routes when a query API is running. */
  async start(host?: Host): Promise<void> {
    await this.open().ready;
    if (!host) return;
    const api = findQueryApi({ host, logger: this.logger, id: this.id, what: 'SQLite routes' });
    if (api) this.serveQueries(api);
  }

  /** Registers `GET /api/logs/audit` and `GET /api/logs/jobs/:job_id` on a query API. */
  serveQueries(api: QueryApi): void {
    registerRoutesOnce(api, { logger: this.logger, id: this.id, what: 'SQLite routes' }, (a) =>
      registerSqliteRoutes(a, () => this.reader()),
    );
  }

  export(records: ReadableLogRecord[], resultCallback: ResultCallback): void {
    exportByPreparing(this, records, resultCallback);
  }

  /** Builds the batch's rows (bytes) on this thread; the exporter helper queues these instead of the records. */
  prepare(records: ReadableLogRecord[]): SqlitePayload {
    const rows = this.rows;
    try {
      for (let i = 0; i < records.length; i++) rows.add(records[i]!);
    } catch (err) {
      rows.takeBatch(); // the next batch starts empty
      rows.takeDropped();
      throw classify(err);
    }
    return { batch: rows.takeBatch(), dropped: rows.takeDropped() };
  }

  /**
   * Writes prepared rows in one transaction; calls back once it committed. With a span, the log's
   * position is checked and moved in that transaction: a span already applied writes nothing and
   * succeeds. A repeat of a payload waits until its earlier attempt answered (an attempt that outlived
   * the export timeout may still commit), and after a commit writes nothing and succeeds.
   */
  exportPrepared(p: SqlitePayload, resultCallback: ResultCallback, span?: LogSpan): void {
    const prior = p.attempt;
    const writing = prior === undefined ? this.write(p, span) : prior.then(() => this.write(p, span));
    p.attempt = writing.then(NOOP, NOOP);
    writing.then(
      () => {
        resultCallback({ code: ExportResultCode.SUCCESS });
      },
      (err: unknown) => {
        resultCallback({ code: ExportResultCode.FAILED, error: classify(err) });
      },
    );
  }

  /** End of the last span of `log` whose rows are in the database (0 if none); read from the file. */
  appliedPosition(log: string): Promise<number> {
    try {
      if (this.closed) throw new PermanentError('SQLite exporter is shut down.');
      return this.open().position(log);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private write(p: SqlitePayload, span: LogSpan | undefined): Promise<void> {
    if (p.committed) return Promise.resolve();
    let writing: Promise<boolean>;
    try {
      if (this.closed) throw new PermanentError('SQLite exporter is shut down.');
      writing = this.open().writeBatch(p.batch, span);
    } catch (err) {
      return Promise.reject(err);
    }
    return writing.then((applied) => {
      // Final: nothing will read these bytes again, so the row builder may fill them with a later batch.
      p.committed = true;
      const { batch, dropped } = p;
      p.batch = NO_ROWS;
      if (batch.audit_logs) this.rows.recycle(batch.audit_logs.buffer as ArrayBuffer);
      if (batch.job_logs) this.rows.recycle(batch.job_logs.buffer as ArrayBuffer);
      if (!applied) {
        this.logger.burst(
          'info',
          'already-applied',
          'Skipped a batch the database already holds (a retry or replay).',
          {
            exporter: this.id,
            log: span?.log,
            end: span?.end,
          },
        );
      } else if (dropped > 0) {
        this.logger.burst(
          'warn',
          'content-dropped',
          'Dropped prompt or response content keys before writing; configure the redaction processor.',
          {
            exporter: this.id,
            keys: dropped,
          },
        );
      }
    });
  }

  /** Runs one retention pass now (it also runs at start and every `retention_interval`). */
  enforceRetention(now?: number): Promise<RetentionResult> {
    try {
      this.open();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.retention!.run(now);
  }

  /** export() calls back only after its transaction committed, so there is nothing to flush. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.close();
    return this.shutdownPromise;
  }

  private async close(): Promise<void> {
    this.closed = true;
    this.retention?.stop();
    this.queries?.close();
    await this.writer?.close();
  }

  /**
   * Opens lazily so in-process use works without start(): migrates the file on this thread (once),
   * then starts the writer thread and retention.
   */
  private open(): WriteWorker {
    if (this.writer?.alive) return this.writer;
    if (this.closed) throw new PermanentError('SQLite exporter is shut down.');
    if (!this.writer) {
      const from = prepareDatabase(this.config.path, modesOf(this.config));
      if (from > 0 && from < SCHEMA_VERSION) {
        this.logger.info('Upgraded the database schema.', { path: this.config.path, from, to: SCHEMA_VERSION });
      }
    } else {
      this.logger.warn('The SQLite writer thread stopped; starting a new one.', { exporter: this.id });
    }
    this.retention?.stop();
    this.writer = new WriteWorker(
      this.config.path,
      this.config.synchronous,
      this.config.busy_timeout,
      this.rows,
      this.integrityKey(),
    );
    this.retention = new Retention(
      this.writer,
      this.config.retention_days,
      this.config.retention_interval,
      this.config.retention_batch_size,
      this.logger,
    );
    this.retention.start();
    return this.writer;
  }

  /** The integrity key, read (and checked) on this thread; the write thread gets its text. */
  private integrityKey(): IntegrityKey | undefined {
    const ic = this.config.integrity;
    if (!ic) return undefined;
    const text = readKeyFile(ic.key_file, true);
    signerFromText(text, ic.algorithm, ic.key_file);
    return { algorithm: ic.algorithm, text, file: ic.key_file };
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
  if (err instanceof SqliteWriteError && err.code === undefined)
    return new PermanentError(`SQLite write failed: ${err.message}`);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && RETRYABLE.test(code)) return err as Error;
  // Anything else (constraint, corrupt file, a bug) would fail the same way again.
  return new PermanentError(`SQLite write failed: ${errorMessage(err)}`);
}
