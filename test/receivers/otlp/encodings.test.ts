// Issue #15: the OTLP/HTTP receiver takes every Content-Encoding the Collector
// takes by default (gzip, zlib, deflate, zstd, snappy block and framed,
// x-snappy-framed), in protobuf and JSON; a bomb of each kind is refused with
// 413 at the limit, truncated or corrupt bodies with 400, unknown encodings
// with 415 naming the accepted ones, and the receiver keeps serving after each.
import { request } from 'node:http';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host, LogsConsumer } from '../../../src/component/types.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { logsRequestJson, logsRequestProtobuf } from '../../../src/otlp/encode-request.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { httpProtocolSpec } from '../../../src/receivers/otlp/config.js';
import { OtlpHttpReceiver } from '../../../src/receivers/otlp/http-receiver.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { bombs, encodeAs, headerOf, MiB } from '../../compression/bodies.js';

class Collecting implements LogsConsumer {
  records: ReadableLogRecord[] = [];
  async consume(records: ReadableLogRecord[]): Promise<void> {
    this.records.push(...records);
  }
}

const sink = new Collecting();
let receiver: OtlpHttpReceiver;
const LIMIT = 4 * MiB;

beforeAll(async () => {
  const cfg = httpProtocolSpec.parse({ endpoint: '127.0.0.1:0', max_request_body_size: LIMIT }, ['http'], [])!;
  const telemetry = new Telemetry();
  receiver = new OtlpHttpReceiver({ id: 'otlp', logger: silentLogger, telemetry }, cfg, sink);
  const host: Host = {
    getExtension: () => undefined,
    findExtension: () => undefined,
    tap: new RecordTap(),
    logger: silentLogger,
    telemetry,
  };
  await receiver.start(host);
});
afterAll(() => receiver.shutdown());

function post(body: Uint8Array, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: receiver.port, path: '/v1/logs', method: 'POST', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('latin1') }));
      },
    );
    // The server may answer (413) and close before a bomb is fully sent.
    req.on('error', (err) =>
      (err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET'
        ? undefined
        : reject(err),
    );
    req.end(body);
  });
}

function records(tag: string): LogRecordData[] {
  return [0, 1].map((i) => {
    const r = new LogRecordData(resourceFromAttributes({ 'service.name': 'encodings' }), { name: 'enc' });
    r.hrTime = [1_700_000_000, i];
    r.hrTimeObserved = r.hrTime;
    r.body = `${tag} #${i} ${'padding '.repeat(200)}`;
    r.severityNumber = SeverityNumber.WARN;
    r.attributes = { tag, i };
    return r;
  });
}

const FORMATS = {
  protobuf: { type: 'application/x-protobuf', body: (rs: LogRecordData[]) => logsRequestProtobuf(rs) },
  json: { type: 'application/json', body: (rs: LogRecordData[]) => Buffer.from(logsRequestJson(rs)) },
};
const VARIANTS = [
  'gzip',
  'zlib',
  'deflate',
  'deflate-raw',
  'zstd',
  'snappy',
  'snappy-framed',
  'x-snappy-framed',
  'lz4',
  'lz4-checksummed',
];

async function stillServing(): Promise<void> {
  const tag = `alive-${Math.random()}`;
  const r = await post(await encodeAs('zstd', FORMATS.json.body(records(tag))), {
    'content-type': 'application/json',
    'content-encoding': 'zstd',
  });
  expect(r.status).toBe(200);
  expect(sink.records.filter((x) => x.attributes['tag'] === tag)).toHaveLength(2);
}

describe('otlp receiver – HTTP request encodings', () => {
  for (const [format, f] of Object.entries(FORMATS)) {
    it.each(VARIANTS)(`accepts %s in ${format}`, async (variant) => {
      const tag = `${variant}-${format}`;
      const r = await post(await encodeAs(variant, f.body(records(tag))), {
        'content-type': f.type,
        'content-encoding': headerOf(variant),
      });
      expect(r.status, r.text).toBe(200);
      const got = sink.records.filter((x) => x.attributes['tag'] === tag);
      expect(got.map((x) => x.body)).toEqual(records(tag).map((x) => x.body));
      expect(got[0]!.severityNumber).toBe(SeverityNumber.WARN);
    });
  }

  it('refuses a bomb of each kind with 413 and keeps serving', async () => {
    for (const bomb of await bombs()) {
      const r = await post(bomb.body, { 'content-type': 'application/x-protobuf', 'content-encoding': bomb.encoding });
      expect(r.status, `${bomb.name}: ${r.text}`).toBe(413);
      await stillServing();
    }
  });

  it.each(VARIANTS)('answers a truncated %s body with 400 and keeps serving', async (variant) => {
    const full = await encodeAs(variant, FORMATS.protobuf.body(records('cut')));
    const r = await post(full.subarray(0, Math.floor(full.length / 2)), {
      'content-type': 'application/x-protobuf',
      'content-encoding': headerOf(variant),
    });
    expect(r.status, r.text).toBe(400);
    await stillServing();
  });

  it.each(VARIANTS)('answers a %s header on an uncompressed body with 400', async (variant) => {
    const r = await post(Buffer.from(logsRequestJson(records('plain'))), {
      'content-type': 'application/json',
      'content-encoding': headerOf(variant),
    });
    expect(r.status, r.text).toBe(400);
    expect(r.text).toMatch(/corrupt|decompress|invalid|incorrect/i);
  });

  it('answers an unknown encoding with 415 naming the accepted ones', async () => {
    for (const e of ['br', 'compress', 'x-lz4']) {
      const r = await post(Buffer.from('{}'), { 'content-type': 'application/json', 'content-encoding': e });
      expect(r.status).toBe(415);
      expect(JSON.parse(r.text).message).toBe(
        `Unsupported Content-Encoding "${e}"; use gzip, zlib, deflate, zstd, snappy, x-snappy-framed, lz4 or none.`,
      );
    }
    await stillServing();
  });
});
