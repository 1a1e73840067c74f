// RedisExporter: an SDK LogRecordExporter writing the seed's request
// indexes, streams and hourly statistics to Redis or Redis Cluster. Works
// in-process under the SDK's BatchLogRecordProcessor and in a collector
// pipeline (the factory wraps it with the sending queue and retries).
//
// One export = one write plan (planner.ts) applied at most once as one
// transaction (once.ts; per node on a cluster) in chunks of about
// `pipeline_size` commands. In a collector pipeline the transaction also
// stores the batch's log position, and an attempt at a batch the position
// already covers writes nothing; without a span (in-process use) a marker of
// the batch's content does the same for `dedup_window`. A failed export is
// retryable (never PermanentError): while Redis is down the cursor backs off
// and retries.
import { randomBytes } from 'node:crypto';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { PermanentError, errorMessage } from '../../src/component/errors.js';
import type { Host } from '../../src/component/types.js';
import type { LogSpan, PushExporter, ResultCallback } from '../../src/exporterhelper/push-exporter.js';
import { findQueryApi, registerRoutesOnce, type QueryApi } from '../../src/extensions/query-api/routes.js';
import { silentLogger, type InternalLogger } from '../../src/telemetry/logger.js';
import type { Telemetry } from '../../src/telemetry/metrics.js';
import { Cleanup, type CleanupResult } from './cleanup.js';
import { ClusterTransport } from './cluster.js';
import { parseRedisOptions, type IndexName, type RedisConfig, type RedisExporterOptions } from './config.js';
import { StandaloneTransport, type ConnectionSettings, type Transport } from './connection.js';
import { FieldMapper } from './field-mapping.js';
import { KeySchema } from './key-schema.js';
import { guardEnd, type LockSettings } from './once.js';
import { RedisLogQueries } from './queries.js';
import { registerRedisRoutes } from './routes.js';
import { PlanBuilder } from './planner.js';

export interface RedisExporterContext {
  /** Component id, for log lines and metric labels. */
  id?: string;
  logger?: InternalLogger;
  telemetry?: Telemetry;
  /** Per-command timeout (the sending queue's `timeout` in a collector). Default 5 s. */
  commandTimeout?: number;
}

/** Counter of commands Redis refused for reasons a retry cannot fix (e.g. WRONGTYPE on a key another program wrote). */
export const REDIS_COMMAND_ERRORS = 'auditline_redis_command_errors_total';

/** Concurrent exports (see `maxConcurrency`). */
export const MAX_CONCURRENCY = 2;

export class RedisExporter implements PushExporter<ReadableLogRecord[]> {
  /**
   * Exports in flight: one being planned and encoded while another is applied keeps Node and
   * redis-server both busy (transactions go one at a time); more only wait (bench/README.md).
   */
  readonly maxConcurrency = MAX_CONCURRENCY;
  readonly config: RedisConfig;
  readonly keys: KeySchema;
  private readonly logger: InternalLogger;
  private readonly id: string;
  private readonly telemetry?: Telemetry;
  private readonly plans: PlanBuilder;
  private readonly conn: ConnectionSettings;
  private readonly cleanup: Cleanup;
  /** This instance among the writers of one Redis (the lock's next-in-line, and batch lock tokens). */
  private readonly instance = randomBytes(8).toString('hex');
  private readonly locking: LockSettings;
  private readonly dedupTtl: number;
  private writerT?: Transport;
  private readerT?: Transport;
  private readerQueries?: RedisLogQueries;
  private closed = false;
  private shutdownPromise?: Promise<void>;

  /**
   * `options` in YAML form: `{ endpoint: 'redis://127.0.0.1:6379', retention: { requests: 7 } }`;
   * `cfg`, when given, is those options already parsed (the factory passes the collector's).
   */
  constructor(
    options: RedisExporterOptions = {},
    ctx: RedisExporterContext = {},
    cfg: RedisConfig = parseRedisOptions(options),
  ) {
    this.config = cfg;
    this.logger = ctx.logger ?? silentLogger;
    this.id = ctx.id ?? 'redis';
    this.telemetry = ctx.telemetry;
    this.keys = new KeySchema(cfg.key_prefix);
    this.plans = new PlanBuilder({
      keys: this.keys,
      mapper: new FieldMapper(cfg.mapping),
      indexes: new Set(cfg.indexes as IndexName[]),
      retention: cfg.retention,
      slowThresholdMs: cfg.slow_threshold,
      streamMaxLength: cfg.stream.max_length,
    });
    this.dedupTtl = Math.ceil(cfg.dedup_window / 1000);
    this.conn = {
      endpoint: cfg.endpoint,
      cluster: cfg.cluster,
      username: cfg.username,
      password: cfg.password,
      connectTimeout: cfg.connect_timeout,
      commandTimeout: ctx.commandTimeout ?? 5000,
    };
    // A lock outlives any sane attempt (else its EXEC is refused and the attempt starts over);
    // a writer that dies holding it delays the others this long at most.
    this.locking = { writer: this.instance, lockMs: Math.max(10_000, 4 * this.conn.commandTimeout), nextMs: 500 };
    const r = cfg.retention;
    this.cleanup = new Cleanup(
      () => this.writer(),
      this.keys,
      Math.max(r.requests, r.errors, r.oauth),
      cfg.response_times_window,
      cfg.cleanup_interval,
      this.logger,
    );
  }

  /** From a config the collector already validated. */
  static fromConfig(config: RedisConfig, ctx: RedisExporterContext = {}): RedisExporter {
    return new RedisExporter({}, ctx, config);
  }

  /** Starts connecting (not awaited: an unreachable Redis must not stop the collector), the trimming timer, and the routes. */
  async start(host?: Host): Promise<void> {
    if (this.closed) return;
    this.writer()
      .ready()
      .catch((err: unknown) => {
        this.logger.warn('Redis is not reachable yet; exports will retry.', {
          exporter: this.id,
          error: errorMessage(err),
        });
      });
    this.cleanup.start();
    if (!host || !this.config.serve_queries) return;
    const api = findQueryApi({ host, logger: this.logger, id: this.id, what: 'Redis /logs routes' });
    if (api) this.serveQueries(api);
  }

  /** Registers the `/logs/...` routes on a query API. */
  serveQueries(api: QueryApi): void {
    registerRoutesOnce(api, { logger: this.logger, id: this.id, what: 'Redis /logs routes' }, (a) =>
      registerRedisRoutes(
        a,
        () => this.queries(),
        () => this.plans.forgetExpires(),
      ),
    );
  }

  /** Without a span (in-process use): the batch is applied at most once within `dedup_window`, by its content. */
  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    this.send(records, undefined, resultCallback);
  }

  /** Its payload is the batch itself: each attempt plans its commands afresh. */
  prepare(records: ReadableLogRecord[]): ReadableLogRecord[] {
    return records;
  }

  /** With a span (a batch of a delivery log): applied at most once, with its position (see `appliedPosition`). */
  exportPrepared(records: ReadableLogRecord[], resultCallback: ResultCallback, span?: LogSpan): void {
    this.send(records, span, resultCallback);
  }

  /**
   * The end of the last span of `log` this exporter applied (0 if none), read from Redis. Rejects when
   * Redis cannot be reached: answering 0 then could make a restarted log number new records below
   * the stored position, and those would be taken for records already applied.
   */
  async appliedPosition(log: string): Promise<number> {
    const t = this.writer();
    try {
      return guardEnd(await t.readGuard(this.keys.position(this.id, log)));
    } catch (err) {
      throw new Error(`Could not read the Redis exporter's position in log "${log}": ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }

  private send(
    records: ReadableLogRecord[],
    span: LogSpan | undefined,
    resultCallback: (result: ExportResult) => void,
  ): void {
    if (this.closed) {
      resultCallback({ code: ExportResultCode.FAILED, error: new PermanentError('Redis exporter is shut down.') });
      return;
    }
    if (records.length === 0) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    this.write(records, span).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (err: unknown) =>
        resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) }),
    );
  }

  private async write(records: ReadableLogRecord[], span: LogSpan | undefined): Promise<void> {
    const t = this.writer();
    await t.ready();
    const nowSec = Math.floor(Date.now() / 1000);
    const initial = this.plans.build(records, nowSec);
    const first = span?.first ?? 0;
    const end = span?.end ?? 1;
    const guardKey =
      span !== undefined
        ? (_batch: string, tag?: string) => this.keys.position(this.id, span.log, tag)
        : (batch: string, tag?: string) => this.keys.batchMarker(batch, tag);
    const res = await t.applyOnce({
      first,
      end,
      initial,
      build: (from, renames) =>
        this.plans.build(from === first ? records : records.slice(from - first), nowSec, renames),
      guardKey,
      ttlSec: span === undefined ? this.dedupTtl : undefined,
      allocKey: span === undefined ? undefined : this.keys.allocation(this.id, span.log),
      allocTtlSec: this.dedupTtl,
      lockKeys: (tag) => this.keys.lock(tag),
      locking: this.locking,
      size: this.config.pipeline_size,
    });
    if (res.plan) this.plans.commit(res.plan);
    if (res.skipped) {
      this.logger.debug('Redis already holds this batch (an earlier attempt was applied); nothing written.', {
        exporter: this.id,
        ...(span ? { log: span.log, first: span.first, end: span.end } : {}),
      });
    }
    if (res.commandErrors > 0) {
      this.telemetry?.add(REDIS_COMMAND_ERRORS, res.commandErrors, { exporter: this.id });
      this.logger.burst(
        'warn',
        'command-errors',
        'Redis refused some writes; the keys involved hold another type of value.',
        {
          exporter: this.id,
          commands: res.commandErrors,
          error: res.firstError,
        },
      );
    }
  }

  /** Queries over what this exporter wrote, on a connection of their own (connected on first use). */
  queries(): RedisLogQueries {
    this.readerQueries ??= new RedisLogQueries(async () => {
      if (this.closed) throw new Error('Redis exporter is shut down.');
      this.readerT ??= this.transport('reader');
      if (this.readerT.kind === 'cluster') await this.readerT.ready();
      return this.readerT;
    }, this.keys);
    return this.readerQueries;
  }

  /** One trimming pass now (it also runs every `cleanup_interval`). */
  async trim(nowSec?: number): Promise<CleanupResult> {
    return this.cleanup.run(nowSec);
  }

  /** Nothing is buffered here: export() calls back once Redis has replied. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.close();
    return this.shutdownPromise;
  }

  private async close(): Promise<void> {
    this.closed = true;
    await this.cleanup.stop();
    await Promise.all([this.writerT?.close(), this.readerT?.close()]);
  }

  private writer(): Transport {
    this.writerT ??= this.transport('writer');
    return this.writerT;
  }

  private transport(role: string): Transport {
    const t = this.config.cluster ? new ClusterTransport(this.conn, role) : new StandaloneTransport(this.conn, role);
    t.onError((err) =>
      this.logger.burst('warn', `connection-${role}`, 'Redis connection failed; reconnecting in the background.', {
        exporter: this.id,
        error: err.message,
      }),
    );
    if (role === 'writer') t.onReconnect(() => this.plans.forgetExpires());
    return t;
  }
}
