// The collector as a real process with memory_limiter, attributes, filter and
// the file exporter, fed by the official OTLP exporter; and memory_limiter
// turning refusals into 429 with Retry-After at the receiver.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';

let running: RunningCollector | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

const jsonLines = (f: string) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);

describe('collector process with the Collector-compatible processors and the file exporter', () => {
  it('hashes, extracts and drops as configured, and writes JSON lines that survive shutdown', async () => {
    const port = await freePort();
    running = await startCollector(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 95
    spike_limit_percentage: 5
  attributes:
    actions:
      - { key: user.email, action: hash }
      - { key: http.url, pattern: "^(?P<url_scheme>[a-z]+)://", action: extract }
  filter:
    logs:
      log_record:
        - severity_number < SEVERITY_NUMBER_INFO
        - IsMatch(body, "^GET /health")
  batch:
    timeout: 20ms
exporters:
  file:
    path: "{{dir}}/out/app.jsonl"
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [memory_limiter, attributes, filter, batch]
      exporters: [file]
`);
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      processors: [
        new BatchLogRecordProcessor({
          exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${port}/v1/logs` }),
          scheduledDelayMillis: 10,
        }),
      ],
    });
    const logger = provider.getLogger('cart');
    logger.emit({
      severityNumber: SeverityNumber.INFO,
      body: 'Checkout started',
      attributes: { 'user.email': 'bob@example.com', 'http.url': 'https://shop/cart', n: 1 },
    });
    logger.emit({ severityNumber: SeverityNumber.DEBUG, body: 'Cache hit', attributes: { n: 2 } });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: 'GET /health 200', attributes: { n: 3 } });
    logger.emit({ severityNumber: SeverityNumber.WARN, body: 'Slow payment', attributes: { n: 4 } });
    await provider.forceFlush();
    await provider.shutdown();
    expect(await running.stop('SIGTERM')).toBe(0);

    const rows = jsonLines(join(running.dir, 'out', 'app.jsonl'));
    expect(rows.map((r) => r.metadata.n)).toEqual([1, 4]);
    expect(rows[0]).toMatchObject({ level: 'INFO', component: 'cart', message: 'Checkout started', service: 'shop' });
    expect(rows[0]!.metadata['user.email']).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.metadata.url_scheme).toBe('https');
    expect(rows[1]).toMatchObject({ level: 'WARNING', message: 'Slow payment' });
  }, 60_000);

  it('answers 429 with Retry-After while memory_limiter refuses, and keeps serving', async () => {
    const port = await freePort();
    running = await startCollector(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
processors:
  memory_limiter:
    check_interval: 3s
    limit_mib: 1
exporters:
  file:
    path: "{{dir}}/refused.jsonl"
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [memory_limiter]
      exporters: [file]
`);
    const body = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hello' } }] }] }],
    });
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('3');
    }
    expect(await running.stop('SIGTERM')).toBe(0);
    expect(readFileSync(join(running.dir, 'refused.jsonl'), 'utf8')).toBe('');
  }, 60_000);
});
