// The collector as a real process, fed by the official OTel exporters; the
// audit file read back by Python's msgpack exactly as the seed shows.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OtlpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';

const SECRETS = {
  email: 'alice.private@example.com',
  card: '4111 1111 1111 1111',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  bearer: 'Bearer q8Zr4TnV2mXw9LpK7sYd',
  password: 'hunter2-Sup3rSecret',
  apiKey: 'sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12',
  prompt: 'PROMPT-CONTENT-never-store-me',
  response: 'RESPONSE-CONTENT-never-store-me',
};

const SEED_READER = `
import msgpack, json, sys
with open(sys.argv[1], "rb") as f:
    unpacker = msgpack.Unpacker(f, raw=False)
    for entry in unpacker:
        print(json.dumps(entry))
`;

function readWithPython(file: string): Record<string, any>[] {
  const out = execFileSync('/usr/bin/python3', ['-c', SEED_READER, file], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function send(exporter: LogRecordExporter, collection: string, n: number): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.secret_token': 'resource-token-XYZ' }),
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 64, scheduledDelayMillis: 10 })],
  });
  const logger = provider.getLogger('e2e');
  for (let i = 0; i < n; i++) {
    logger.emit({
      eventName: 'search_request',
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: `User ${SECRETS.email} searched (${i})`,
      attributes: {
        collection,
        'session.id': `sess-${i % 3}`,
        'user.email': SECRETS.email,
        'payment.card': SECRETS.card,
        'http.request.header.authorization': SECRETS.bearer,
        password: SECRETS.password,
        note: `token=${SECRETS.jwt} key=${SECRETS.apiKey}`,
        prompt: SECRETS.prompt,
        'gen_ai.response': SECRETS.response,
        nested: { deeper: [{ card: SECRETS.card.replaceAll(' ', '-') }], n: i },
        strategy: 'semantic',
        n: i,
      },
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
}

describe('collector over OTLP/HTTP into msgpack_audit', () => {
  let c: RunningCollector;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    c = await startCollector(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
        max_request_body_size: 64KiB
processors:
  redaction: {}
  batch: { timeout: 20ms }
exporters:
  msgpack_audit:
    directory: "{{dir}}/logs/{collection}/"
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [redaction, batch]
      exporters: [msgpack_audit]
`);
  });
  afterAll(async () => {
    await c?.cleanup();
  });

  it('accepts protobuf and JSON from the official exporters, and rejects bad input while continuing to serve', async () => {
    const url = `http://127.0.0.1:${port}/v1/logs`;
    await send(new OtlpProtoExporter({ url }), 'products', 50);
    await send(new OtlpHttpJsonExporter({ url }), 'orders', 20);

    const post = (body: BodyInit, headers: Record<string, string>, method = 'POST') =>
      fetch(url, { method, body: method === 'GET' ? undefined : body, headers });
    // Garbage protobuf
    let r = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), {
      'content-type': 'application/x-protobuf',
    });
    expect(r.status).toBe(400);
    // Malformed JSON
    r = await post('{"resourceLogs": [', { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(((await r.json()) as { message: string }).message).toMatch(/not a valid OTLP/);
    // Unsupported media type
    r = await post('hello', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    // Wrong method
    r = await fetch(url, { method: 'GET' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    // A gzip bomb: tiny on the wire, far over the 64 KiB limit once inflated.
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    r = await post(bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(r.status).toBe(413);
    // Plain body over the limit
    r = await post(Buffer.alloc(70 * 1024), { 'content-type': 'application/x-protobuf' });
    expect(r.status).toBe(413);
    // Still serving: an empty but valid JSON request, gzip-compressed.
    r = await post(gzipSync('{"resourceLogs":[]}'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({});
    await send(new OtlpProtoExporter({ url }), 'products', 5);

    expect(await c.stop('SIGTERM')).toBe(0);
  }, 60_000);

  it('wrote one audit.log per collection that Python reads with the seed snippet, with the four keys', () => {
    const products = join(c.dir, 'logs', 'products', 'audit.log');
    const orders = join(c.dir, 'logs', 'orders', 'audit.log');
    expect(existsSync(products)).toBe(true);
    const entries = readWithPython(products);
    expect(entries).toHaveLength(55);
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(['action', 'data', 'session', 'timestamp']);
      expect(e.action).toBe('search_request');
      expect(e.session).toMatch(/^sess-[012]$/);
      expect(Number.isInteger(e.timestamp)).toBe(true);
      expect(Math.abs(e.timestamp - Date.now())).toBeLessThan(10 * 60_000);
      expect(e.data.strategy).toBe('semantic');
      expect(e.data.severity).toBe('INFO');
      expect(e.data).not.toHaveProperty('prompt');
      expect(e.data).not.toHaveProperty('gen_ai.response');
    }
    expect(readWithPython(orders)).toHaveLength(20);
  });

  it('left none of the planted secrets anywhere in the files', () => {
    for (const col of ['products', 'orders']) {
      const bytes = readFileSync(join(c.dir, 'logs', col, 'audit.log')).toString('latin1');
      for (const [name, secret] of Object.entries(SECRETS)) {
        expect(bytes.includes(secret), `${name} leaked into ${col}`).toBe(false);
      }
      expect(bytes.includes('4111-1111-1111-1111')).toBe(false);
      expect(bytes.includes('q8Zr4TnV2mXw9LpK7sYd')).toBe(false);
    }
  });
});
