// The component model: four kinds, each built by a factory from a validated
// config. Receivers push into a LogsConsumer; processors are consumers that
// forward to the next consumer; exporters are consumers at the end.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Spec } from '../config/schema.js';
import type { InternalLogger } from '../telemetry/logger.js';
import type { Telemetry } from '../telemetry/metrics.js';
import type { RecordTap } from '../pipeline/tap.js';
import type { ExporterHelperSettings } from '../exporterhelper/config.js';
import type { PushExporter } from '../exporterhelper/push-exporter.js';
import type { BatchSettings } from '../delivery/log-cursor.js';

export type Kind = 'receiver' | 'processor' | 'exporter' | 'extension';

/** What a running component can reach: other extensions, self-telemetry, the live tap. */
export interface Host {
  getExtension<T = unknown>(id: string): T | undefined;
  /** Extensions by type, e.g. the query API for route registration. */
  findExtension<T = unknown>(type: string): T | undefined;
  readonly tap: RecordTap;
  readonly logger: InternalLogger;
  readonly telemetry: Telemetry;
}

export interface Lifecycle {
  /** Returns quickly; background work is started, not awaited. */
  start(host: Host): Promise<void>;
  /** Flushes and stops every timer. Safe without start and safe to call twice. */
  shutdown(): Promise<void>;
}

/**
 * Takes records. The promise resolves once this consumer (or one after it)
 * has taken responsibility for them; it rejects with a BackpressureError when
 * it cannot take more, and the receiver turns that into 429/503.
 */
export interface LogsConsumer {
  /** `wireBytes`: the records' encoded size as received, when known (sizes the delivery log's byte bound). */
  consume(records: ReadableLogRecord[], wireBytes?: number): Promise<void>;
}

export type Receiver = Lifecycle;
export type Processor = Lifecycle & LogsConsumer;
export type Exporter = Lifecycle & LogsConsumer;
/** The Collector's PipelineWatcher: told when every pipeline has started and when shutdown begins. */
export interface PipelineWatcher {
  ready(): void;
  notReady(): void;
}
export type Extension = Lifecycle & Partial<PipelineWatcher>;

export interface CreateSettings {
  /** Component id as written in YAML: `type[/name]`. */
  id: string;
  logger: InternalLogger;
  telemetry: Telemetry;
}

interface FactoryBase<K extends Kind, C> {
  kind: K;
  type: string;
  /** Other type names that load the same factory (e.g. `otlphttp` for `otlp_http`). */
  aliases?: string[];
  description: string;
  config: Spec<C>;
}

export interface ReceiverFactory<C = any> extends FactoryBase<'receiver', C> {
  create(settings: CreateSettings, config: C, next: LogsConsumer): Receiver;
}
export interface ProcessorFactory<C = any> extends FactoryBase<'processor', C> {
  create(settings: CreateSettings, config: C, next: LogsConsumer): Processor;
  /** For a batching processor: how the pipeline's exporter cursors batch records in its place. */
  batchSettings?(config: C): BatchSettings;
}
export interface ExporterFactory<C = any> extends FactoryBase<'exporter', C> {
  /**
   * One instance writes the exporter's target (a database, files). With pipeline workers, each worker's
   * cursor runs the exporter's `prepare` on its own thread (an unstarted instance) and sends the payload
   * to the one started instance on the main thread. Unset: every worker runs its own copy.
   */
  singleWriter?: boolean;
  create(settings: CreateSettings, config: C): Exporter;
  /**
   * The bare exporter and its sending settings, for a collector pipeline: the pipeline's delivery
   * log and this exporter's cursor into it do the queueing, batching and retries.
   */
  createPush?(settings: CreateSettings, config: C): { exporter: PushExporter; helper: ExporterHelperSettings };
}
export interface ExtensionFactory<C = any> extends FactoryBase<'extension', C> {
  create(settings: CreateSettings, config: C): Extension;
}

export type Factory = ReceiverFactory | ProcessorFactory | ExporterFactory | ExtensionFactory;
