// Forwards records to another collector or gateway over OTLP/HTTP using the
// official OpenTelemetry JS exporters: `@opentelemetry/exporter-logs-otlp-proto`
// for `encoding: proto`, `@opentelemetry/exporter-logs-otlp-http` for `json`.
// The package is loaded at start, so a missing optional package is a clear
// start-up error rather than a crash when the registry is imported.
//
// Error classes, as the Collector's otlphttp exporter: 429, 502, 503 and 504
// (and network errors and timeouts) are retryable and go back to the sending
// queue's retry; any other HTTP status is permanent and the batch is dropped
// and counted. The SDK exporter also retries retryable statuses by itself
// within one `timeout` (honouring Retry-After) before reporting a failure.
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { PermanentError } from '../../src/component/errors.js';
import type { Host } from '../../src/component/types.js';
import type { PushExporter } from '../../src/exporterhelper/queued-exporter.js';
import { logsUrl, type OtlpHttpConfig } from './config.js';

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

const PACKAGES = {
  proto: '@opentelemetry/exporter-logs-otlp-proto',
  json: '@opentelemetry/exporter-logs-otlp-http',
} as const;

interface SdkExporterModule {
  OTLPLogExporter: new (config: Record<string, unknown>) => LogRecordExporter;
}

export class OtlpHttpLogExporter implements PushExporter {
  readonly url: string;
  private inner?: LogRecordExporter;
  private agent?: HttpAgent;

  constructor(private readonly cfg: OtlpHttpConfig) {
    this.url = logsUrl(cfg);
  }

  async start(_host: Host): Promise<void> {
    if (this.inner) return;
    const pkg = PACKAGES[this.cfg.encoding];
    let mod: SdkExporterModule;
    try {
      mod = (await import(pkg)) as SdkExporterModule;
    } catch (err) {
      throw new Error(`encoding: ${this.cfg.encoding} needs the package ${pkg}, which could not be loaded (${(err as Error).message}). Install it, or set encoding: ${this.cfg.encoding === 'proto' ? 'json' : 'proto'}.`);
    }
    this.agent = await this.makeAgent();
    const agent = this.agent;
    this.inner = new mod.OTLPLogExporter({
      url: this.url,
      headers: { ...this.cfg.headers },
      compression: this.cfg.compression,
      timeoutMillis: this.cfg.timeout,
      // The sending queue bounds concurrency; the SDK's own limit only needs to be above it.
      concurrencyLimit: this.cfg.sending_queue.num_consumers + 1,
      httpAgentOptions: () => agent,
    });
  }

  export(records: ReadableLogRecord[], done: (r: ExportResult) => void): void {
    const inner = this.inner;
    if (!inner) { done({ code: ExportResultCode.FAILED, error: new Error('The otlp_http exporter is not started.') }); return; }
    inner.export(records, (res) => {
      if (res.code === ExportResultCode.SUCCESS) done(res);
      else done({ code: ExportResultCode.FAILED, error: classify(res.error, this.url) });
    });
  }

  async forceFlush(): Promise<void> {
    await this.inner?.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    const inner = this.inner;
    this.inner = undefined;
    try {
      await inner?.shutdown();
    } finally {
      this.agent?.destroy();
      this.agent = undefined;
    }
  }

  private async makeAgent(): Promise<HttpAgent> {
    if (!this.url.startsWith('https:')) return new HttpAgent({ keepAlive: true });
    const tls = this.cfg.tls;
    return new HttpsAgent({
      keepAlive: true,
      rejectUnauthorized: !(tls?.insecure_skip_verify ?? false),
      ca: tls?.ca_file ? await readFile(tls.ca_file) : undefined,
      cert: tls?.cert_file ? await readFile(tls.cert_file) : undefined,
      key: tls?.key_file ? await readFile(tls.key_file) : undefined,
    });
  }
}

/** An HTTP status outside the retryable set makes the failure permanent. */
function classify(err: Error | undefined, url: string): Error {
  const status = (err as { code?: unknown } | undefined)?.code;
  if (typeof status === 'number' && !RETRYABLE_STATUS.has(status)) {
    const data = (err as { data?: unknown }).data;
    const detail = typeof data === 'string' && data !== '' ? `: ${data.slice(0, 200)}` : '';
    return new PermanentError(`${url} answered ${status}${err?.message ? ` ${err.message}` : ''}${detail}`);
  }
  return err ?? new Error(`Export to ${url} failed.`);
}
