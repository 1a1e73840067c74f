// Issue #15: the otlp_http exporter's `compression` as the Collector names it.
// A raw HTTP server checks the Content-Encoding header and decodes the body
// with decoders independent of Auditline's (node:zlib, fzstd, snappyjs and a
// hand-written reader of the snappy framing format), then parses the request.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import snappy from 'snappyjs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../src/component/types.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { decodeLogsRequestProtobuf } from '../../../src/otlp/decode-protobuf.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { otlpHttpExporterFactory } from '../../../exporters/otlp-http/factory.js';

/** The snappy framing format, read independently: identifier chunk, then (type, 3-byte length, CRC, data) chunks. */
function unframe(b: Buffer): Buffer {
  expect(b.subarray(0, 10).toString('latin1')).toBe('\xff\x06\x00\x00sNaPpY');
  const out: Buffer[] = [];
  for (let at = 10; at < b.length;) {
    const type = b[at]!;
    const len = b.readUIntLE(at + 1, 3);
    const data = b.subarray(at + 8, at + 4 + len);
    out.push(type === 0 ? snappy.uncompress(data) : data);
    at += 4 + len;
  }
  return Buffer.concat(out);
}

const DECODE: Record<string, (b: Buffer) => Buffer> = {
  gzip: gunzipSync,
  zlib: inflateSync,
  deflate: inflateSync,
  zstd: (b) => Buffer.from(zstdDecompress(b)),
  snappy: (b) => snappy.uncompress(b),
  'x-snappy-framed': unframe,
};

const seen: { encoding?: string; body: Buffer }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({ encoding: req.headers['content-encoding'], body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
beforeAll(() => new Promise<void>((r) => server.listen(0, '127.0.0.1', r)));
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const host: Host = {
  getExtension: () => undefined,
  findExtension: () => undefined,
  tap: new RecordTap(),
  logger: silentLogger,
  telemetry: new Telemetry(),
};

describe('otlp_http exporter – compression seen on the wire', () => {
  it.each([...Object.keys(DECODE), 'none'])(
    'compression: %s sends the matching Content-Encoding and a body that decodes',
    async (compression) => {
      const port = (server.address() as AddressInfo).port;
      const cfg = otlpHttpExporterFactory.config.parse({ endpoint: `http://127.0.0.1:${port}`, compression }, [], [])!;
      const e = otlpHttpExporterFactory.create(
        { id: 'otlp_http', logger: silentLogger, telemetry: new Telemetry() },
        cfg,
      );
      await e.start(host);
      const r = new LogRecordData(resourceFromAttributes({ 'service.name': 'wire' }), { name: 'wire' });
      r.hrTime = [1_700_000_000, 0];
      r.body = `compressed with ${compression} ${'x'.repeat(70_000)}`; // more than one 64 KiB snappy chunk
      seen.length = 0;
      await e.consume([r]);
      await e.shutdown();
      expect(seen).toHaveLength(1);
      const { encoding, body } = seen[0]!;
      expect(encoding).toBe(compression === 'none' ? undefined : compression);
      const plain = compression === 'none' ? body : DECODE[compression]!(body);
      if (compression !== 'none') expect(body.length).toBeLessThan(plain.length / 10);
      expect(decodeLogsRequestProtobuf(plain).records.map((x) => x.body)).toEqual([r.body]);
    },
  );
});
