// The redaction engine in its two homes: a collector pipeline processor, and
// a synchronous SDK LogRecordProcessor registered before the batch processor
// (records become read-only after onEmit, so redaction must happen there).
import { diag, type Context } from '@opentelemetry/api';
import type { AnyValue } from '@opentelemetry/api-logs';
import { emptyResource, type Resource } from '@opentelemetry/resources';
import type { LogRecordProcessor, ReadableLogRecord, SdkLogRecord } from '@opentelemetry/sdk-logs';
import { PermanentError, errorMessage } from '../../src/component/errors.js';
import type { CreateSettings, Host, LogsConsumer, Processor } from '../../src/component/types.js';
import { formatIssue, type ConfigIssue } from '../../src/config/schema.js';
import { M, type Labels, type Telemetry } from '../../src/telemetry/metrics.js';
import { redactionConfigSpec, type RedactionConfig, type RedactionOptions } from './config.js';
import { Redactor } from './redactor.js';
import { ResourceCache } from './resource-cache.js';

type Attrs = Record<string, AnyValue>;
/** Collector records (LogRecordData) are plain objects whose fields may be replaced. */
type MutableRecord = {
  attributes: Attrs;
  body?: AnyValue;
  resource: Resource;
  instrumentationScope: Scope;
  eventName?: string;
};
/** An instrumentation scope as records carry it (attributes only on collector records). */
type Scope = { name: string; version?: string; schemaUrl?: string; attributes?: Attrs };

/**
 * Scope attributes, redacted once per scope object (every record of a ScopeLogs
 * group shares it); an unchanged scope is kept as it is.
 */
class ScopeCache {
  private readonly cache = new WeakMap<object, Scope>();
  private changes = 0;
  constructor(private readonly redactor: Redactor) {}

  redact(scope: Scope | undefined): Scope | undefined {
    if (scope === undefined || scope === null || scope.attributes === undefined) return scope;
    let r = this.cache.get(scope);
    if (r === undefined) {
      const attrs: Attrs = { ...scope.attributes };
      const c = this.redactor.redactAttributes(attrs);
      const n = c.redacted + c.masked;
      r = n === 0 ? scope : { ...scope, attributes: attrs };
      this.changes += n;
      this.cache.set(scope, r);
      if (r !== scope) this.cache.set(r, r);
    }
    return r;
  }

  takeChanges(): number {
    const n = this.changes;
    this.changes = 0;
    return n;
  }
}

/** Redacts the record's event name (a free text that may also become a key name downstream). */
function redactEventName(redactor: Redactor, r: MutableRecord): number {
  const e = r.eventName;
  if (typeof e !== 'string' || e === '') return 0;
  const ne = redactor.redactText(e);
  if (ne === e) return 0;
  r.eventName = ne;
  return 1;
}

/** Collector pipeline processor: redacts each record, then hands the batch on. */
export class RedactionProcessor implements Processor {
  private readonly redactor: Redactor;
  private readonly resources: ResourceCache;
  private readonly scopes: ScopeCache;
  private readonly telemetry: Telemetry;
  private readonly labels: Labels;

  constructor(
    private readonly settings: CreateSettings,
    config: RedactionConfig,
    private readonly next: LogsConsumer,
  ) {
    this.redactor = new Redactor(config);
    this.resources = new ResourceCache(this.redactor);
    this.scopes = new ScopeCache(this.redactor);
    this.telemetry = settings.telemetry;
    this.labels = { processor: settings.id };
  }

  async start(_host: Host): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(records: ReadableLogRecord[]): Promise<void> {
    const redactor = this.redactor;
    let changes = 0;
    try {
      for (let i = 0; i < records.length; i++) {
        const r = records[i] as unknown as MutableRecord;
        const body = redactor.redactLog(r.attributes, r.body);
        if (body !== r.body) r.body = body;
        changes += redactor.changes;
        const res = this.resources.redact(r.resource);
        if (res !== r.resource) r.resource = res;
        const sc = this.scopes.redact(r.instrumentationScope);
        if (sc !== r.instrumentationScope) r.instrumentationScope = sc!;
        changes += redactEventName(redactor, r);
      }
    } catch (err) {
      // Nothing unredacted may pass: the whole batch is refused, permanently.
      this.telemetry.add(M.processorDropped, records.length, this.labels);
      this.settings.logger.burst('error', 'redaction-failed', 'Redaction failed; the batch was dropped.', {
        error: errorMessage(err),
      });
      return Promise.reject(new PermanentError(`Redaction failed: ${errorMessage(err)}`));
    }
    changes += this.resources.takeChanges() + this.scopes.takeChanges();
    if (changes > 0) this.telemetry.add(M.redacted, changes, this.labels);
    return this.next.consume(records);
  }
}

/** Parses in-process options with the YAML spec; throws one error listing every problem. */
export function parseRedactionOptions(options: RedactionOptions = {}): RedactionConfig {
  const issues: ConfigIssue[] = [];
  const cfg = redactionConfigSpec.parse(options, ['redaction'], issues);
  if (cfg === undefined) throw new Error(`Invalid redaction options: ${issues.map(formatIssue).join('; ')}`);
  return cfg;
}

/**
 * In-process redaction for the OpenTelemetry SDK. Register it first:
 * `new LoggerProvider({ processors: [createRedactionProcessor(), new BatchLogRecordProcessor({ exporter })] })`.
 * Options are the YAML keys (snake_case), all optional.
 */
export class RedactionLogRecordProcessor implements LogRecordProcessor {
  private readonly redactor: Redactor;
  private readonly resources: ResourceCache;
  private readonly scopes: ScopeCache;

  constructor(options: RedactionOptions = {}) {
    this.redactor = new Redactor(parseRedactionOptions(options));
    this.resources = new ResourceCache(this.redactor);
    this.scopes = new ScopeCache(this.redactor);
  }

  onEmit(record: SdkLogRecord, _context?: Context): void {
    // LogRecordImpl keeps attributes as its own plain object during onEmit, so it is edited in place.
    const attrs = record.attributes as Attrs;
    try {
      const body = this.redactor.redactLog(attrs, record.body);
      if (body !== record.body) record.setBody(body as AnyValue);
      const res = this.resources.redact(record.resource);
      if (res !== record.resource) (record as unknown as MutableRecord).resource = res;
      const m = record as unknown as MutableRecord;
      const sc = this.scopes.redact(m.instrumentationScope);
      if (sc !== m.instrumentationScope) m.instrumentationScope = sc!;
      if (typeof record.eventName === 'string' && record.eventName !== '') {
        const e = this.redactor.redactText(record.eventName);
        if (e !== record.eventName) record.eventName = e;
      }
    } catch (err) {
      // Never throw into the application, and never let an unredacted record through.
      for (const k of Object.keys(attrs)) delete attrs[k];
      record.setBody('[redaction failed]');
      (record as unknown as MutableRecord).resource = emptyResource();
      diag.error(`Redaction failed; the record's attributes and body were removed: ${errorMessage(err)}`);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A RedactionLogRecordProcessor with the privacy profile on and any YAML options given. */
export function createRedactionProcessor(options?: RedactionOptions): RedactionLogRecordProcessor {
  return new RedactionLogRecordProcessor(options);
}
