// The OTLP/gRPC receiver, in-process, driven by the official OTel gRPC log
// exporter and by a raw grpc-js client that sends arbitrary bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type ChannelCredentials,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { BackpressureError } from '../../../src/component/errors.js';
import type { Host, LogsConsumer } from '../../../src/component/types.js';
import { bearerTokenAuthExtensionFactory } from '../../../src/extensions/bearertokenauth/factory.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { grpcProtocolSpec } from '../../../src/receivers/otlp/config.js';
import { LOGS_EXPORT_PATH, OtlpGrpcReceiver } from '../../../src/receivers/otlp/grpc-receiver.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { M, Telemetry } from '../../../src/telemetry/metrics.js';

type ExporterConfig = NonNullable<ConstructorParameters<typeof OTLPLogExporter>[0]>;

/** A real consumer: collects what the receiver hands it, or refuses with `failWith`. */
class Collecting implements LogsConsumer {
  records: ReadableLogRecord[] = [];
  failWith?: Error;
  async consume(records: ReadableLogRecord[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.records.push(...records);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startReceiver(yaml: Record<string, unknown> = {}, extensions: Record<string, unknown> = {}) {
  const cfg = grpcProtocolSpec.parse({ endpoint: 'localhost:0', ...yaml }, ['grpc'], []);
  if (!cfg) throw new Error('test config is invalid');
  const telemetry = new Telemetry();
  const sink = new Collecting();
  const receiver = new OtlpGrpcReceiver({ id: 'otlp', logger: silentLogger, telemetry }, cfg, sink);
  const host: Host = {
    getExtension: <T>(id: string) => extensions[id] as T | undefined,
    findExtension: () => undefined,
    tap: new RecordTap(),
    logger: silentLogger,
    telemetry,
  };
  await receiver.start(host);
  cleanups.push(() => receiver.shutdown());
  return { receiver, sink, telemetry, port: receiver.port! };
}

function sdkLogger(port: number, config: Partial<ExporterConfig> = {}) {
  const exporter = new OTLPLogExporter({ url: `http://localhost:${port}`, ...config });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'grpc-test' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  cleanups.push(() => provider.shutdown());
  return { logger: provider.getLogger('checkout', '1.2.3'), exporter };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

// --- a raw client that sends and receives bytes as they are ---

type RawCallback = (err: ServiceError | null, res?: Buffer) => void;
interface RawClient extends Client {
  Export(req: Buffer, md: Metadata, cb: RawCallback): void;
}
const identity = (b: Buffer) => b;
const RawLogsClient = makeGenericClientConstructor(
  {
    Export: {
      path: LOGS_EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  },
  'LogsService',
);

function rawClient(
  port: number,
  options: Record<string, unknown> = {},
  creds: ChannelCredentials = credentials.createInsecure(),
): RawClient {
  const c = new RawLogsClient(`localhost:${port}`, creds, options) as unknown as RawClient;
  cleanups.push(() => c.close());
  return c;
}

function send(
  client: RawClient,
  bytes: Buffer,
  md = new Metadata(),
): Promise<{ err: ServiceError | null; res?: Buffer }> {
  return new Promise((resolve) => client.Export(bytes, md, (err, res) => resolve({ err, res })));
}

function record(body: string, traceId?: string): LogRecordData {
  const r = new LogRecordData(resourceFromAttributes({ 'service.name': 'raw' }), { name: 'raw' });
  r.hrTime = [1_700_000_000, 0];
  r.body = body;
  r.severityNumber = SeverityNumber.INFO;
  if (traceId) r.spanContext = { traceId, spanId: '0102030405060708', traceFlags: 1 };
  return r;
}

function requestBytes(records: LogRecordData[]): Buffer {
  return Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!);
}

// --- an independent reader for google.rpc.Status → RetryInfo, for the trailer ---

function fields(b: Uint8Array): Map<number, (number | Uint8Array)[]> {
  const out = new Map<number, (number | Uint8Array)[]>();
  let i = 0;
  const varint = () => {
    let v = 0,
      mul = 1,
      byte: number;
    do {
      byte = b[i++]!;
      v += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    return v;
  };
  while (i < b.length) {
    const tag = varint();
    const value =
      (tag & 7) === 2
        ? (() => {
            const len = varint();
            const s = b.subarray(i, i + len);
            i += len;
            return s;
          })()
        : varint();
    const list = out.get(tag >>> 3) ?? [];
    list.push(value);
    out.set(tag >>> 3, list);
  }
  return out;
}

function retryDelayOf(err: ServiceError): { code: number; seconds: number; typeUrl: string } {
  const bin = err.metadata.get('grpc-status-details-bin')[0] as Buffer;
  const st = fields(bin);
  const any = fields(st.get(3)![0] as Uint8Array);
  const retryInfo = fields(any.get(2)![0] as Uint8Array);
  const duration = fields(retryInfo.get(1)![0] as Uint8Array);
  return {
    code: st.get(1)![0] as number,
    seconds: (duration.get(1)?.[0] as number) ?? 0,
    typeUrl: Buffer.from(any.get(1)![0] as Uint8Array).toString(),
  };
}

describe('otlp receiver – gRPC', () => {
  it('delivers records from the official OTLP/gRPC exporter with attributes, body, severity and trace ids', async () => {
    const { sink, port, telemetry } = await startReceiver();
    const { logger } = sdkLogger(port);
    const spanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    };
    logger.emit({
      body: 'Payment accepted.',
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      attributes: { 'session.id': 's-42', 'http.status': 201, retried: true },
      context: trace.setSpanContext(context.active(), spanContext),
    });
    logger.emit({ body: { order: 'A-1', items: [1, 2] }, severityNumber: SeverityNumber.ERROR });

    await until(() => sink.records.length === 2);
    const [first, second] = sink.records;
    expect(first!.body).toBe('Payment accepted.');
    expect(first!.severityNumber).toBe(SeverityNumber.WARN);
    expect(first!.severityText).toBe('WARN');
    expect(first!.attributes).toEqual({ 'session.id': 's-42', 'http.status': 201, retried: true });
    expect(first!.spanContext).toMatchObject({ traceId: spanContext.traceId, spanId: spanContext.spanId });
    expect(first!.resource.attributes['service.name']).toBe('grpc-test');
    expect(first!.instrumentationScope).toMatchObject({ name: 'checkout', version: '1.2.3' });
    expect(second!.body).toEqual({ order: 'A-1', items: [1, 2] });
    expect(second!.severityNumber).toBe(SeverityNumber.ERROR);
    expect(telemetry.value(M.receiverAccepted, { receiver: 'otlp', transport: 'grpc' })).toBe(2);
  });

  it('accepts gzip-compressed requests', async () => {
    const { sink, port } = await startReceiver();
    const { logger } = sdkLogger(port, { compression: 'gzip' as ExporterConfig['compression'] });
    logger.emit({ body: 'x'.repeat(10_000), attributes: { compressed: 'yes' } });
    await until(() => sink.records.length === 1);
    expect(sink.records[0]!.body).toBe('x'.repeat(10_000));
    expect(sink.records[0]!.attributes).toEqual({ compressed: 'yes' });
  });

  it('answers an empty request with success and an empty response', async () => {
    const { sink, port } = await startReceiver();
    const { err, res } = await send(rawClient(port), Buffer.alloc(0));
    expect(err).toBeNull();
    expect(res!.length).toBe(0);
    expect(sink.records).toHaveLength(0);
  });

  it('answers INVALID_ARGUMENT to undecodable bytes and still serves the next request', async () => {
    const { sink, port } = await startReceiver();
    const client = rawClient(port);
    const bad = await send(client, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]));
    expect(bad.err?.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.err?.details).toMatch(/not a valid OTLP logs request/);

    const good = await send(client, requestBytes([record('after garbage')]));
    expect(good.err).toBeNull();
    expect(sink.records.map((r) => r.body)).toEqual(['after garbage']);
  });

  it('reports partial success for records with an invalid trace id and delivers the rest', async () => {
    const { sink, port, telemetry } = await startReceiver();
    const { err, res } = await send(
      rawClient(port),
      requestBytes([record('good', '0af7651916cd43dd8448eb211c80319c'), record('bad', 'abcd')]),
    );
    expect(err).toBeNull();
    const response = ProtobufLogsSerializer.deserializeResponse(res!);
    expect(Number(response.partialSuccess?.rejectedLogRecords)).toBe(1);
    expect(response.partialSuccess?.errorMessage).not.toBe('');
    expect(sink.records.map((r) => r.body)).toEqual(['good']);
    expect(telemetry.value(M.receiverRejected, { receiver: 'otlp', transport: 'grpc' })).toBe(1);
  });

  it('answers UNAVAILABLE with a RetryInfo when the pipeline pushes back', async () => {
    const { sink, port, telemetry } = await startReceiver();
    sink.failWith = new BackpressureError('Sending queue is full.', 7);
    const { err } = await send(rawClient(port), requestBytes([record('refused')]));
    expect(err?.code).toBe(status.UNAVAILABLE);
    expect(err?.details).toBe('Sending queue is full.');
    expect(retryDelayOf(err!)).toEqual({
      code: status.UNAVAILABLE,
      seconds: 7,
      typeUrl: 'type.googleapis.com/google.rpc.RetryInfo',
    });
    expect(telemetry.value(M.receiverRefused, { receiver: 'otlp', transport: 'grpc' })).toBe(1);
  });

  it('answers RESOURCE_EXHAUSTED with a RetryInfo when the pipeline asks to slow down (429)', async () => {
    const { sink, port } = await startReceiver();
    sink.failWith = new BackpressureError('Memory limit reached.', 3, 429);
    const { err } = await send(rawClient(port), requestBytes([record('refused')]));
    expect(err?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(retryDelayOf(err!).seconds).toBe(3);
  });

  it('answers INTERNAL when the pipeline fails for another reason', async () => {
    const { sink, port } = await startReceiver();
    sink.failWith = new Error('disk on fire');
    const { err } = await send(rawClient(port), requestBytes([record('lost')]));
    expect(err?.code).toBe(status.INTERNAL);
    expect(err?.details).toMatch(/disk on fire/);
  });

  it('answers RESOURCE_EXHAUSTED to a message over max_recv_msg_size_mib, also when it only grows that big after gunzip', async () => {
    const { sink, port } = await startReceiver({ max_recv_msg_size_mib: 1 });
    const big = requestBytes([record('y'.repeat(1024 * 1024 + 10))]);
    const plain = await send(rawClient(port), big);
    expect(plain.err?.code).toBe(status.RESOURCE_EXHAUSTED);

    const gzipClient = rawClient(port, { 'grpc.default_compression_algorithm': 2 }); // 2 = gzip
    const gz = await send(gzipClient, big);
    expect(gz.err?.code).toBe(status.RESOURCE_EXHAUSTED);

    const small = await send(gzipClient, requestBytes([record('fits')]));
    expect(small.err).toBeNull();
    expect(sink.records.map((r) => r.body)).toEqual(['fits']);
  });

  describe('with the bearertokenauth extension', () => {
    async function withAuth() {
      const cfg = bearerTokenAuthExtensionFactory.config.parse({ token: 's3cret' }, ['bearertokenauth'], [])!;
      const auth = bearerTokenAuthExtensionFactory.create(
        { id: 'bearertokenauth', logger: silentLogger, telemetry: new Telemetry() },
        cfg,
      );
      const host: Host = {
        getExtension: () => undefined,
        findExtension: () => undefined,
        tap: new RecordTap(),
        logger: silentLogger,
        telemetry: new Telemetry(),
      };
      await auth.start(host);
      cleanups.push(() => auth.shutdown());
      return startReceiver({ auth: { authenticator: 'bearertokenauth' } }, { bearertokenauth: auth });
    }

    it('answers UNAUTHENTICATED without a token or with a wrong one, and takes nothing', async () => {
      const { sink, port } = await withAuth();
      const client = rawClient(port);
      const none = await send(client, requestBytes([record('anonymous')]));
      expect(none.err?.code).toBe(status.UNAUTHENTICATED);
      const md = new Metadata();
      md.set('authorization', 'Bearer guess');
      const wrong = await send(client, requestBytes([record('guessed')]), md);
      expect(wrong.err?.code).toBe(status.UNAUTHENTICATED);
      expect(sink.records).toHaveLength(0);
    });

    it('takes records from the official exporter when it sends the token', async () => {
      const { sink, port } = await withAuth();
      const metadata = new Metadata();
      metadata.set('authorization', 'Bearer s3cret');
      const { logger } = sdkLogger(port, { metadata });
      logger.emit({ body: 'Authenticated.' });
      await until(() => sink.records.length === 1);
      expect(sink.records[0]!.body).toBe('Authenticated.');
    });
  });

  it('serves TLS with tls.cert_file and tls.key_file, and refuses plaintext clients', async () => {
    // A self-signed certificate for localhost, valid for a century (test data only).
    const testdata = join(import.meta.dirname, 'testdata');
    const { sink, port } = await startReceiver({
      tls: { cert_file: join(testdata, 'localhost.crt'), key_file: join(testdata, 'localhost.key') },
    });
    const tls = await send(
      rawClient(port, {}, credentials.createSsl(readFileSync(join(testdata, 'localhost.crt')))),
      requestBytes([record('encrypted')]),
    );
    expect(tls.err).toBeNull();
    expect(sink.records.map((r) => r.body)).toEqual(['encrypted']);

    const plain = await send(rawClient(port), requestBytes([record('plaintext')]));
    expect(plain.err?.code).toBe(status.UNAVAILABLE);
    expect(sink.records).toHaveLength(1);
  });

  it('fails to start with a clear error when the port is taken', async () => {
    const { port } = await startReceiver();
    await expect(startReceiver({ endpoint: `localhost:${port}` })).rejects.toThrow(/cannot listen on "localhost:\d+"/);
  });

  it('refuses to start when the named authenticator is not enabled', async () => {
    await expect(startReceiver({ auth: { authenticator: 'bearertokenauth' } })).rejects.toThrow(/not enabled/);
  });

  it('shuts down without start, and twice after start', async () => {
    const cfg = grpcProtocolSpec.parse({ endpoint: 'localhost:0' }, ['grpc'], [])!;
    const r = new OtlpGrpcReceiver(
      { id: 'otlp', logger: silentLogger, telemetry: new Telemetry() },
      cfg,
      new Collecting(),
    );
    await r.shutdown();
    const { receiver } = await startReceiver();
    await receiver.shutdown();
    await receiver.shutdown();
  });
});
