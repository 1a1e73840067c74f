// Forwards records to another collector or gateway over OTLP/HTTP. The HTTP
// transport is the official OpenTelemetry JS one (retries within one timeout
// honouring Retry-After, gzip, concurrency limit): `@opentelemetry/otlp-exporter-base`,
// resolved from `@opentelemetry/exporter-logs-otlp-http` so the exact version
// that package uses is taken. The request body is our own (src/otlp/encode-request.ts):
// the SDK's serialisers lose NaN, ±Infinity, -0, bigints and whole doubles
// beyond int64, which the next receiver then refuses or changes.
// The package is loaded at start, so a missing package is a clear start-up
// error rather than a crash when the registry is imported.
//
// Error classes, as the Collector's otlphttp exporter: 429, 502, 503 and 504
// (and network errors and timeouts) are retryable and go back to the sending
// queue's retry; any other HTTP status is permanent and the batch is dropped
// and counted. The transport also retries retryable statuses by itself
// within one `timeout` (honouring Retry-After) before reporting a failure.
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonLogsSerializer, LogsExporterMetricsHelper, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { PermanentError } from '../../src/component/errors.js';
import type { Host } from '../../src/component/types.js';
import { silentLogger, type InternalLogger } from '../../src/telemetry/logger.js';
import type { PushExporter, ResultCallback } from '../../src/exporterhelper/push-exporter.js';
import { logsUrl, type OtlpHttpConfig } from './config.js';
import { logsRequestJson, logsRequestProtobuf } from '../../src/otlp/encode-request.js';
import { createCompressor } from '../../src/compression/encoders.js';
import { isClientAuthenticator, type ClientAuthenticator } from '../../src/extensions/authenticator.js';

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** The official exporter package whose HTTP transport is used. */
const SDK_PACKAGE = '@opentelemetry/exporter-logs-otlp-http';

/** What is used of `@opentelemetry/otlp-exporter-base/node-http` (0.223). */
interface NodeHttpBase {
  convertLegacyHttpOptions(
    config: Record<string, unknown>,
    signal: string,
    path: string,
    headers: Record<string, string>,
  ): unknown;
  createOtlpHttpExportDelegate(
    options: unknown,
    serializer: Serializer,
    componentType: string,
    metricsHelper: unknown,
    meterProvider: undefined,
  ): Delegate;
}
interface Serializer {
  serializeRequest(records: ReadableLogRecord[]): Uint8Array | undefined;
  deserializeResponse(data: Uint8Array): Response;
}
interface Delegate {
  export(records: ReadableLogRecord[], done: (r: ExportResult) => void): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const ENCODINGS: Record<
  OtlpHttpConfig['encoding'],
  { contentType: string; body: (records: ReadableLogRecord[]) => Uint8Array; response: (data: Uint8Array) => Response }
> = {
  json: {
    contentType: 'application/json',
    body: (records) => Buffer.from(logsRequestJson(records), 'utf8'),
    response: (data) => JsonLogsSerializer.deserializeResponse(data),
  },
  proto: {
    contentType: 'application/x-protobuf',
    body: logsRequestProtobuf,
    response: (data) => ProtobufLogsSerializer.deserializeResponse(data),
  },
};

interface Response {
  partialSuccess?: { rejectedLogRecords?: number | string; errorMessage?: string };
}

function loadTransport(): NodeHttpBase {
  try {
    const sdk = createRequire(import.meta.url).resolve(SDK_PACKAGE);
    return createRequire(sdk)('@opentelemetry/otlp-exporter-base/node-http') as NodeHttpBase;
  } catch (err) {
    throw new Error(
      `otlp_http needs the package ${SDK_PACKAGE} (its HTTP transport), which could not be loaded (${(err as Error).message}). Install it.`,
      { cause: err },
    );
  }
}

export class OtlpHttpLogExporter implements PushExporter<ReadableLogRecord[]> {
  readonly url: string;
  private inner?: Delegate;
  private agent?: HttpAgent;

  constructor(
    private readonly cfg: OtlpHttpConfig,
    private readonly logger: InternalLogger = silentLogger,
  ) {
    this.url = logsUrl(cfg);
  }

  async start(host: Host): Promise<void> {
    if (this.inner) return;
    const base = loadTransport();
    const auth = this.clientAuth(host);
    this.agent = await this.makeAgent();
    const agent = this.agent;
    const { contentType, body, response } = ENCODINGS[this.cfg.encoding];
    // gzip is the transport's own (streamed); the other encodings compress the body as it is built.
    const kind = this.cfg.compression;
    const compress = kind === 'gzip' || kind === 'none' ? undefined : await createCompressor(kind);
    const staticHeaders: Record<string, string> = {
      ...this.cfg.headers,
      ...(compress ? { 'Content-Encoding': kind } : {}),
    };
    const serializer: Serializer = {
      serializeRequest: compress ? (records) => compress(body(records)) : body,
      deserializeResponse: (data) => {
        const res = response(data);
        // The transport only reports a partial success to the OTel diag logger, which is silent by default.
        const rejected = Number(res.partialSuccess?.rejectedLogRecords ?? 0);
        if (rejected > 0) {
          this.logger.burst(
            'warn',
            'partial-success',
            `${this.url} accepted the request but rejected ${rejected} log records: ${res.partialSuccess?.errorMessage || 'no reason given'}`,
          );
        }
        return res;
      },
    };
    const options = base.convertLegacyHttpOptions(
      {
        url: this.url,
        // Called per request, so an authenticator's current credentials are sent.
        headers: async () => (auth ? { ...staticHeaders, ...auth.requestHeaders() } : staticHeaders),
        compression: kind === 'gzip' ? 'gzip' : 'none',
        timeoutMillis: this.cfg.timeout,
        // The sending queue bounds concurrency; the transport's own limit only needs to be above it.
        concurrencyLimit: this.cfg.sending_queue.num_consumers + 1,
        httpAgentOptions: () => agent,
      },
      'LOGS',
      'v1/logs',
      { 'Content-Type': contentType },
    );
    this.inner = base.createOtlpHttpExportDelegate(
      options,
      serializer,
      'otlp_http_log_exporter',
      LogsExporterMetricsHelper,
      undefined,
    );
  }

  /** Its payload is the batch itself (the transport encodes each request). */
  prepare(records: ReadableLogRecord[]): ReadableLogRecord[] {
    return records;
  }

  exportPrepared(records: ReadableLogRecord[], done: ResultCallback): void {
    this.export(records, done);
  }

  export(records: ReadableLogRecord[], done: ResultCallback): void {
    const inner = this.inner;
    if (!inner) {
      done({ code: ExportResultCode.FAILED, error: new Error('The otlp_http exporter is not started.') });
      return;
    }
    try {
      inner.export(records, (res) => {
        if (res.code === ExportResultCode.SUCCESS) done(res);
        else done({ code: ExportResultCode.FAILED, error: classify(res.error, this.url) });
      });
    } catch (err) {
      // The body could not be built; sending it again cannot help.
      done({
        code: ExportResultCode.FAILED,
        error: new PermanentError(`Could not encode a request for ${this.url}: ${(err as Error).message}`),
      });
    }
  }

  async forceFlush(): Promise<void> {
    await this.inner?.forceFlush();
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

  private clientAuth(host: Host): ClientAuthenticator | undefined {
    const id = this.cfg.auth?.authenticator;
    if (!id) return undefined;
    const ext = host.getExtension(id);
    if (!isClientAuthenticator(ext)) {
      throw new Error(
        `Authenticator extension "${id}" is not enabled in service.extensions or cannot authenticate requests it sends (with service.workers, use workers: 0).`,
      );
    }
    return ext;
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
