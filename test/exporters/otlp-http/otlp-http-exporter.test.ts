import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { BackpressureError } from '../../../src/component/errors.js';
import type { Exporter, Host, LogsConsumer } from '../../../src/component/types.js';
import type { ConfigIssue } from '../../../src/config/schema.js';
import { bearerTokenAuthExtensionFactory } from '../../../src/extensions/bearertokenauth/factory.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { otlpReceiverFactory, type OtlpReceiver } from '../../../src/receivers/otlp/factory.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { M, Telemetry } from '../../../src/telemetry/metrics.js';
import { otlpHttpExporterFactory } from '../../../exporters/otlp-http/factory.js';

/** Collects what the receiver hands on; refuses the first `refuse` requests with backpressure. */
class Collecting implements LogsConsumer {
  received: ReadableLogRecord[] = [];
  refuse = 0;
  refused = 0;
  constructor(private readonly status: 429 | 503 = 429) {}
  async consume(r: ReadableLogRecord[]): Promise<void> {
    if (this.refuse > 0) {
      this.refuse--;
      this.refused++;
      throw new BackpressureError('Busy.', 0, this.status);
    }
    for (const x of r) this.received.push(x);
  }
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function hostWith(extensions: Record<string, unknown> = {}): Host {
  return {
    getExtension: <T>(id: string) => extensions[id] as T,
    findExtension: () => undefined,
    tap: new RecordTap(),
    logger: silentLogger,
    telemetry: new Telemetry(),
  };
}

async function startReceiver(
  sink: LogsConsumer,
  http: Record<string, unknown> = {},
  host = hostWith(),
): Promise<number> {
  const cfg = otlpReceiverFactory.config.parse({ protocols: { http: { endpoint: '127.0.0.1:0', ...http } } }, [], [])!;
  const r = otlpReceiverFactory.create(
    { id: 'otlp', logger: silentLogger, telemetry: new Telemetry() },
    cfg,
    sink,
  ) as OtlpReceiver;
  await r.start(host);
  cleanups.push(() => r.shutdown());
  return r.http!.port!;
}

function parse(raw: Record<string, unknown>): { cfg?: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const cfg = otlpHttpExporterFactory.config.parse(raw, ['exporters', 'otlp_http'], issues);
  return { cfg, issues };
}

async function startExporter(
  raw: Record<string, unknown>,
  telemetry = new Telemetry(),
  host = hostWith(),
): Promise<Exporter> {
  const { cfg, issues } = parse(raw);
  if (!cfg) throw new Error(issues.map((i) => `${i.path.join('::')}: ${i.message}`).join('\n'));
  const e = otlpHttpExporterFactory.create({ id: 'otlp_http', logger: silentLogger, telemetry }, cfg);
  await e.start(host);
  cleanups.push(() => e.shutdown());
  return e;
}

function records(): LogRecordData[] {
  const resource = resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment': 'test' });
  const a = new LogRecordData(resource, { name: 'orders', version: '1.2.0' });
  a.hrTime = [1_705_314_645, 123_000_000];
  a.hrTimeObserved = a.hrTime;
  a.severityNumber = SeverityNumber.INFO;
  a.severityText = 'INFO';
  a.body = 'Session created successfully';
  a.attributes = {
    'session.id': 'abc123',
    component: 'session_manager',
    attempt: 2,
    ratio: 0.5,
    ok: true,
    tags: ['a', 'b'],
  };
  a.spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
  const b = new LogRecordData(resource, { name: 'orders', version: '1.2.0' });
  b.hrTime = [1_705_314_646, 0];
  b.hrTimeObserved = b.hrTime;
  b.severityNumber = SeverityNumber.ERROR;
  b.body = { event: 'payment_failed', amount: 12.5, nested: { code: 'E42' } };
  b.attributes = { 'user.id': 'u-7' };
  return [a, b];
}

function expectIntact(got: ReadableLogRecord[]): void {
  expect(got).toHaveLength(2);
  const [a, b] = got as [ReadableLogRecord, ReadableLogRecord];
  expect(a.body).toBe('Session created successfully');
  expect(a.attributes).toEqual({
    'session.id': 'abc123',
    component: 'session_manager',
    attempt: 2,
    ratio: 0.5,
    ok: true,
    tags: ['a', 'b'],
  });
  expect(a.severityNumber).toBe(SeverityNumber.INFO);
  expect(a.severityText).toBe('INFO');
  expect(a.hrTime).toEqual([1_705_314_645, 123_000_000]);
  expect(a.spanContext?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  expect(a.spanContext?.spanId).toBe('b7ad6b7169203331');
  expect(a.resource.attributes).toMatchObject({ 'service.name': 'checkout', 'deployment.environment': 'test' });
  expect(a.instrumentationScope).toMatchObject({ name: 'orders', version: '1.2.0' });
  expect(b.body).toEqual({ event: 'payment_failed', amount: 12.5, nested: { code: 'E42' } });
  expect(b.attributes).toEqual({ 'user.id': 'u-7' });
  expect(b.severityNumber).toBe(SeverityNumber.ERROR);
}

/** A receiver behind a bearertokenauth extension that accepts only `token`. */
async function startReceiverWithToken(sink: Collecting, token: string): Promise<number> {
  const authCfg = bearerTokenAuthExtensionFactory.config.parse({ token }, [], [])!;
  const auth = bearerTokenAuthExtensionFactory.create(
    { id: 'bearertokenauth', logger: silentLogger, telemetry: new Telemetry() },
    authCfg,
  );
  await auth.start(hostWith());
  cleanups.push(() => auth.shutdown());
  return startReceiver(sink, { auth: { authenticator: 'bearertokenauth' } }, hostWith({ bearertokenauth: auth }));
}

describe('otlp_http exporter – forwarding to an Auditline OTLP/HTTP receiver', () => {
  it.each([
    ['proto', 'gzip'],
    ['proto', 'none'],
    ['json', 'gzip'],
    ['json', 'none'],
    ...(['zlib', 'deflate', 'zstd', 'snappy', 'x-snappy-framed'] as const).flatMap(
      (c) =>
        [
          ['proto', c],
          ['json', c],
        ] as const,
    ),
  ] as const)(
    'delivers records with attributes, body, severity and ids intact (encoding %s, compression %s)',
    async (encoding, compression) => {
      const sink = new Collecting();
      const port = await startReceiver(sink);
      const e = await startExporter({ endpoint: `http://127.0.0.1:${port}`, encoding, compression });
      await e.consume(records());
      await until(() => sink.received.length === 2);
      expectIntact(sink.received);
    },
  );

  it('appends /v1/logs to a base URL with a path, and uses logs_endpoint as given', async () => {
    const sink = new Collecting();
    const port = await startReceiver(sink, { logs_url_path: '/gateway/v1/logs' });
    const viaBase = await startExporter({ endpoint: `http://127.0.0.1:${port}/gateway/` });
    await viaBase.consume(records().slice(0, 1));
    // consume() only queues; wait for the first to land so the two sends cannot arrive out of order.
    await until(() => sink.received.length === 1);
    const viaFull = await startExporter({
      endpoint: 'http://127.0.0.1:9',
      logs_endpoint: `http://127.0.0.1:${port}/gateway/v1/logs`,
    });
    await viaFull.consume(records().slice(1));
    await until(() => sink.received.length === 2);
    expect(sink.received.map((r) => r.attributes)).toEqual([records()[0]!.attributes, records()[1]!.attributes]);
  });

  it('sends configured headers, so a receiver behind bearertokenauth accepts the records', async () => {
    const sink = new Collecting();
    const port = await startReceiverWithToken(sink, 's3cret');
    const e = await startExporter({
      endpoint: `http://127.0.0.1:${port}`,
      headers: { Authorization: 'Bearer s3cret' },
    });
    await e.consume(records());
    await until(() => sink.received.length === 2);
    expectIntact(sink.received);
  });

  it('sends credentials from a client authenticator extension (auth.authenticator: bearertokenauth/upstream)', async () => {
    const sink = new Collecting();
    const port = await startReceiverWithToken(sink, 's3cret');
    const clientCfg = bearerTokenAuthExtensionFactory.config.parse({ token: 's3cret' }, [], [])!;
    const client = bearerTokenAuthExtensionFactory.create(
      { id: 'bearertokenauth/upstream', logger: silentLogger, telemetry: new Telemetry() },
      clientCfg,
    );
    await client.start(hostWith());
    const host = hostWith({ 'bearertokenauth/upstream': client });
    const e = await startExporter(
      { endpoint: `http://127.0.0.1:${port}`, auth: { authenticator: 'bearertokenauth/upstream' } },
      new Telemetry(),
      host,
    );
    await e.consume(records());
    await until(() => sink.received.length === 2);
    expectIntact(sink.received);
  });

  it('refuses to start when auth.authenticator names no enabled extension', async () => {
    await expect(
      startExporter({ endpoint: 'http://127.0.0.1:9', auth: { authenticator: 'bearertokenauth/none' } }),
    ).rejects.toThrow('Authenticator extension "bearertokenauth/none" is not enabled in service.extensions');
  });

  it('treats a 401 from the receiver as permanent: dropped and counted, not retried', async () => {
    const sink = new Collecting();
    const port = await startReceiverWithToken(sink, 's3cret');
    const telemetry = new Telemetry();
    const e = await startExporter(
      { endpoint: `http://127.0.0.1:${port}`, retry_on_failure: { initial_interval: '10ms' } },
      telemetry,
    );
    await e.consume(records());
    await until(() => telemetry.total(M.exporterFailed) > 0);
    expect(telemetry.total(M.exporterFailed)).toBe(2);
    expect(telemetry.total(M.exporterRetries)).toBe(0);
    expect(sink.received).toHaveLength(0);
  });

  it.each([429, 503] as const)('retries after the receiver answers %i until the records are taken', async (status) => {
    const sink = new Collecting(status);
    // The SDK exporter makes 6 attempts per export before reporting failure; 8 refusals
    // force the sending queue's retry to take over, proving the failure was retryable.
    sink.refuse = 8;
    const port = await startReceiver(sink);
    const telemetry = new Telemetry();
    const e = await startExporter(
      { endpoint: `http://127.0.0.1:${port}`, retry_on_failure: { initial_interval: '10ms', max_interval: '20ms' } },
      telemetry,
    );
    await e.consume(records());
    await until(() => sink.received.length === 2);
    expectIntact(sink.received);
    expect(sink.refused).toBe(8);
    expect(telemetry.total(M.exporterRetries)).toBeGreaterThanOrEqual(1);
    expect(telemetry.total(M.exporterFailed)).toBe(0);
  });
});

describe('otlp_http exporter – HTTP status classes', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s)
      await new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      });
  });

  /** A plain HTTP server answering every request with `status`; counts requests. */
  async function answering(status: number): Promise<{ port: number; requests: () => number }> {
    let n = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        n++;
        res.statusCode = status;
        res.setHeader('content-type', 'text/plain');
        res.end('Bad data.');
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return { port: (server.address() as AddressInfo).port, requests: () => n };
  }

  it.each([400, 404, 500])('drops a batch answered with %i after one request', async (status) => {
    const { port, requests } = await answering(status);
    const telemetry = new Telemetry();
    const e = await startExporter(
      { endpoint: `http://127.0.0.1:${port}`, retry_on_failure: { initial_interval: '10ms' } },
      telemetry,
    );
    await e.consume(records());
    await until(() => telemetry.total(M.exporterFailed) > 0);
    expect(telemetry.total(M.exporterFailed)).toBe(2);
    expect(telemetry.total(M.exporterRetries)).toBe(0);
    expect(requests()).toBe(1);
  });

  it('retries a 502 through the sending queue', async () => {
    const { port, requests } = await answering(502);
    const telemetry = new Telemetry();
    const e = await startExporter(
      {
        endpoint: `http://127.0.0.1:${port}`,
        timeout: '200ms',
        retry_on_failure: { initial_interval: '10ms', max_interval: '10ms', max_elapsed_time: '1s' },
      },
      telemetry,
    );
    await e.consume(records());
    await until(() => requests() >= 3);
    expect(requests()).toBeGreaterThanOrEqual(3);
    expect(telemetry.total(M.exporterRetries)).toBeGreaterThanOrEqual(1);
  });
});

describe('otlp_http exporter – config', () => {
  const paths = (raw: Record<string, unknown>) => parse(raw).issues.map((i) => `${i.path.join('::')}: ${i.message}`);

  it('requires endpoint or logs_endpoint, and checks URLs, compression and encoding', () => {
    expect(paths({})).toEqual(['exporters::otlp_http: must set endpoint (base URL) or logs_endpoint (full URL)']);
    expect(paths({ endpoint: 'gateway:4318' })[0]).toMatch(/^exporters::otlp_http::endpoint: must be an http/);
    expect(paths({ endpoint: 'http://g:4318', compression: 'zstd2', encoding: 'avro' })).toEqual([
      'exporters::otlp_http::compression: "zstd2" is not supported; use gzip, zlib, deflate, zstd, snappy, x-snappy-framed, none',
      'exporters::otlp_http::encoding: must be one of proto, json',
    ]);
  });

  it('defaults to protobuf with gzip, as the Collector does, and has the exporter helper keys', () => {
    const { cfg } = parse({ endpoint: 'http://g:4318' }) as { cfg: Record<string, unknown> };
    expect(cfg).toMatchObject({ encoding: 'proto', compression: 'gzip', headers: {} });
    expect(cfg).toHaveProperty('sending_queue');
    expect(cfg).toHaveProperty('retry_on_failure');
  });

  it("is also registered under the Collector's older name otlphttp", () => {
    expect(otlpHttpExporterFactory.type).toBe('otlp_http');
    expect(otlpHttpExporterFactory.aliases).toContain('otlphttp');
  });

  it('shuts down without being started, twice', async () => {
    const { cfg } = parse({ endpoint: 'http://127.0.0.1:9' });
    const e = otlpHttpExporterFactory.create(
      { id: 'otlp_http', logger: silentLogger, telemetry: new Telemetry() },
      cfg as never,
    );
    await e.shutdown();
    await e.shutdown();
  });
});
