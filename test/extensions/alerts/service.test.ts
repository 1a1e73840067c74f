// The alerts extension in a real collector: records sent over OTLP/HTTP to an
// otlp receiver, through a pipeline to msgpack_audit, watched on the tap; the
// rule fires and resolves on its own timer, is delivered to a real local webhook
// (after the first attempts fail), and shows in GET /api/alerts, /metrics and
// `auditline logs alerts`.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMulti } from '@msgpack/msgpack';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, describe, expect, it } from 'vitest';
import { runLogs, type Io } from '../../../src/cli/logs/index.js';
import { defaultRegistry } from '../../../src/components.js';
import { loadConfigText } from '../../../src/config/load.js';
import type { AlertsBody } from '../../../src/extensions/alerts/alerts.js';
import type { QueryApiServer } from '../../../src/extensions/query-api/server.js';
import { Service } from '../../../src/pipeline/service.js';
import type { OtlpReceiver } from '../../../src/receivers/otlp/factory.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { record, SEV } from '../../exporters/sqlite/fixtures.js';
import { tempDir } from '../../helpers/collector.js';
import { startWebhook, until } from './helpers.js';

const dir = tempDir('auditline-alerts-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(env: NodeJS.ProcessEnv): Io & { out: () => string } {
  let out = '';
  return {
    stdout: {
      write: (s: string) => {
        out += s;
      },
    },
    stderr: { write: () => {} },
    env,
    out: () => out,
  };
}

describe('alerts in a running collector', () => {
  it('error_rate fires and resolves on its timer; webhook (with retries), /api/alerts, /metrics and the CLI show it', async () => {
    const hook = await startWebhook(2);
    const lines: string[] = [];
    const cfg = loadConfigText(
      `
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:0" } } }
exporters:
  msgpack_audit: { directory: "${dir}/audit" }
extensions:
  query_api: { endpoint: "127.0.0.1:0" }
  alerts:
    evaluation_interval: 50ms
    fire_after: 1
    resolve_after: 2
    error_rate: { threshold: 0.25, min_requests: 4, window: 50ms }
    webhook: { endpoint: "${hook.url}", initial_interval: 10ms }
service:
  extensions: [query_api, alerts]
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [msgpack_audit]
`,
      defaultRegistry(),
      {},
    );
    const svc = new Service(cfg, { logger: createLogger('test', { write: (l) => lines.push(l) }) });
    await svc.start();
    try {
      const api = svc.component<QueryApiServer>('query_api')!;
      const token = api.generatedToken!;
      const get = (path: string) => fetch(api.url + path, { headers: { authorization: `Bearer ${token}` } });
      const alerts = async () => (await (await get('/api/alerts')).json()) as AlertsBody;
      expect((await alerts()).rules.map((r) => [r.rule, r.state])).toEqual([['error_rate', 'ok']]);

      const port = svc.component<OtlpReceiver>('otlp')!.http!.port!;
      const records = Array.from({ length: 10 }, (_, i) =>
        record({
          severity: i < 5 ? SEV.ERROR : SEV.INFO,
          attrs: {
            'http.request.method': 'GET',
            'url.path': `/api/x/${i}`,
            'http.response.status_code': i < 5 ? 500 : 200,
            duration_ms: 12,
          },
        }),
      );
      const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, {
        method: 'POST',
        body: ProtobufLogsSerializer.serializeRequest(records)!,
        headers: { 'content-type': 'application/x-protobuf' },
      });
      expect(res.status).toBe(200);

      // Fires at the evaluation after the records, then resolves once two evaluations saw no errors.
      await hook.waitFor(2);
      expect(hook.received.map((b) => [b.status, b.rule])).toEqual([
        ['firing', 'error_rate'],
        ['resolved', 'error_rate'],
      ]);
      expect(hook.received[0]!.value).toBe(0.5);
      expect(hook.attempts).toBe(4);

      const body = await alerts();
      expect(body.rules[0]).toMatchObject({
        rule: 'error_rate',
        state: 'ok',
        fired_count: 1,
        condition: '> 0.25',
        window_ms: 50,
      });
      expect(body.history.map((e) => e.status)).toEqual(['firing', 'resolved']);
      const metrics = await (await get('/metrics')).text();
      expect(metrics).toContain('auditline_alerts_fired_total{rule="error_rate"} 1');
      expect(metrics).toContain('auditline_alert_active{rule="error_rate"} 0');
      await until(async () =>
        (await (await get('/metrics')).text()).includes('auditline_alerts_webhook_retries_total 2'),
      );
      expect(lines.some((l) => l.includes('Alert "error_rate" fired: error rate 0.5 above 0.25'))).toBe(true);
      expect(lines.some((l) => l.includes('Alert "error_rate" resolved'))).toBe(true);

      const env = { AUDITLINE_URL: api.url, AUDITLINE_TOKEN: token };
      const human = io(env);
      expect(await runLogs(['alerts'], human)).toBe(0);
      expect(human.out()).toMatch(/^error_rate {2}OK +value n\/a \(fires when > 0\.25\)/);
      expect(human.out()).toContain('Recent events:');
      expect(human.out()).toMatch(/FIRING\s+Alert "error_rate" fired/);
      expect(human.out()).toMatch(/RESOLVED\s+Alert "error_rate" resolved/);
      const json = io(env);
      expect(await runLogs(['alerts', '--json'], json)).toBe(0);
      const objs = json
        .out()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(objs.map((o) => [o.type, o.status ?? o.state])).toEqual([
        ['rule', 'ok'],
        ['event', 'firing'],
        ['event', 'resolved'],
      ]);
      const active = io(env);
      expect(await runLogs(['alerts', '--active'], active)).toBe(0);
      expect(active.out()).toBe('No alert is firing.\n');
    } finally {
      await svc.shutdown();
      await svc.shutdown();
      await hook.close();
    }
    // The records went on to the exporter as usual.
    expect([...decodeMulti(readFileSync(join(dir, 'audit', 'audit.log')))]).toHaveLength(10);
  });
});
