// Self-telemetry of a real collector process, the Collector's way: records sent
// with the official OTLP exporter are counted under the Collector's otelcol_*
// names on the Prometheus endpoint of service.telemetry.metrics (its own
// address, no token), in an exposition every line of which a strict reader
// accepts; with service.workers 2 the workers' counts add up on the main thread.
import { createServer } from 'node:net';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCollector, tempDir, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';
import { parseExposition, sumOf, type Family } from '../helpers/prometheus-text.js';
import { defaultTelemetryConfig } from '../../src/telemetry/config.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { Telemetry } from '../../src/telemetry/metrics.js';
import { startMetricsEndpoint } from '../../src/telemetry/metrics-endpoint.js';

const TOKEN = 'telemetry-test';

function config(o: { http: number; metrics: string; workers?: number; api?: number }): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${o.http}" }
processors:
  redaction: {}
  batch: { timeout: 20ms }
exporters:
  msgpack_audit:
    directory: "{{dir}}/logs/"
${o.api ? `extensions:\n  query_api:\n    endpoint: "127.0.0.1:${o.api}"\n    auth: { tokens: ["${TOKEN}"] }\n` : ''}
service:
  workers: ${o.workers ?? 0}
${o.api ? '  extensions: [query_api]\n' : ''}  telemetry:
    metrics:
${o.metrics}
  pipelines:
    logs:
      receivers: [otlp]
      processors: [redaction, batch]
      exporters: [msgpack_audit]
`;
}

async function send(url: string, n: number): Promise<void> {
  const exporter = new OTLPLogExporter({ url });
  const provider = new LoggerProvider({
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 20, scheduledDelayMillis: 5 })],
  });
  const logger = provider.getLogger('telemetry-test');
  for (let i = 0; i < n; i++) {
    logger.emit({
      eventName: 'request',
      severityNumber: SeverityNumber.INFO,
      body: `record ${i}`,
      attributes: { 'session.id': `s-${i}` },
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
}

function metricsUrl(c: RunningCollector): string {
  const m = /The metrics endpoint is listening\. \(url=(http:\/\/\S+\/metrics)\)/.exec(c.output());
  if (!m) throw new Error(`No metrics endpoint in the output:\n${c.output()}`);
  return m[1]!;
}

async function scrape(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ families: Map<string, Family>; contentType: string | null }> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  return { families: parseExposition(await res.text()), contentType: res.headers.get('content-type') };
}

async function until(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('Timed out.');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pull = (port: number) =>
  `      readers:\n        - pull: { exporter: { prometheus: { host: 127.0.0.1, port: ${port} } } }`;

describe('service.telemetry.metrics: the Prometheus endpoint of a real collector', () => {
  let c: RunningCollector | undefined;
  afterEach(async () => {
    await c?.cleanup();
    c = undefined;
  });

  it('counts what an official OTLP exporter sent under otelcol_* names, with HELP and TYPE, without a token', async () => {
    const http = await freePort();
    c = await startCollector(config({ http, metrics: pull(0) }));
    const url = metricsUrl(c);
    await send(`http://127.0.0.1:${http}/v1/logs`, 130);
    const sent = async () =>
      sumOf((await scrape(url)).families, 'otelcol_exporter_sent_log_records_total', { exporter: 'msgpack_audit' });
    await until(async () => (await sent()) >= 130);

    const { families, contentType } = await scrape(url);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(
      sumOf(families, 'otelcol_receiver_accepted_log_records_total', { receiver: 'otlp', transport: 'http' }),
    ).toBe(130);
    expect(sumOf(families, 'otelcol_exporter_sent_log_records_total', { exporter: 'msgpack_audit' })).toBe(130);
    expect(sumOf(families, 'otelcol_receiver_refused_log_records_total')).toBe(0);
    expect(
      sumOf(families, 'otelcol_processor_incoming_items_total', { processor: 'redaction@logs', otel_signal: 'logs' }),
    ).toBe(130);
    expect(
      sumOf(families, 'otelcol_processor_outgoing_items_total', { processor: 'redaction@logs', otel_signal: 'logs' }),
    ).toBe(130);
    expect(families.get('otelcol_receiver_accepted_log_records_total')!.type).toBe('counter');
    expect(families.get('otelcol_exporter_queue_size')!.type).toBe('gauge');
    expect(families.get('otelcol_exporter_sent_log_records_total')!.help).toBe(
      'Number of log records successfully sent to destination.',
    );
    for (const name of ['otelcol_process_uptime_seconds_total', 'otelcol_process_cpu_seconds_total']) {
      expect(families.get(name)!.type).toBe('counter');
      expect(sumOf(families, name)).toBeGreaterThan(0);
    }
    expect(sumOf(families, 'otelcol_process_memory_rss_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    // prom-client's default process metrics at the default level (normal).
    expect(families.get('process_resident_memory_bytes')?.type).toBe('gauge');
    expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
    for (const f of families.values()) expect(f.help.length, f.name).toBeGreaterThan(0);

    expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);
  });

  it('with service.workers 2, the counts of both workers add up on the main thread endpoint and the query API /metrics', async () => {
    const [http, api] = [await freePort(), await freePort()];
    c = await startCollector(config({ http, api, workers: 2, metrics: `      address: "127.0.0.1:0"` }));
    const url = metricsUrl(c);
    const target = `http://127.0.0.1:${http}/v1/logs`;
    await Promise.all([send(target, 150), send(target, 150), send(target, 100)]);
    const sent = async () => sumOf((await scrape(url)).families, 'otelcol_exporter_sent_log_records_total');
    await until(async () => (await sent()) >= 400);
    // The workers report every 50 ms; what they did is summed, not replaced.
    await until(async () => sumOf((await scrape(url)).families, 'otelcol_processor_outgoing_items_total') >= 400);

    const { families } = await scrape(url);
    expect(sumOf(families, 'otelcol_receiver_accepted_log_records_total')).toBe(400);
    expect(sumOf(families, 'otelcol_exporter_sent_log_records_total', { exporter: 'msgpack_audit' })).toBe(400);
    expect(sumOf(families, 'otelcol_processor_incoming_items_total', { processor: 'redaction@logs' })).toBe(400);
    expect(sumOf(families, 'auditline_pipeline_worker_requests_total', { worker: '1' })).toBeGreaterThan(0);
    expect(sumOf(families, 'auditline_pipeline_worker_requests_total', { worker: '2' })).toBeGreaterThan(0);

    // The query API serves the same registry behind its token.
    expect((await fetch(`http://127.0.0.1:${api}/metrics`)).status).toBe(401);
    const viaApi = await scrape(`http://127.0.0.1:${api}/metrics`, { authorization: `Bearer ${TOKEN}` });
    expect(sumOf(viaApi.families, 'otelcol_exporter_sent_log_records_total', { exporter: 'msgpack_audit' })).toBe(400);
    expect(viaApi.families.get('otelcol_receiver_accepted_log_records_total')!.help).toBeTruthy();
  });

  it('level basic leaves out the Node.js runtime metrics; level none serves no endpoint', async () => {
    const http = await freePort();
    c = await startCollector(config({ http, metrics: `      level: basic\n${pull(0)}` }));
    const { families } = await scrape(metricsUrl(c));
    expect(families.has('otelcol_process_uptime_seconds_total')).toBe(true);
    expect([...families.keys()].filter((n) => n.startsWith('nodejs_') || n.startsWith('process_'))).toEqual([]);
    await c.cleanup();

    c = await startCollector(config({ http: await freePort(), metrics: '      level: none' }));
    expect(c.output()).not.toContain('metrics endpoint');
  });

  it('refuses to start when the configured metrics address is taken, naming it', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    const dir = tempDir();
    try {
      const file = `${dir}/c.yaml`;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        file,
        config({ http: await freePort(), metrics: `      address: "127.0.0.1:${port}"` }).replaceAll('{{dir}}', dir),
      );
      const r = await runCli(['--config', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`The metrics endpoint cannot listen on 127.0.0.1:${port}: EADDRINUSE.`);
    } finally {
      busy.close();
    }
  });

  it('skips the default address localhost:8888 with one warning when it is taken (another collector on the host)', async () => {
    // Holding 8888 here makes it busy whether or not something else already had it.
    const holder = createServer();
    await new Promise<void>((r) => holder.once('error', () => r()).listen(8888, 'localhost', () => r()));
    const lines: string[] = [];
    try {
      const logger = createLogger('auditline', { write: (l) => lines.push(l) });
      const endpoint = await startMetricsEndpoint(defaultTelemetryConfig(), new Telemetry(), logger);
      expect(endpoint.urls).toEqual([]);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /\[WARNING\] auditline: The metrics endpoint is not served: its default address is in use; .*address=localhost:8888/,
      );
      await endpoint.close();
    } finally {
      holder.close();
    }
  });
});
