// Builds the component graph from a validated config and runs it:
// extensions start first, then exporters, processors (last to first) and
// receivers; shutdown runs in the reverse order so everything in flight is
// flushed downstream before the exporters close.
import type { Exporter, Extension, Host, LogsConsumer, Processor, Receiver } from '../component/types.js';
import type { ServiceConfig } from '../config/load.js';
import { createLogger, type InternalLogger } from '../telemetry/logger.js';
import { Telemetry } from '../telemetry/metrics.js';
import { ExporterFanout, PipelineFanout } from './fanout.js';
import { QueuedExporter } from '../exporterhelper/queued-exporter.js';
import { ForwardingExporter, type Forward } from './forwarding-exporter.js';
import { PipelineWorkers } from './worker-pool.js';
import { RecordTap } from './tap.js';

export interface ServiceOptions {
  logger?: InternalLogger;
  telemetry?: Telemetry;
  /** Build only processors and exporters (a pipeline worker): no extensions, no receivers, no workers of its own. */
  pipelinesOnly?: boolean;
  /** In a pipeline worker: how payloads of exporters with a `preparer` reach the main thread. */
  forward?: Forward;
}

interface Named<T> { id: string; component: T }

export class Service {
  readonly logger: InternalLogger;
  readonly telemetry: Telemetry;
  readonly tap = new RecordTap();
  private readonly extensions: Named<Extension>[] = [];
  private readonly exporters = new Map<string, Exporter>();
  /** Per pipeline, processors in data order. */
  private readonly processors: Named<Processor>[][] = [];
  private readonly receivers = new Map<string, Receiver>();
  /** Per receiver id, the consumer its records go to (a pipeline head, or a fan-out to several). */
  private readonly heads = new Map<string, LogsConsumer>();
  private readonly workers?: PipelineWorkers;
  readonly host: Host;
  private shutdownPromise?: Promise<void>;

  constructor(private readonly cfg: ServiceConfig, opts: ServiceOptions = {}) {
    this.logger = opts.logger ?? createLogger('auditline', { level: cfg.logLevel });
    this.telemetry = opts.telemetry ?? new Telemetry();
    this.host = {
      getExtension: <T>(id: string) => this.extensions.find((e) => e.id === id)?.component as T | undefined,
      findExtension: <T>(type: string) => this.extensions.find((e) => cfg.extensions.get(e.id)?.type === type)?.component as T | undefined,
      tap: this.tap,
      logger: this.logger,
      telemetry: this.telemetry,
    };
    if (cfg.workers > 0 && !opts.pipelinesOnly) {
      if (!cfg.source) throw new Error('service.workers needs the config loaded from YAML text (loadConfigText or loadConfigFile).');
      this.workers = new PipelineWorkers(cfg.workers, cfg.source, this.telemetry, this.tap, this.logger, (id) => {
        const e = this.exporters.get(id);
        return e instanceof QueuedExporter ? e : undefined;
      });
    }
    this.build(opts);
  }

  /** The consumer records from receiver `id` enter (for pipeline workers, which have no receivers). */
  head(id: string): LogsConsumer | undefined {
    return this.heads.get(id);
  }

  /** A started component by id, for tests and the CLI (e.g. the bound port of a receiver). */
  component<T>(id: string): T | undefined {
    return (this.receivers.get(id) ?? this.exporters.get(id) ?? this.extensions.find((e) => e.id === id)?.component) as T | undefined;
  }

  private settings(id: string) {
    return { id, logger: this.logger.child(id), telemetry: this.telemetry };
  }

  private build({ pipelinesOnly = false, forward }: ServiceOptions): void {
    const cfg = this.cfg;
    for (const id of pipelinesOnly ? [] : cfg.serviceExtensions) {
      const c = cfg.extensions.get(id)!;
      if (c.factory.kind !== 'extension') continue;
      this.extensions.push({ id, component: c.factory.create(this.settings(id), c.config) });
    }
    const used = new Set(cfg.pipelines.flatMap((p) => p.exporters));
    for (const id of used) {
      const c = cfg.exporters.get(id)!;
      if (c.factory.kind !== 'exporter') continue;
      // Only a pipeline worker is given `forward`.
      this.exporters.set(id, c.factory.preparer && forward
        ? new ForwardingExporter(id, c.factory.preparer(this.settings(id), c.config), forward)
        : c.factory.create(this.settings(id), c.config));
    }
    const heads = new Map<string, LogsConsumer[]>();
    for (const p of cfg.pipelines) {
      let next: LogsConsumer = new ExporterFanout(p.name, p.exporters.map((id) => this.exporters.get(id)!), this.tap);
      const chain: Named<Processor>[] = [];
      for (const id of [...p.processors].reverse()) {
        const c = cfg.processors.get(id)!;
        if (c.factory.kind !== 'processor') continue;
        const proc: Processor = c.factory.create(this.settings(`${id}@${p.name}`), c.config, next);
        chain.unshift({ id: `${id} (${p.name})`, component: proc });
        next = proc;
      }
      this.processors.push(chain);
      for (const r of p.receivers) heads.set(r, [...(heads.get(r) ?? []), next]);
    }
    for (const [id, consumers] of heads) {
      const c = cfg.receivers.get(id)!;
      if (c.factory.kind !== 'receiver') continue;
      const head = consumers.length === 1 ? consumers[0]! : new PipelineFanout(consumers);
      this.heads.set(id, head);
      if (pipelinesOnly) continue;
      const next = this.workers ? this.workers.dispatcher(id, head) : head;
      this.receivers.set(id, c.factory.create(this.settings(id), c.config, next));
    }
  }

  async start(): Promise<void> {
    const order: { id: string; component: Extension | Exporter | Processor | Receiver }[] = [
      ...this.extensions,
      ...[...this.exporters].map(([id, component]) => ({ id, component })),
      ...this.processors.flatMap((chain) => [...chain].reverse()),
      ...(this.workers ? [{ id: 'pipeline workers', component: { start: () => this.workers!.start(), shutdown: () => this.workers!.shutdown() } }] : []),
      ...[...this.receivers].map(([id, component]) => ({ id, component })),
    ];
    for (const c of order) {
      try {
        await c.component.start(this.host);
      } catch (err) {
        this.logger.error('A component failed to start; shutting down what started.', { component: c.id, error: err as Error });
        await this.shutdown();
        throw new Error(`Component "${c.id}" failed to start: ${(err as Error).message}`);
      }
    }
    if (this.receivers.size > 0) this.logger.info('Auditline is running.', {
      pipelines: this.cfg.pipelines.map((p) => p.name).join(' '),
    });
  }

  /** Flushes everything in flight and stops. Safe to call twice and before start. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    // Receivers first (stop taking), then processors from the head so their
    // flushes land in exporters that are still open, then exporters, then extensions.
    const stop = async (c: Named<Extension | Exporter | Processor | Receiver>) => {
      try {
        await c.component.shutdown();
      } catch (err) {
        this.logger.error('A component failed to shut down cleanly.', { component: c.id, error: err as Error });
      }
    };
    const named = <T>(m: Map<string, T>) => [...m].map(([id, component]) => ({ id, component }));
    await Promise.all(named(this.receivers).map(stop));
    if (this.workers) await stop({ id: 'pipeline workers', component: this.workers });
    await Promise.all(this.processors.map(async (chain) => { for (const p of chain) await stop(p); }));
    await Promise.all(named(this.exporters).map(stop));
    for (const e of [...this.extensions].reverse()) await stop(e);
  }
}
