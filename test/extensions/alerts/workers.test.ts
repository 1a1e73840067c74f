// The collector as a real process with `service.workers: 2` and the alerts
// extension: records processed on worker threads reach the rules on the main
// thread (through the tap), the rule fires, and `auditline logs alerts`
// (the built CLI) shows it. Uses dist/ (build with `npx tsc -p tsconfig.json`).
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { afterEach, describe, expect, it } from 'vitest';
import { record } from '../../exporters/sqlite/fixtures.js';
import { runCli, startCollector, type RunningCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/ports.js';
import { startWebhook, until, type Webhook } from './helpers.js';

const TOKEN = 'alerts-workers-test';

describe('alerts with pipeline workers', () => {
  let c: RunningCollector | undefined;
  let hook: Webhook | undefined;
  afterEach(async () => {
    await c?.cleanup();
    await hook?.close();
    c = undefined;
    hook = undefined;
  });

  it('counts records processed on worker threads and fires; the CLI shows it', async () => {
    hook = await startWebhook();
    const [http, api] = [await freePort(), await freePort()];
    c = await startCollector(`
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${http}" } } }
exporters:
  msgpack_audit: { directory: "{{dir}}/audit" }
extensions:
  query_api: { endpoint: "127.0.0.1:${api}", auth: { tokens: ["${TOKEN}"] } }
  alerts:
    evaluation_interval: 100ms
    fire_after: 1
    resolve_after: 1000
    traffic: { max: 50, window: 10s }
    webhook: { endpoint: "${hook.url}" }
service:
  workers: 2
  extensions: [query_api, alerts]
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [msgpack_audit]
`);
    for (let k = 0; k < 4; k++) {
      const body = ProtobufLogsSerializer.serializeRequest(
        Array.from({ length: 20 }, (_, i) => record({ attrs: { 'url.path': `/w/${k}/${i}` } })),
      )!;
      const res = await fetch(`http://127.0.0.1:${http}/v1/logs`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-protobuf' },
      });
      expect(res.status).toBe(200);
    }
    await hook.waitFor(1, 15_000);
    expect(hook.received[0]).toMatchObject({ status: 'firing', rule: 'traffic' });
    await until(
      async () => {
        const r = await runCli(['logs', 'alerts', '--json', '--url', `http://127.0.0.1:${api}`, '--token', TOKEN]);
        return r.code === 0 && JSON.parse(r.stdout.split('\n')[0]!).value === 80;
      },
      15_000,
      'all 80 records counted',
    );
    const r = await runCli(['logs', 'alerts', '--url', `http://127.0.0.1:${api}`, '--token', TOKEN]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^traffic {2}FIRING +value 80 \(fires when > 50\)/);
    expect(c.output()).toContain('Alert "traffic" fired');
  });
});
