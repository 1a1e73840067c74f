// health_check answers as the Collector's does: 503 until every pipeline has
// started and from the start of shutdown, 200 in between; `response_body`
// replaces the JSON status with fixed texts (issue #15).
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../../src/component/types.js';
import { formatIssue, takeWarnings, type ConfigIssue } from '../../../src/config/schema.js';
import { healthCheckExtensionFactory, type HealthCheck } from '../../../src/extensions/health-check/factory.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { startCollector, type RunningCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/ports.js';

const host: Host = {
  getExtension: () => undefined,
  findExtension: () => undefined,
  tap: new RecordTap(),
  logger: silentLogger,
  telemetry: new Telemetry(),
};
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function get(port: number, path = '/'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (c) => {
          body += c;
        })
        .on('end', () => {
          resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body });
        });
    })
      .on('error', reject)
      .end();
  });
}

async function started(raw: Record<string, unknown>): Promise<HealthCheck> {
  const issues: ConfigIssue[] = [];
  const cfg = healthCheckExtensionFactory.config.parse({ endpoint: '127.0.0.1:0', ...raw }, [], issues);
  if (!cfg) throw new Error(issues.map(formatIssue).join('\n'));
  const hc = healthCheckExtensionFactory.create(
    { id: 'health_check', logger: silentLogger, telemetry: new Telemetry() },
    cfg,
  ) as HealthCheck;
  await hc.start(host);
  cleanups.push(() => hc.shutdown());
  return hc;
}

describe('health_check', () => {
  it('answers 503 before the pipelines are ready, 200 once they are, 503 again from shutdown', async () => {
    const hc = await started({});
    const before = await get(hc.port!);
    expect(before.status).toBe(503);
    expect(JSON.parse(before.body)).toMatchObject({ status: 'Server not available' });
    hc.ready();
    const ready = await get(hc.port!);
    expect(ready.status).toBe(200);
    expect(ready.type).toBe('application/json');
    expect(JSON.parse(ready.body)).toMatchObject({
      status: 'Server available',
      uptime: expect.stringMatching(/^\d+s$/),
    });
    hc.notReady();
    expect((await get(hc.port!)).status).toBe(503);
  });

  it('response_body: answers the healthy and unhealthy texts instead of the JSON status', async () => {
    const hc = await started({
      path: '/health/status',
      response_body: { healthy: "I'm OK", unhealthy: "I'm not well" },
    });
    expect(await get(hc.port!, '/health/status')).toEqual({
      status: 503,
      type: 'text/plain; charset=utf-8',
      body: "I'm not well",
    });
    hc.ready();
    expect(await get(hc.port!, '/health/status')).toEqual({
      status: 200,
      type: 'text/plain; charset=utf-8',
      body: "I'm OK",
    });
    expect((await get(hc.port!, '/')).status).toBe(404);
  });

  it('check_collector_pipeline: loads, and warns only when enabled', () => {
    const issues: ConfigIssue[] = [];
    const parse = (v: unknown) => healthCheckExtensionFactory.config.parse(v, ['extensions', 'health_check'], issues);
    expect(
      parse({ check_collector_pipeline: { enabled: false, interval: '5m', exporter_failure_threshold: 5 } }),
    ).toBeDefined();
    expect(
      parse({ check_collector_pipeline: { enabled: true, interval: '5m', exporter_failure_threshold: 5 } }),
    ).toBeDefined();
    expect(issues).toEqual([]);
    expect(takeWarnings(issues).map(formatIssue)).toEqual([
      'extensions::health_check::check_collector_pipeline: ignored (deprecated in the Collector, ' +
        'which advises against it); the probe reports whether all pipelines run',
    ]);
    parse({ check_collector_pipeline: { interval: 'often', exporter_failure_threshold: 0 } });
    expect(issues.map(formatIssue)).toEqual([
      'extensions::health_check::check_collector_pipeline::interval: must be a duration such as 200ms, 5s or 1m',
      'extensions::health_check::check_collector_pipeline::exporter_failure_threshold: must be a positive integer',
    ]);
  });

  it('in a running collector: the configured healthy body once the collector is up', async () => {
    const port = await freePort();
    const c: RunningCollector = await startCollector(`
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:0" } } }
exporters:
  console: {}
extensions:
  health_check:
    endpoint: "127.0.0.1:${port}"
    response_body: { healthy: "up", unhealthy: "down" }
service:
  extensions: [health_check]
  pipelines:
    logs: { receivers: [otlp], exporters: [console] }
`);
    cleanups.push(() => c.cleanup());
    expect(await get(port)).toMatchObject({ status: 200, body: 'up' });
  }, 60_000);
});
