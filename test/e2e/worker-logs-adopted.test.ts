// Durable mode keeps one delivery log per pipeline worker (`logs#w1`, `logs#w2`).
// A restart with fewer workers must still deliver what the others' logs hold:
// 2 workers, kill -9 with every record acknowledged but still batched, restart
// with 1 worker; every acknowledged record is stored exactly once.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { startCollector, tempDir, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';
import { auditEntries } from '../helpers/audit-entries.js';

const running: RunningCollector[] = [];
afterAll(async () => {
  for (const c of running) await c.cleanup();
});

const until = async (cond: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('Timed out.');
    await new Promise((r) => setTimeout(r, 50));
  }
};

const yaml = (port: number, workers: number, batchTimeout: string) => `
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${port}" } } }
processors:
  batch: { timeout: ${batchTimeout} }
exporters:
  msgpack_audit: { directory: "{{dir}}/audit" }
  file: { path: "{{dir}}/out.jsonl" }
extensions:
  file_storage: { directory: "{{dir}}/state" }
service:
  workers: ${workers}
  extensions: [file_storage]
  delivery: { storage: file_storage }
  pipelines:
    logs: { receivers: [otlp], processors: [batch], exporters: [msgpack_audit, file] }
`;

describe('durable delivery with a changed service.workers', () => {
  it('drains the delivery log of a worker that is no longer configured: each acknowledged record stored once', async () => {
    const port = await freePort();
    const dir = tempDir('auditline-adopt-');
    const first = await startCollector(yaml(port, 2, '60s'), { dir });
    running.push(first);
    // Acknowledged means appended to a worker's log on disk; the 60 s batch keeps them there.
    const provider = new LoggerProvider({
      processors: [
        new BatchLogRecordProcessor({
          exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${port}/v1/logs` }),
          maxExportBatchSize: 10,
          scheduledDelayMillis: 5,
        }),
      ],
    });
    const logger = provider.getLogger('adopt');
    for (let i = 0; i < 400; i++)
      logger.emit({
        eventName: 'order_placed',
        severityNumber: SeverityNumber.INFO,
        body: `Order ${i}`,
        attributes: { n: i },
      });
    await provider.forceFlush();
    await provider.shutdown();
    const w2 = join(dir, 'state', 'delivery', 'logs#w2');
    await until(() => existsSync(w2) && readdirSync(w2).some((f) => f.endsWith('.seg')));
    await first.stop('SIGKILL');

    const restarted = await startCollector(yaml(port, 1, '20ms'), { dir });
    running.push(restarted);
    const auditFile = join(dir, 'audit', 'audit.log');
    const lines = () =>
      existsSync(join(dir, 'out.jsonl'))
        ? readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n').filter(Boolean)
        : [];
    const entries = () => auditEntries<{ data: { n: number } }>(auditFile);
    await until(() => entries().length >= 400 && lines().length >= 400).catch((err: Error) => {
      throw new Error(
        `${err.message} audit ${entries().length}, file ${lines().length} of 400.\n${restarted.output()}`,
      );
    });
    expect(await restarted.stop()).toBe(0);
    const ns = entries().map((e) => e.data.n);
    expect(ns).toHaveLength(400);
    expect(new Set(ns).size).toBe(400);
    const fromFile = lines().map((l) => (JSON.parse(l) as { message: string }).message);
    expect(fromFile).toHaveLength(400);
    expect(new Set(fromFile).size).toBe(400);
    expect(restarted.output()).toMatch(/Draining the delivery log of a pipeline worker that is no longer configured/);
    // Drained, the orphaned log is gone; a later start with 2 workers begins it afresh.
    expect(existsSync(w2)).toBe(false);
  }, 120_000);
});
