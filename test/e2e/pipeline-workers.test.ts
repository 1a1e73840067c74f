// The collector as a real process with `service.workers: 2`: the official
// proto, JSON and gRPC exporters send to the main thread's receivers, the
// bodies are decoded and processed in worker threads, and one audit file, one
// /metrics and one live stream come out. Shutdown flushes the workers' batches.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMulti } from '@msgpack/msgpack';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCollector, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';
import { streamText } from '../helpers/sse.js';

const TOKEN = 'workers-test';
const auth = { authorization: `Bearer ${TOKEN}` };

function config(ports: { http: number; grpc: number; api: number }, batchTimeout: string): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${ports.http}" }
      grpc: { endpoint: "127.0.0.1:${ports.grpc}" }
processors:
  redaction: {}
  batch: { timeout: ${batchTimeout} }
exporters:
  msgpack_audit:
    directory: "{{dir}}/logs/{collection}/"
extensions:
  query_api:
    endpoint: "127.0.0.1:${ports.api}"
    auth: { tokens: ["${TOKEN}"] }
service:
  workers: 2
  extensions: [query_api]
  pipelines:
    logs:
      receivers: [otlp]
      processors: [redaction, batch]
      exporters: [msgpack_audit]
`;
}

async function send(exporter: LogRecordExporter, tag: string, n: number): Promise<void> {
  const provider = new LoggerProvider({
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 25, scheduledDelayMillis: 5 })],
  });
  const logger = provider.getLogger('workers');
  for (let i = 0; i < n; i++) {
    logger.emit({
      eventName: 'request',
      severityNumber: SeverityNumber.INFO,
      body: `${tag} ${i} from alice@example.com`,
      attributes: { collection: 'w', 'session.id': `${tag}-${i}`, password: 'hunter2-Sup3rSecret' },
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
}

function auditEntries(dir: string): { action: string; session: string; data: Record<string, unknown> }[] {
  return [...decodeMulti(readFileSync(join(dir, 'logs', 'w', 'audit.log')))] as never;
}

async function metric(api: number, name: string, match = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${api}/metrics`, { headers: auth })).text();
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(name) && line.includes(match)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  return total;
}

async function until(cond: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('Timed out.');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('pipeline workers (service.workers)', () => {
  let c: RunningCollector | undefined;
  afterEach(async () => {
    await c?.cleanup();
    c = undefined;
  });

  it('takes proto, JSON and gRPC requests on worker threads into one audit file, with one /metrics and one live stream', async () => {
    const ports = { http: await freePort(), grpc: await freePort(), api: await freePort() };
    c = await startCollector(config(ports, '20ms'));
    expect(c.output()).toContain('Pipeline workers are running.');

    const stream = await fetch(`http://127.0.0.1:${ports.api}/api/logs/stream`, { headers: auth });
    const sse = streamText(stream);
    await sse.readUntil(': connected');

    const url = `http://127.0.0.1:${ports.http}/v1/logs`;
    await send(new ProtoExporter({ url }), 'proto', 200);
    await send(new JsonExporter({ url }), 'json', 100);
    await send(new GrpcExporter({ url: `http://127.0.0.1:${ports.grpc}` }), 'grpc', 100);
    // Records processed in a worker reach the main thread's stream, after redaction.
    await sse.readUntil('grpc 99 from');
    await sse.cancel();
    expect(sse.text()).not.toContain('alice@example.com');

    await until(
      async () =>
        (await metric(ports.api, 'otelcol_exporter_sent_log_records_total', 'exporter="msgpack_audit"')) >= 400,
    );
    expect(await metric(ports.api, 'otelcol_exporter_sent_log_records_total', 'exporter="msgpack_audit"')).toBe(400);
    expect(await metric(ports.api, 'otelcol_receiver_accepted_log_records_total')).toBe(400);
    // Both workers took requests (ties go to each in turn).
    expect(await metric(ports.api, 'auditline_pipeline_worker_requests_total', 'worker="1"')).toBeGreaterThan(0);
    expect(await metric(ports.api, 'auditline_pipeline_worker_requests_total', 'worker="2"')).toBeGreaterThan(0);

    // A body a worker cannot decode is a 400; the next request is still served.
    const bad = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([0x0a, 0xff, 0xff, 0x01]),
    });
    expect(bad.status).toBe(400);
    expect(await bad.arrayBuffer()).toBeDefined();
    const badJson = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceLogs": 7',
    });
    expect(badJson.status).toBe(400);
    await send(new ProtoExporter({ url }), 'after', 10);
    await until(
      async () =>
        (await metric(ports.api, 'otelcol_exporter_sent_log_records_total', 'exporter="msgpack_audit"')) >= 410,
    );

    const entries = auditEntries(c.dir);
    expect(entries).toHaveLength(410);
    const sessions = new Set(entries.map((e) => e.session));
    for (const [tag, n] of [
      ['proto', 200],
      ['json', 100],
      ['grpc', 100],
      ['after', 10],
    ] as const) {
      for (let i = 0; i < n; i++) expect(sessions.has(`${tag}-${i}`)).toBe(true);
    }
    const bytes = readFileSync(join(c.dir, 'logs', 'w', 'audit.log')).toString('latin1');
    expect(bytes).not.toContain('alice@example.com');
    expect(bytes).not.toContain('hunter2');
  });

  it('flushes the records still batched in workers when it is stopped', async () => {
    const ports = { http: await freePort(), grpc: await freePort(), api: await freePort() };
    c = await startCollector(config(ports, '60s'));
    await send(new ProtoExporter({ url: `http://127.0.0.1:${ports.http}/v1/logs` }), 'held', 150);
    expect(await metric(ports.api, 'otelcol_receiver_accepted_log_records_total')).toBe(150);
    expect(await metric(ports.api, 'otelcol_exporter_sent_log_records_total')).toBe(0);
    expect(await c.stop('SIGTERM')).toBe(0);
    expect(auditEntries(c.dir)).toHaveLength(150);
  });

  it('builds sqlite rows in the workers and writes them through the one writer on the main thread', async () => {
    const ports = { http: await freePort(), grpc: await freePort(), api: await freePort() };
    c = await startCollector(
      config(ports, '20ms')
        .replace(
          'exporters:\n  msgpack_audit:',
          'exporters:\n  sqlite:\n    path: "{{dir}}/data/audit.db"\n  msgpack_audit:',
        )
        .replace('exporters: [msgpack_audit]', 'exporters: [msgpack_audit, sqlite]'),
    );
    await send(new ProtoExporter({ url: `http://127.0.0.1:${ports.http}/v1/logs` }), 'sql', 300);
    await until(
      async () => (await metric(ports.api, 'otelcol_exporter_sent_log_records_total', 'exporter="sqlite"')) >= 300,
    );
    expect(await metric(ports.api, 'auditline_pipeline_worker_requests_total')).toBeGreaterThan(1);
    const count = execFileSync(
      'sqlite3',
      [join(c.dir, 'data', 'audit.db'), 'SELECT COUNT(*), COUNT(DISTINCT session_id) FROM audit_logs;'],
      { encoding: 'utf8' },
    ).trim();
    expect(count).toBe('300|300');
    // The query API on the main thread reads what the workers' rows became.
    const res = await fetch(`http://127.0.0.1:${ports.api}/api/logs/audit?session_id=sql-7`, { headers: auth });
    const body = (await res.json()) as { logs: { message: string; session_id: string }[] };
    expect(body.logs).toEqual([expect.objectContaining({ session_id: 'sql-7', message: 'sql 7 from ****' })]);
    expect(await metric(ports.api, 'otelcol_exporter_sent_log_records_total', 'exporter="sqlite"')).toBe(300);
  });

  it("builds the file exporter's JSON lines in the workers and writes them through the one writer on the main thread", async () => {
    const ports = { http: await freePort(), grpc: await freePort(), api: await freePort() };
    c = await startCollector(
      config(ports, '20ms')
        .replace('exporters:\n  msgpack_audit:', 'exporters:\n  file:\n    path: "{{dir}}/out.jsonl"\n  msgpack_audit:')
        .replace('exporters: [msgpack_audit]', 'exporters: [msgpack_audit, file]'),
    );
    await send(new ProtoExporter({ url: `http://127.0.0.1:${ports.http}/v1/logs` }), 'line', 300);
    await until(
      async () => (await metric(ports.api, 'otelcol_exporter_sent_log_records_total', 'exporter="file"')) >= 300,
    );
    expect(await metric(ports.api, 'auditline_pipeline_worker_requests_total', 'worker="1"')).toBeGreaterThan(0);
    expect(await metric(ports.api, 'auditline_pipeline_worker_requests_total', 'worker="2"')).toBeGreaterThan(0);
    expect(await c.stop('SIGTERM')).toBe(0);
    const lines = readFileSync(join(c.dir, 'out.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(300);
    const sessions = new Set(lines.map((l) => /line-\d+/.exec(l)?.[0]));
    expect(sessions.size).toBe(300);
    expect(lines.join('\n')).not.toContain('alice@example.com');
  });

  it('refuses a workers count out of range', async () => {
    const ports = { http: await freePort(), grpc: await freePort(), api: await freePort() };
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'auditline-workers-'));
    writeFileSync(
      join(dir, 'bad.yaml'),
      config(ports, '1s').replace('workers: 2', 'workers: -1').replaceAll('{{dir}}', dir),
    );
    const negative = await runCli(['validate', '--config', join(dir, 'bad.yaml')]);
    expect(negative.code).toBe(1);
    expect(negative.stderr).toContain('service::workers: must be an integer from 0 to 64');
  });
});
