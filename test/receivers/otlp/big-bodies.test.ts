// Issue #11 item 2: one large legal request must not stall the collector for
// everyone else. Records with too many attributes are rejected (partial
// success); a body of many records goes through the processors in slices, so
// a second client's small requests keep being answered meanwhile. Order of
// answers is asserted, never a duration.
import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LogRecordData } from '../../../src/model/log-record.js';
import { logsRequestProtobuf } from '../../../src/otlp/encode-request.js';
import { decodeLogsRequestProtobuf } from '../../../src/otlp/decode-protobuf.js';
import { MAX_RECORD_ATTRIBUTES } from '../../../src/otlp/types.js';
import { startCollector, type RunningCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/ports.js';

const running: RunningCollector[] = [];
afterAll(async () => {
  for (const c of running) await c.cleanup();
});

const res = resourceFromAttributes({ 'service.name': 'big' });
function body(records: number, attrs: number): Uint8Array {
  const out: LogRecordData[] = [];
  for (let i = 0; i < records; i++) {
    const r = new LogRecordData(res, { name: 's' });
    r.hrTime = [1_700_000_000, i];
    r.hrTimeObserved = r.hrTime;
    r.body = `record ${i}`;
    const a: Record<string, string> = {};
    for (let k = 0; k < attrs; k++) a[`k${k}`] = `v${k}`;
    r.attributes = a;
    out.push(r);
  }
  return logsRequestProtobuf(out);
}

function post(port: number, b: Uint8Array, uploaded?: () => void): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/logs',
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(b, uploaded);
  });
}

describe('OTLP receiver under large legal bodies', () => {
  it('rejects a record with more attributes than the limit as a partial success, in either encoding, and keeps the rest', () => {
    const pb = body(1, MAX_RECORD_ATTRIBUTES + 1);
    const d = decodeLogsRequestProtobuf(pb);
    expect(d.records).toHaveLength(0);
    expect(d.rejected).toBe(1);
    expect(d.rejectReason).toMatch(/more than 4096 attributes/);
    expect(decodeLogsRequestProtobuf(body(3, MAX_RECORD_ATTRIBUTES)).records).toHaveLength(3);
  });

  it('answers a million-attribute record with a partial success, and keeps answering a second client while 100k records are processed', async () => {
    const port = await freePort();
    const c = await startCollector(`
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${port}", max_request_body_size: 64MiB } } }
processors:
  redaction: {}
exporters:
  msgpack_audit: { directory: "{{dir}}/logs" }
service:
  pipelines:
    logs: { receivers: [otlp], processors: [redaction], exporters: [msgpack_audit] }
`);
    running.push(c);
    const small = body(5, 5);

    // A million attributes in one record: rejected as a partial success instead of decoded.
    const huge = await post(port, body(1, 1_000_000));
    expect(huge.status).toBe(200);
    expect(huge.body.toString('latin1')).toContain('more than 4096 attributes');

    // 100k legal records: once the body is uploaded, the collector decodes and processes it;
    // a second client's requests must keep being answered before the big one is.
    let uploaded = false;
    let done = false;
    let answeredWhileProcessing = 0;
    const bigReq = post(port, body(100_000, 10), () => {
      uploaded = true;
    }).then((r) => {
      done = true;
      return r;
    });
    const smallClient = (async () => {
      while (!done) {
        const r = await post(port, small);
        expect(r.status).toBe(200);
        if (uploaded && !done) answeredWhileProcessing++;
      }
    })();
    const r = await bigReq;
    await smallClient;
    expect(r.status).toBe(200);
    expect(answeredWhileProcessing).toBeGreaterThan(3);
  }, 120_000);
});

describe('OTLP receiver memory under several huge requests', () => {
  it('processes at most 64 MiB of request bodies at once; one more huge body gets 503 + Retry-After and the collector keeps serving', async () => {
    const port = await freePort();
    const c = await startCollector(`
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${port}", max_request_body_size: 64MiB } } }
exporters:
  msgpack_audit: { directory: "{{dir}}/logs" }
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [msgpack_audit] }
`);
    running.push(c);
    const big = body(120_000, 10); // ~18 MiB each
    const answers = await Promise.all([0, 1, 2, 3, 4].map(() => post(port, big)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    expect(answers.some((a) => a.status === 503 && a.body.toString('latin1').includes('Too many large requests'))).toBe(
      true,
    );
    expect((await post(port, body(3, 3))).status).toBe(200);
  }, 120_000);
});
