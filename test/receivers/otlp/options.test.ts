// Issue #15: otlp receiver options from Collector configs, applied for real:
// a logs path without its leading slash, 404 for the other signals' paths,
// compression_algorithms, unix sockets (HTTP and gRPC), gRPC keepalive and
// max_concurrent_streams; gRPC request compression (gzip and deflate, bounded;
// zstd and snappy refused by grpc-js with UNIMPLEMENTED).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as h2connect, type ClientHttp2Session } from 'node:http2';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Host, LogsConsumer } from '../../../src/component/types.js';
import { type ConfigIssue, takeWarnings } from '../../../src/config/schema.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { logsRequestJson, logsRequestProtobuf } from '../../../src/otlp/encode-request.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { grpcProtocolSpec, httpProtocolSpec } from '../../../src/receivers/otlp/config.js';
import { LOGS_EXPORT_PATH, OtlpGrpcReceiver } from '../../../src/receivers/otlp/grpc-receiver.js';
import { OtlpHttpReceiver } from '../../../src/receivers/otlp/http-receiver.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { encodeAs } from '../../compression/bodies.js';

class Collecting implements LogsConsumer {
  records: ReadableLogRecord[] = [];
  async consume(records: ReadableLogRecord[]): Promise<void> {
    this.records.push(...records);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'auditline-otlp-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const telemetry = new Telemetry();
const host: Host = {
  getExtension: () => undefined,
  findExtension: () => undefined,
  tap: new RecordTap(),
  logger: silentLogger,
  telemetry,
};

function parse<T>(spec: { parse(v: unknown, p: (string | number)[], is: ConfigIssue[]): T | undefined }, raw: unknown) {
  const issues: ConfigIssue[] = [];
  const cfg = spec.parse(raw, [], issues);
  if (!cfg) throw new Error(issues.map((i) => `${i.path.join('::')}: ${i.message}`).join('\n'));
  return { cfg, warnings: takeWarnings(issues).map((w) => `${w.path.join('::')}: ${w.message}`) };
}

async function httpReceiver(raw: Record<string, unknown>) {
  const sink = new Collecting();
  const r = new OtlpHttpReceiver(
    { id: 'otlp', logger: silentLogger, telemetry },
    parse(httpProtocolSpec, raw).cfg,
    sink,
  );
  await r.start(host);
  cleanups.push(() => r.shutdown());
  return { r, sink };
}

async function grpcReceiver(raw: Record<string, unknown>) {
  const sink = new Collecting();
  const r = new OtlpGrpcReceiver(
    { id: 'otlp', logger: silentLogger, telemetry },
    parse(grpcProtocolSpec, raw).cfg,
    sink,
  );
  await r.start(host);
  cleanups.push(() => r.shutdown());
  return { r, sink };
}

function records(tag: string): LogRecordData[] {
  const r = new LogRecordData(resourceFromAttributes({ 'service.name': 'options' }), { name: 'opt' });
  r.hrTime = [1_700_000_000, 0];
  r.body = `hello ${tag}`;
  r.attributes = { tag };
  return [r];
}

type Target = { port?: number; socketPath?: string };
function post(
  to: Target,
  path: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', ...to, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
const json = (tag: string) => Buffer.from(logsRequestJson(records(tag)));

describe('otlp receiver options – HTTP', () => {
  it('takes logs_url_path without its leading slash, as the Collector does, and answers other signals 404', async () => {
    const { cfg, warnings } = parse(httpProtocolSpec, {
      logs_url_path: 'log/ingest',
      traces_url_path: 't/in',
      metrics_url_path: '/m/in',
    });
    expect(cfg.logs_url_path).toBe('/log/ingest');
    expect(warnings).toEqual([
      'traces_url_path: ignored (Auditline collects logs only; requests to /t/in are answered 404)',
      'metrics_url_path: ignored (Auditline collects logs only; requests to /m/in are answered 404)',
    ]);
    const { r, sink } = await httpReceiver({
      endpoint: '127.0.0.1:0',
      logs_url_path: 'log/ingest',
      traces_url_path: 't/in',
    });
    expect((await post({ port: r.port }, '/log/ingest', json('path'))).status).toBe(200);
    expect(sink.records.map((x) => x.body)).toEqual(['hello path']);
    expect((await post({ port: r.port }, '/v1/logs', json('x'))).status).toBe(404);
    for (const [path, signal] of [
      ['/t/in', 'traces'],
      ['/v1/metrics', 'metrics'],
    ] as const) {
      const res = await post({ port: r.port }, path, Buffer.from('{}'));
      expect(res.status).toBe(404);
      expect(JSON.parse(res.text).message).toBe(
        `This collector receives logs only; ${signal} are not accepted (logs: /log/ingest).`,
      );
    }
  });

  it('accepts only the listed compression_algorithms ("" is an uncompressed body)', async () => {
    const { r } = await httpReceiver({ endpoint: '127.0.0.1:0', compression_algorithms: ['gzip', 'snappy'] });
    expect(
      (await post({ port: r.port }, '/v1/logs', gzipSync(json('gz')), { 'content-encoding': 'gzip' })).status,
    ).toBe(200);
    expect(
      (await post({ port: r.port }, '/v1/logs', await encodeAs('snappy', json('sn')), { 'content-encoding': 'snappy' }))
        .status,
    ).toBe(200);
    const zstd = await post({ port: r.port }, '/v1/logs', await encodeAs('zstd', json('z')), {
      'content-encoding': 'zstd',
    });
    expect(zstd.status).toBe(415);
    expect(JSON.parse(zstd.text).message).toBe('Unsupported Content-Encoding "zstd"; use gzip, snappy.');
    expect((await post({ port: r.port }, '/v1/logs', json('plain'))).status).toBe(415);
  });

  it('listens on a unix socket with transport: unix, replacing a stale socket file and removing it at shutdown', async () => {
    const socketPath = join(dir, 'http.sock');
    // A socket file nobody listens on, as a killed process leaves it.
    execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', socketPath]);
    expect(existsSync(socketPath)).toBe(true);
    const { r, sink } = await httpReceiver({ endpoint: socketPath, transport: 'unix' });
    expect(
      (
        await post({ socketPath }, '/v1/logs', logsRequestProtobuf(records('unix')), {
          'content-type': 'application/x-protobuf',
        })
      ).status,
    ).toBe(200);
    expect(sink.records.map((x) => x.body)).toEqual(['hello unix']);
    await r.shutdown();
    expect(existsSync(socketPath)).toBe(false);
  });

  it('refuses a socket path without transport: unix, and transport: unix without a path', () => {
    const issues: ConfigIssue[] = [];
    httpProtocolSpec.parse({ endpoint: '/run/otlp.sock' }, ['http'], issues);
    grpcProtocolSpec.parse({ endpoint: 'localhost:4317', transport: 'unix' }, ['grpc'], issues);
    expect(issues.map((i) => `${i.path.join('::')}: ${i.message}`)).toEqual([
      'http::endpoint: must be host:port with a port from 0 to 65535 (or set transport: unix for a socket path)',
      'grpc::endpoint: must be a socket path when transport is unix',
    ]);
  });
});

// --- gRPC ---

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

function rawClient(target: string, options: Record<string, unknown> = {}): RawClient {
  const c = new RawLogsClient(target, credentials.createInsecure(), options) as unknown as RawClient;
  cleanups.push(() => c.close());
  return c;
}
function send(client: RawClient, bytes: Buffer): Promise<ServiceError | null> {
  return new Promise((resolve) => client.Export(bytes, new Metadata(), (err) => resolve(err)));
}
const proto = (tag: string) => Buffer.from(logsRequestProtobuf(records(tag)));

/** One gRPC call written by hand: `grpc-encoding` and the compressed flag as given. Resolves with grpc-status and message. */
async function rawCall(port: number, encoding: string, payload: Buffer): Promise<{ code: number; message: string }> {
  const session = h2connect(`http://127.0.0.1:${port}`);
  cleanups.push(() => session.close());
  const frame = Buffer.alloc(5 + payload.length);
  frame[0] = 1;
  frame.writeUInt32BE(payload.length, 1);
  payload.copy(frame, 5);
  const stream = session.request({
    ':method': 'POST',
    ':path': LOGS_EXPORT_PATH,
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-encoding': encoding,
  });
  return new Promise((resolve, reject) => {
    let headers: Record<string, unknown> = {};
    stream.on('response', (h) => {
      headers = h;
    });
    stream.on('trailers', (t) =>
      resolve({ code: Number(t['grpc-status']), message: decodeURIComponent(String(t['grpc-message'] ?? '')) }),
    );
    stream.on('end', () => {
      if (headers['grpc-status'] !== undefined)
        resolve({
          code: Number(headers['grpc-status']),
          message: decodeURIComponent(String(headers['grpc-message'] ?? '')),
        });
    });
    stream.on('error', reject);
    stream.resume();
    stream.end(frame);
  });
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 3000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('otlp receiver options – gRPC', () => {
  it('takes gzip and deflate compressed messages (grpc-accept-encoding of grpc-js)', async () => {
    const { r, sink } = await grpcReceiver({ endpoint: '127.0.0.1:0' });
    // grpc-js compression algorithm ids: 1 deflate, 2 gzip.
    expect(
      await send(rawClient(`127.0.0.1:${r.port}`, { 'grpc.default_compression_algorithm': 2 }), proto('gzip')),
    ).toBeNull();
    expect(
      await send(rawClient(`127.0.0.1:${r.port}`, { 'grpc.default_compression_algorithm': 1 }), proto('deflate')),
    ).toBeNull();
    expect(sink.records.map((x) => x.body)).toEqual(['hello gzip', 'hello deflate']);
  });

  it('refuses a gzip or deflate bomb at max_recv_msg_size_mib with RESOURCE_EXHAUSTED, and keeps serving', async () => {
    const { r, sink } = await grpcReceiver({ endpoint: '127.0.0.1:0', max_recv_msg_size_mib: 1 });
    for (const algorithm of [1, 2]) {
      const err = await send(
        rawClient(`127.0.0.1:${r.port}`, { 'grpc.default_compression_algorithm': algorithm }),
        Buffer.alloc(64 * 1024 * 1024),
      );
      expect(err?.code).toBe(status.RESOURCE_EXHAUSTED);
    }
    expect(await send(rawClient(`127.0.0.1:${r.port}`), proto('after'))).toBeNull();
    expect(sink.records.map((x) => x.body)).toEqual(['hello after']);
  });

  it('answers corrupt gzip with INTERNAL and zstd or snappy with UNIMPLEMENTED (grpc-js cannot decode them), and keeps serving', async () => {
    const { r, sink } = await grpcReceiver({ endpoint: '127.0.0.1:0' });
    const corrupt = await rawCall(r.port!, 'gzip', Buffer.from('not gzip at all'));
    expect(corrupt.code).toBe(status.INTERNAL);
    for (const encoding of ['zstd', 'snappy']) {
      const res = await rawCall(r.port!, encoding, await encodeAs(encoding, proto(encoding)));
      expect(res).toEqual({
        code: status.UNIMPLEMENTED,
        message: `Received message compressed with unsupported encoding "${encoding}"`,
      });
    }
    expect((await rawCall(r.port!, 'gzip', gzipSync(proto('ok')))).code).toBe(status.OK);
    expect(sink.records.map((x) => x.body)).toEqual(['hello ok']);
  });

  it('listens on a unix socket with transport: unix', async () => {
    const socketPath = join(dir, 'grpc.sock');
    const { sink } = await grpcReceiver({ endpoint: socketPath, transport: 'unix' });
    expect(await send(rawClient(`unix:${socketPath}`), proto('grpc-unix'))).toBeNull();
    expect(sink.records.map((x) => x.body)).toEqual(['hello grpc-unix']);
  });

  it('advertises max_concurrent_streams in its HTTP/2 settings', async () => {
    const { r } = await grpcReceiver({ endpoint: '127.0.0.1:0', max_concurrent_streams: 7 });
    const session: ClientHttp2Session = h2connect(`http://127.0.0.1:${r.port}`);
    cleanups.push(() => session.close());
    const settings = await new Promise<{ maxConcurrentStreams?: number }>((resolve) =>
      session.once('remoteSettings', resolve),
    );
    expect(settings.maxConcurrentStreams).toBe(7);
  });

  it('closes an idle connection after keepalive.server_parameters.max_connection_idle', async () => {
    const { r } = await grpcReceiver({
      endpoint: '127.0.0.1:0',
      keepalive: { server_parameters: { max_connection_idle: '200ms' } },
    });
    const session = h2connect(`http://127.0.0.1:${r.port}`);
    cleanups.push(() => session.destroy());
    let goaway = false;
    session.on('goaway', () => {
      goaway = true;
    });
    session.on('error', () => undefined);
    await until(() => goaway || session.closed);
    expect(goaway || session.closed).toBe(true);
  });
});
