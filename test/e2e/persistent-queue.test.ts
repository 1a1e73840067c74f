// An acknowledged record survives kill -9 and an exporter outage when the
// pipeline's delivery log is kept on disk by the file_storage extension
// (named by an exporter's `sending_queue.storage`, as in the Collector).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMulti } from '@msgpack/msgpack';
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

describe('persistent sending queue', () => {
  it('keeps acknowledged records on disk through kill -9 and delivers them once the destination is back', async () => {
    const [sidecarPort, gatewayPort] = [await freePort(), await freePort()];
    const dir = tempDir('auditline-pq-');
    const sidecarYaml = `
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${sidecarPort}" } } }
processors:
  redaction: {}
exporters:
  otlp_http:
    endpoint: http://127.0.0.1:${gatewayPort}
    timeout: 500ms
    sending_queue: { storage: file_storage, num_consumers: 1 }
    retry_on_failure: { initial_interval: 100ms, max_interval: 300ms, max_elapsed_time: 0s }
extensions:
  file_storage: { directory: "{{dir}}/queue", fsync: true }
service:
  extensions: [file_storage]
  pipelines:
    logs: { receivers: [otlp], processors: [redaction], exporters: [otlp_http] }
`;
    const sidecar = await startCollector(sidecarYaml, { dir });
    running.push(sidecar);

    // 30 acknowledged requests of 10 records while the gateway does not exist.
    const provider = new LoggerProvider({
      processors: [
        new BatchLogRecordProcessor({
          exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${sidecarPort}/v1/logs` }),
          maxExportBatchSize: 10,
          scheduledDelayMillis: 10,
        }),
      ],
    });
    const logger = provider.getLogger('pq');
    for (let i = 0; i < 300; i++) {
      logger.emit({
        eventName: 'order_placed',
        severityNumber: SeverityNumber.INFO,
        body: `Order ${i}`,
        attributes: { 'session.id': `s${i % 5}`, 'user.email': `buyer${i}@example.com`, n: i },
      });
    }
    await provider.forceFlush();
    await provider.shutdown();
    const queueDir = join(dir, 'queue', 'delivery', 'logs');
    await until(() => existsSync(queueDir) && readdirSync(queueDir).filter((f) => f.endsWith('.seg')).length > 0);

    await sidecar.stop('SIGKILL');
    const persisted = readdirSync(queueDir).filter((f) => f.endsWith('.seg'));
    expect(persisted.length).toBeGreaterThan(0);
    // What is on disk is already redacted.
    for (const f of persisted) expect(readFileSync(join(queueDir, f)).toString('latin1')).not.toContain('@example.com');

    const gateway = await startCollector(`
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${gatewayPort}" } } }
exporters:
  msgpack_audit: { directory: "{{dir}}/audit" }
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [msgpack_audit] }
`);
    running.push(gateway);
    const restarted = await startCollector(sidecarYaml, { dir });
    running.push(restarted);

    const auditFile = join(gateway.dir, 'audit', 'audit.log');
    const count = () => auditEntries(auditFile).length;
    await until(() => count() >= 300).catch((err) => {
      throw new Error(
        `${err.message} ${count()} entries at the gateway.\nSidecar:\n${restarted.output()}\nGateway:\n${gateway.output()}`,
      );
    });
    await new Promise((r) => setTimeout(r, 500));
    const entries = [...decodeMulti(readFileSync(auditFile))] as { data: { n: number } }[];
    expect(new Set(entries.map((e) => e.data.n)).size).toBe(300);
    expect(entries).toHaveLength(300);
    expect(restarted.output()).toMatch(/Resuming the delivery log/);
    expect(await restarted.stop()).toBe(0);
    expect(await gateway.stop()).toBe(0);
  }, 90_000);
});
