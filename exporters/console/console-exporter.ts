// The `console` exporter: one human-readable line per record on stdout or
// stderr, coloured by level on a TTY. Each batch is one write.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { PermanentError, errorMessage } from '../../src/component/errors.js';
import type { PushExporter, ResultCallback } from '../../src/exporterhelper/push-exporter.js';
import { recordTimeMillis, severityLevel } from '../../src/model/log-record.js';
import { silentLogger, type InternalLogger } from '../../src/telemetry/logger.js';
import type { ConsoleConfig } from './config.js';
import { colorEnabled } from '../../src/format/color.js';
import { compactJson, formatHumanLine } from '../../src/format/human-line.js';

type Output = NodeJS.WritableStream & { isTTY?: boolean };

export interface ConsoleExporterOptions extends Partial<ConsoleConfig> {
  /** Write here instead of `output` (for embedding and tests). */
  stream?: Output;
  /** Environment consulted for NO_COLOR and FORCE_COLOR (defaults to process.env). */
  env?: Record<string, string | undefined>;
}

export class ConsoleExporter implements PushExporter<ReadableLogRecord[]> {
  /** Lines of consecutive batches stay in order. */
  readonly maxConcurrency = 1;
  readonly color: boolean;
  private readonly stream: Output;
  private readonly logger: InternalLogger;
  private readonly onError: (err: Error) => void;
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private shutdownPromise?: Promise<void>;

  constructor(options: ConsoleExporterOptions = {}, settings: { logger?: InternalLogger } = {}) {
    this.stream = options.stream ?? (options.output === 'stderr' ? process.stderr : process.stdout);
    this.color = colorEnabled(options.color ?? 'auto', this.stream, options.env);
    this.logger = settings.logger ?? silentLogger;
    // A closed pipe (EPIPE) must not crash the process; the write callback reports it.
    this.onError = (err) =>
      this.logger.burst('error', 'console-stream', 'The console output stream failed.', { error: err.message });
    this.stream.on('error', this.onError);
  }

  /** Its payload is the batch itself. */
  prepare(records: ReadableLogRecord[]): ReadableLogRecord[] {
    return records;
  }

  exportPrepared(records: ReadableLogRecord[], resultCallback: ResultCallback): void {
    this.export(records, resultCallback);
  }

  export(records: ReadableLogRecord[], resultCallback: ResultCallback): void {
    if (this.closed) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new PermanentError('The console exporter is shut down.'),
      });
      return;
    }
    let text = '';
    for (let i = 0; i < records.length; i++) text += this.line(records[i]!) + '\n';
    if (text === '') {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    this.inflight++;
    try {
      this.stream.write(text, (err?: Error | null) => this.done(resultCallback, err));
    } catch (err) {
      this.done(resultCallback, err as Error);
    }
  }

  /** The line for one record, without the newline. */
  line(r: ReadableLogRecord): string {
    const attrs = r.attributes;
    const comp = attrs.component;
    const fromAttr = typeof comp === 'string' && comp !== '';
    const component = fromAttr ? comp : componentFromResource(r);
    const body = r.body;
    const message =
      typeof body === 'string' ? body : body === undefined || body === null ? (r.eventName ?? '') : compactJson(body);
    // The event name is shown unless it is already an attribute or stands in as the message.
    const showEvent =
      r.eventName !== undefined && r.eventName !== '' && attrs['event.name'] === undefined && message !== r.eventName;
    let fields: Record<string, unknown> = attrs;
    if (fromAttr || showEvent) {
      fields = {};
      if (showEvent) fields['event.name'] = r.eventName;
      for (const k in attrs) if (!(fromAttr && k === 'component')) fields[k] = attrs[k];
    }
    return formatHumanLine(severityLevel(r), recordTimeMillis(r), component, message, fields, this.color);
  }

  forceFlush(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Waits for pending writes; the process stream itself is left open. Safe to call twice. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.closed = true;
      await this.forceFlush();
      this.stream.removeListener('error', this.onError);
    })();
    return this.shutdownPromise;
  }

  private done(cb: (result: ExportResult) => void, err: Error | null | undefined): void {
    this.inflight--;
    cb(
      err
        ? { code: ExportResultCode.FAILED, error: new Error(`Cannot write to the console: ${errorMessage(err)}`) }
        : { code: ExportResultCode.SUCCESS },
    );
    if (this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
}

/** `service.name` unless it is the SDK's `unknown_service…` placeholder, then the scope name. */
function componentFromResource(r: ReadableLogRecord): string {
  const svc = r.resource.attributes['service.name'];
  const service = typeof svc === 'string' ? svc : '';
  if (service !== '' && !service.startsWith('unknown_service')) return service;
  return r.instrumentationScope.name || service;
}
