// Builds the component graph from a validated config and runs it. Each
// pipeline is: receivers → processors → the pipeline's delivery log →
// one cursor per exporter (see src/delivery/). Extensions start first, then
// exporters, the logs and cursors, processors and receivers; shutdown stops
// intake everywhere first, then lets every cursor drain, then closes the
// exporters and extensions.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Exporter, Extension, Host, LogsConsumer, Processor, Receiver } from '../component/types.js';
import { obj } from '../config/schema.js';
import { modesOf } from '../config/file-mode.js';
import type { ServiceConfig } from '../config/load.js';
import { createLogger, type InternalLogger } from '../telemetry/logger.js';
import { Telemetry } from '../telemetry/metrics.js';
import { countingItems, PROCESSOR_ITEMS, processorLabels } from '../telemetry/processor-items.js';
import { exporterHelperFields, type ExporterHelperSettings } from '../exporterhelper/config.js';
import type { PushExporter, ResultCallback } from '../exporterhelper/push-exporter.js';
import { DeliveryLog, MemoryBudget } from '../delivery/delivery-log.js';
import { LogCursor, type BatchSettings } from '../delivery/log-cursor.js';
import { PipelineTail } from '../delivery/pipeline-tail.js';
import { RequestIntake, type IntakePipeline } from '../delivery/request-intake.js';
import { SegmentStore } from '../delivery/segment-store.js';
import { logFolder, orphanedWorkerLogs } from '../delivery/worker-log-folders.js';
import { ForwardingExporter, type Forward } from './forwarding-exporter.js';
import { PipelineWorkers } from './worker-pool.js';
import { RecordTap } from './tap.js';

/** How often shutdown repeats what it is still waiting for. */
const DRAIN_REPORT_MS = 5000;

export interface ServiceOptions {
  logger?: InternalLogger;
  telemetry?: Telemetry;
  /** Build only processors, logs and exporters (a pipeline worker): no extensions, no receivers, no workers of its own. */
  pipelinesOnly?: boolean;
  /** In a pipeline worker: how payloads of exporters prepared in workers reach the main thread. */
  forward?: Forward;
  /** In a pipeline worker: its number, which names its delivery logs (`logs#w1`). */
  workerIndex?: number;
}

interface Named<T> {
  id: string;
  component: T;
}
interface ExporterEntry {
  id: string;
  push: PushExporter;
  helper: ExporterHelperSettings;
  started: boolean;
}
interface LogRuntime {
  name: string;
  log: DeliveryLog;
  batch: BatchSettings;
  exporters: string[];
  cursors: LogCursor[];
}
/** A worker's durable log left by a run with more workers: drained, then its folder removed. */
interface OrphanedLog extends LogRuntime {
  dir: string;
  disposed: boolean;
}
interface DurableStorage {
  directory: string;
  fsync: boolean;
  file_mode: string;
  dir_mode: string;
}

/** An exporter factory without `createPush` (written against the consumer interface) behind a cursor. */
function consumerAsPush(e: Exporter): { exporter: PushExporter; helper: ExporterHelperSettings } {
  const exportRecords = (records: ReadableLogRecord[], cb: ResultCallback) => {
    e.consume(records).then(
      () => cb({ code: ExportResultCode.SUCCESS }),
      (error: Error) => cb({ code: ExportResultCode.FAILED, error }),
    );
  };
  const exporter: PushExporter<ReadableLogRecord[]> = {
    start: (host) => e.start(host),
    shutdown: () => e.shutdown(),
    forceFlush: async () => {},
    prepare: (records) => records,
    exportPrepared: exportRecords,
    export: exportRecords,
  };
  return { exporter, helper: defaultHelper() };
}

const defaultHelper = (): ExporterHelperSettings =>
  obj(exporterHelperFields).parse({}, [], [])! as ExporterHelperSettings;

const DEFAULT_BATCH: BatchSettings = { size: 8192, maxSize: 8192, timeoutMs: 200 };
const MIB = 1024 * 1024;
const APPLIED_TIMEOUT_MS = 5_000;

export class Service {
  readonly logger: InternalLogger;
  readonly telemetry: Telemetry;
  readonly tap = new RecordTap();
  private readonly extensions: Named<Extension>[] = [];
  private readonly exporters = new Map<string, ExporterEntry>();
  /** Per pipeline, processors in data order. */
  private readonly processors: Named<Processor>[][] = [];
  private readonly pipelines: LogRuntime[] = [];
  private readonly orphaned: OrphanedLog[] = [];
  private readonly receivers = new Map<string, Receiver>();
  /** Per receiver id, the intake its records go to. */
  private readonly heads = new Map<string, LogsConsumer>();
  private readonly workers?: PipelineWorkers;
  private readonly budget: MemoryBudget;
  readonly host: Host;
  private shutdownPromise?: Promise<void>;
  private startedLogs = false;

  constructor(
    private readonly cfg: ServiceConfig,
    private readonly opts: ServiceOptions = {},
  ) {
    this.logger = opts.logger ?? createLogger('auditline', { level: cfg.logLevel });
    this.telemetry = opts.telemetry ?? new Telemetry();
    this.host = {
      getExtension: <T>(id: string) => this.extensions.find((e) => e.id === id)?.component as T | undefined,
      findExtension: <T>(type: string) =>
        this.extensions.find((e) => cfg.extensions.get(e.id)?.type === type)?.component as T | undefined,
      tap: this.tap,
      logger: this.logger,
      telemetry: this.telemetry,
    };
    const threads = Math.max(1, cfg.workers);
    this.budget = new MemoryBudget(
      Math.floor((cfg.delivery.memory_limit_mib * MIB) / (opts.pipelinesOnly ? threads : 1)),
    );
    if (cfg.workers > 0 && !opts.pipelinesOnly) {
      if (!cfg.source)
        throw new Error('service.workers needs the config loaded from YAML text (loadConfigText or loadConfigFile).');
      this.workers = new PipelineWorkers(
        cfg.workers,
        cfg.source,
        this.telemetry,
        this.tap,
        this.logger,
        (id) => this.exporters.get(id)?.push,
      );
    }
    this.build();
  }

  /** The consumer records from receiver `id` enter (for pipeline workers, which have no receivers). */
  head(id: string): LogsConsumer | undefined {
    return this.heads.get(id);
  }

  /** A started component by id, for tests and the CLI (e.g. the bound port of a receiver, an exporter). */
  component<T>(id: string): T | undefined {
    return (this.receivers.get(id) ??
      this.exporters.get(id)?.push ??
      this.extensions.find((e) => e.id === id)?.component) as T | undefined;
  }

  /** The delivery log of pipeline `name` (for tests and the bench). */
  deliveryLog(name: string): DeliveryLog | undefined {
    return this.pipelines.find((p) => p.name === name)?.log;
  }

  private settings(id: string) {
    return { id, logger: this.logger.child(id), telemetry: this.telemetry };
  }

  private logName(pipeline: string): string {
    return this.opts.workerIndex ? `${pipeline}#w${this.opts.workerIndex}` : pipeline;
  }

  private build(): void {
    const cfg = this.cfg;
    const { pipelinesOnly = false, forward } = this.opts;
    for (const id of pipelinesOnly ? [] : cfg.serviceExtensions) {
      const c = cfg.extensions.get(id)!;
      if (c.factory.kind !== 'extension') continue;
      this.extensions.push({ id, component: c.factory.create(this.settings(id), c.config) });
    }
    const used = new Set(cfg.pipelines.flatMap((p) => p.exporters));
    for (const id of used) {
      const c = cfg.exporters.get(id)!;
      if (c.factory.kind !== 'exporter') continue;
      const { exporter, helper } =
        c.factory.createPush?.(this.settings(id), c.config) ??
        consumerAsPush(c.factory.create(this.settings(id), c.config));
      // Only a pipeline worker is given `forward`: it prepares, the main thread's instance writes.
      const push = c.factory.singleWriter && forward ? new ForwardingExporter(id, exporter, forward) : exporter;
      this.exporters.set(id, { id, push, helper, started: false });
    }
    const tails = new Map<string, IntakePipeline[]>();
    cfg.pipelines.forEach((p, index) => {
      let next: LogsConsumer = new PipelineTail(index);
      let batch = DEFAULT_BATCH;
      const chain: Named<Processor>[] = [];
      for (const id of [...p.processors].reverse()) {
        const c = cfg.processors.get(id)!;
        if (c.factory.kind !== 'processor') continue;
        if (c.factory.batchSettings) batch = c.factory.batchSettings(c.config);
        const settings = this.settings(`${id}@${p.name}`);
        const labels = processorLabels(settings.id);
        const proc: Processor = c.factory.create(
          settings,
          c.config,
          countingItems(next, this.telemetry, PROCESSOR_ITEMS.outgoing, labels),
        );
        chain.unshift({ id: `${id} (${p.name})`, component: proc });
        next = countingItems(proc, this.telemetry, PROCESSOR_ITEMS.incoming, labels);
      }
      this.processors.push(chain);
      const log = this.createLog(p.name, p.exporters);
      this.pipelines.push({ name: p.name, log, batch, exporters: p.exporters, cursors: [] });
      if (!pipelinesOnly) this.findOrphanedLogs(p.name, p.exporters, batch);
      for (const r of p.receivers) tails.set(r, [...(tails.get(r) ?? []), { name: p.name, head: next, log, index }]);
    });
    for (const [id, pipelines] of tails) {
      const c = cfg.receivers.get(id)!;
      if (c.factory.kind !== 'receiver') continue;
      const head = new RequestIntake(pipelines, this.pipelines.length, this.tap, this.logger.child(id));
      this.heads.set(id, head);
      if (pipelinesOnly) continue;
      const next = this.workers ? this.workers.dispatcher(id, head) : head;
      this.receivers.set(id, c.factory.create(this.settings(id), c.config, next));
    }
  }

  /** Durable when `service.delivery.storage`, or an exporter's `sending_queue.storage`, names a file_storage. */
  private createLog(pipeline: string, exporters: string[]): DeliveryLog {
    const name = this.logName(pipeline);
    const fs = this.durableStorage(exporters);
    if (!fs) return new DeliveryLog(name, this.budget);
    return this.durableLog(name, fs);
  }

  private durableLog(name: string, fs: DurableStorage): DeliveryLog {
    const dir = join(fs.directory, 'delivery', logFolder(name));
    return new DeliveryLog(
      name,
      this.budget,
      new SegmentStore(dir, fs.fsync, modesOf(fs)),
      this.cfg.delivery.disk_limit_mib * MIB,
    );
  }

  private durableStorage(exporters: string[]): DurableStorage | undefined {
    let storage = this.cfg.delivery.storage;
    for (const id of exporters) {
      const q = (
        this.cfg.exporters.get(id)?.config as { sending_queue?: { enabled?: boolean; storage?: string } } | undefined
      )?.sending_queue;
      if (!storage && q?.enabled && q.storage) storage = q.storage;
    }
    if (!storage) return undefined;
    const fs = this.cfg.extensions.get(storage)?.config as DurableStorage | undefined;
    if (!fs) throw new Error(`Delivery storage "${storage}" is not a configured file_storage extension.`);
    return fs;
  }

  /** Durable logs of pipeline workers a run with more `service.workers` left (`logs#w2` with one worker now). */
  private findOrphanedLogs(pipeline: string, exporters: string[], batch: BatchSettings): void {
    const fs = this.durableStorage(exporters);
    if (!fs) return;
    const deliveryDir = join(fs.directory, 'delivery');
    for (const name of orphanedWorkerLogs(deliveryDir, pipeline, this.cfg.workers)) {
      const log = this.durableLog(name, fs);
      this.orphaned.push({
        name: pipeline,
        log,
        batch,
        exporters,
        cursors: [],
        dir: join(deliveryDir, logFolder(name)),
        disposed: false,
      });
    }
  }

  async start(): Promise<void> {
    const steps: { id: string; run: () => Promise<void> }[] = [
      ...this.extensions.map((e) => ({ id: e.id, run: () => e.component.start(this.host) })),
      ...[...this.exporters.values()].map((e) => ({
        id: e.id,
        run: async () => {
          await e.push.start?.(this.host);
          e.started = true;
        },
      })),
      { id: 'delivery logs', run: () => this.startLogs() },
      ...this.processors
        .flatMap((chain) => [...chain].reverse())
        .map((p) => ({ id: p.id, run: () => p.component.start(this.host) })),
      ...(this.workers ? [{ id: 'pipeline workers', run: () => this.workers!.start() }] : []),
      ...[...this.receivers].map(([id, r]) => ({ id, run: () => r.start(this.host) })),
    ];
    for (const s of steps) {
      try {
        await s.run();
      } catch (err) {
        this.logger.error('A component failed to start; shutting down what started.', {
          component: s.id,
          error: err as Error,
        });
        await this.shutdown();
        throw new Error(`Component "${s.id}" failed to start: ${(err as Error).message}`, { cause: err });
      }
    }
    for (const e of this.extensions) e.component.ready?.();
    if (this.receivers.size > 0)
      this.logger.info('Auditline is running.', {
        pipelines: this.cfg.pipelines.map((p) => p.name).join(' '),
        delivery: this.pipelines.some((p) => p.log.durable) ? 'durable' : 'memory',
      });
  }

  /**
   * Opens each log and starts its cursors. Positions resume from the larger of the cursor's committed
   * position and the sink's own record, and never go below any sink's record (see DeliveryLog.open).
   */
  private async startLogs(): Promise<void> {
    for (const p of this.pipelines) {
      await this.startCursors(p);
      if (p.log.durable && p.log.end > p.log.start) {
        this.logger.info('Resuming the delivery log.', { pipeline: p.name, records: p.log.backlogTotal() });
      }
    }
    for (const o of this.orphaned) {
      await this.startCursors(o);
      // Nothing appends to it: its cursors stop once they have read everything.
      o.log.close();
      this.logger.info('Draining the delivery log of a pipeline worker that is no longer configured.', {
        pipeline: o.name,
        log: o.log.name,
        records: o.log.backlogTotal(),
      });
      void Promise.all(o.cursors.map((c) => c.finished())).then(() => this.removeDrained(o));
    }
    this.startedLogs = true;
  }

  /** A drained orphaned log's folder goes: a later run with that worker again starts its log afresh. */
  private removeDrained(o: OrphanedLog): void {
    if (o.disposed || this.shutdownPromise || o.log.backlogTotal() > 0) return;
    o.disposed = true;
    o.log.dispose();
    try {
      rmSync(o.dir, { recursive: true, force: true });
      this.logger.info('Drained the delivery log of a pipeline worker that is no longer configured.', {
        log: o.log.name,
      });
    } catch (err) {
      this.logger.warn('Could not remove a drained delivery log.', { log: o.log.name, error: (err as Error).message });
    }
  }

  private async startCursors(p: LogRuntime): Promise<void> {
    const applied = new Map<string, number>();
    for (const id of p.exporters) applied.set(id, await this.appliedPosition(id, p.log.name));
    // New positions also start above the clock in µs: a sink that could not be asked (down at
    // start) still never holds a position above them, since no run writes a record per µs.
    const saved = p.log.open(Math.max(Date.now() * 1000, ...applied.values()));
    const from = new Map(p.exporters.map((id) => [id, Math.max(saved[id] ?? 0, applied.get(id) ?? 0)]));
    // Every cursor is registered before any starts: starting one commits its position, which releases
    // (and trims from disk) what every registered cursor has passed. Registered one by one, an exporter
    // further ahead would release recovered records a later-listed one still needs, and that one's
    // cursor would be clamped past them: records acknowledged before a restart, silently skipped.
    for (const [id, pos] of from) p.log.addCursor(id, pos);
    for (const id of p.exporters) {
      const e = this.exporters.get(id)!;
      const cursor = new LogCursor(p.log, e.push, this.settings(id), e.helper, p.batch);
      cursor.start(from.get(id)!);
      p.cursors.push(cursor);
    }
  }

  /** A sink's own position for `log`; 0 when it cannot say now (it still skips what it has when writing). */
  private async appliedPosition(id: string, log: string): Promise<number> {
    const e = this.exporters.get(id)!;
    if (!e.push.appliedPosition) return 0;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        e.push.appliedPosition(log),
        new Promise<number>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer in 5 s')), APPLIED_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      this.logger.warn(
        "Could not read an exporter's stored position at start; it will skip what it already has as it writes.",
        {
          exporter: id,
          log,
          error: (err as Error).message,
        },
      );
      return 0;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGHUP: output files are closed and reopened (logrotate); nothing else is reloaded. */
  async reopen(): Promise<void> {
    for (const e of this.exporters.values()) {
      try {
        await e.push.reopen?.();
      } catch (err) {
        this.logger.error('An exporter could not reopen its files.', { exporter: e.id, error: err as Error });
      }
    }
  }

  /** Flushes everything in flight and stops. Safe to call twice and before start. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  /** Says what shutdown waits for: each exporter's records still to deliver, again every few seconds. */
  private reportDrain(): () => void {
    const report = (message: string) => {
      for (const p of this.pipelines) {
        for (const id of p.exporters) {
          const records = p.log.backlog(id);
          if (records > 0) this.logger.info(message, { exporter: id, pipeline: p.name, records });
        }
      }
    };
    report('Shutdown is draining records to an exporter.');
    const timer = setInterval(
      () => report('Shutdown is still draining records to an exporter.'),
      DRAIN_REPORT_MS,
    ).unref();
    return () => clearInterval(timer);
  }

  private async doShutdown(): Promise<void> {
    const stop = async (id: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        this.logger.error('A component failed to shut down cleanly.', { component: id, error: err as Error });
      }
    };
    for (const e of this.extensions) e.component.notReady?.();
    // Intake stops everywhere at once: a request that has not been appended yet is refused (503).
    for (const p of this.pipelines) p.log.close();
    const logs = [...this.pipelines, ...this.orphaned.filter((o) => !o.disposed)];
    await Promise.all([...this.receivers].map(([id, r]) => stop(id, () => r.shutdown())));
    if (this.workers) await stop('pipeline workers', () => this.workers!.shutdown());
    await Promise.all(
      this.processors.map(async (chain) => {
        for (const p of chain) await stop(p.id, () => p.component.shutdown());
      }),
    );
    // Then every cursor drains what was acknowledged: in memory mode for as long as its exporter's
    // max_elapsed_time allows, in durable mode for one export timeout (the rest waits on disk).
    const stopReport = this.reportDrain();
    await Promise.all(
      logs.flatMap((p) =>
        p.cursors.map((c, i) => {
          const e = this.exporters.get(p.exporters[i]!)!;
          const r = e.helper.retry_on_failure;
          const deadline = p.log.durable
            ? e.helper.timeout * 2
            : r.max_elapsed_time > 0
              ? r.max_elapsed_time
              : 2 ** 31 - 1;
          return stop(e.id, () => c.drain(Math.min(deadline, 2 ** 31 - 1)));
        }),
      ),
    );
    stopReport();
    await Promise.all(
      [...this.exporters.values()].map((e) =>
        stop(e.id, async () => {
          try {
            await e.push.forceFlush?.();
          } finally {
            await e.push.shutdown();
          }
        }),
      ),
    );
    if (this.startedLogs) for (const p of logs) p.log.dispose();
    for (const e of [...this.extensions].reverse()) await stop(e.id, () => e.component.shutdown());
  }
}
