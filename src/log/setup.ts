// One line of setup: `useAuditline({ exporters: [...] })` builds a
// LoggerProvider whose single processor runs, in order, Auditline's redaction,
// any extra processors, and one AuditlineBatchProcessor per exporter, and makes
// the auditline/log functions write through it. Each stage is isolated: one
// that throws is reported and the others still get the record, except
// redaction, whose failure drops the record rather than let it out unredacted.
import type { Context } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  LoggerProvider,
  type LogRecordExporter,
  type LogRecordProcessor,
  type SdkLogRecord,
} from '@opentelemetry/sdk-logs';
import type { RedactionOptions } from '../../processors/redaction/config.js';
import { createRedactionProcessor } from '../../processors/redaction/redaction-processor.js';
import { AuditlineBatchProcessor, type AuditlineBatchProcessorOptions } from '../inprocess/batch-processor.js';
import { SEVERITY, levelOf, type Level } from './levels.js';
import { currentLogProvider, reportLogFailure, setLogProvider, setMinSeverity } from './state.js';

export interface UseAuditlineOptions {
  /** Where records go: any SDK LogRecordExporter (Auditline's SqliteExporter, MsgpackAuditExporter, RedisExporter, ConsoleExporter, ...). */
  exporters: LogRecordExporter[];
  /** Options of the redaction processor, in YAML form (default: the privacy profile). Redaction always runs first. */
  redaction?: RedactionOptions;
  /** Extra processors, run after redaction and before the exporters' batch processors. */
  processors?: LogRecordProcessor[];
  /** Options of each exporter's AuditlineBatchProcessor; `onError` defaults to the logging failure handler. */
  batch?: Omit<AuditlineBatchProcessorOptions, 'exporter'>;
  /** `service.name` of the resource (ignored when `resource` is given). */
  serviceName?: string;
  resource?: Resource;
  /** The lowest level written (TRACE..CRITICAL). Default: the `LOG_LEVEL` environment variable when it names a level, else TRACE (everything). */
  level?: Level;
  /** Also register the provider as the global OpenTelemetry LoggerProvider (only if none is registered yet). Default false. */
  global?: boolean;
}

export interface AuditlineLogging {
  readonly provider: LoggerProvider;
  /** Waits until every record written so far is exported. Never rejects; failures go to the handler. */
  flush(): Promise<void>;
  /** Flushes, shuts the exporters down, and sends the functions back to the global provider. Never rejects. */
  shutdown(): Promise<void>;
}

class Chain implements LogRecordProcessor {
  constructor(
    private readonly redaction: LogRecordProcessor,
    private readonly stages: LogRecordProcessor[],
  ) {}

  onEmit(record: SdkLogRecord, context?: Context): void {
    try {
      this.redaction.onEmit(record, context);
    } catch (err) {
      reportLogFailure(
        new Error(`Redaction failed; the record was dropped: ${err instanceof Error ? err.message : String(err)}`),
      );
      return;
    }
    for (const p of this.stages) {
      try {
        p.onEmit(record, context);
      } catch (err) {
        reportLogFailure(err);
      }
    }
  }

  forceFlush(): Promise<void> {
    return all(this.stages, (p) => p.forceFlush());
  }

  async shutdown(): Promise<void> {
    await all(this.stages, (p) => p.shutdown());
    await all([this.redaction], (p) => p.shutdown());
  }
}

async function all(ps: LogRecordProcessor[], f: (p: LogRecordProcessor) => Promise<void>): Promise<void> {
  await Promise.all(
    ps.map(async (p) => {
      try {
        await f(p);
      } catch (err) {
        reportLogFailure(err);
      }
    }),
  );
}

/**
 * `useAuditline({ exporters: [new SqliteExporter({ path: './audit.db' })] })`: from then on
 * logInfo() and the others write through redaction and Auditline's batch processor to these
 * exporters. Throws only on invalid options (setup, not logging). Call `shutdown()` before exit.
 */
export function useAuditline(options: UseAuditlineOptions): AuditlineLogging {
  if (!options || !Array.isArray(options.exporters))
    throw new TypeError('useAuditline: `exporters` must be an array of LogRecordExporters.');
  const redaction = createRedactionProcessor(options.redaction);
  const batchOptions = { onError: reportLogFailure, ...options.batch };
  const stages: LogRecordProcessor[] = [
    ...(options.processors ?? []),
    ...options.exporters.map((exporter) => new AuditlineBatchProcessor({ ...batchOptions, exporter })),
  ];
  const resource =
    options.resource ??
    (options.serviceName ? resourceFromAttributes({ 'service.name': options.serviceName }) : undefined);
  const provider = new LoggerProvider({
    ...(resource ? { resource } : {}),
    processors: [new Chain(redaction, stages)],
  });
  let registeredGlobal = false;
  if (options.global) registeredGlobal = logs.setGlobalLoggerProvider(provider) === provider;
  setLogProvider(provider);
  const level = options.level ?? levelOf(process.env.LOG_LEVEL, 'TRACE');
  setMinSeverity(SEVERITY[levelOf(level, 'TRACE')]);
  let stopped: Promise<void> | undefined;
  return {
    provider,
    async flush() {
      try {
        await provider.forceFlush();
      } catch (err) {
        reportLogFailure(err);
      }
    },
    shutdown() {
      stopped ??= (async () => {
        if (currentLogProvider() === provider) {
          setLogProvider(undefined);
          setMinSeverity(0);
        }
        if (registeredGlobal && logs.getLoggerProvider() === provider) logs.disable();
        try {
          await provider.shutdown();
        } catch (err) {
          reportLogFailure(err);
        }
      })();
      return stopped;
    },
  };
}
