// examples/sidecar reports the truth (issue #15, first steps): with no collector
// listening it names the failure and exits 1; with a real collector process it
// reports the records the collector accepted, and they are in the audit file.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMulti } from '@msgpack/msgpack';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, startCollector, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';

const APP = join(ROOT, 'examples', 'sidecar', 'app.mjs');
let collector: RunningCollector | undefined;
afterAll(async () => {
  await collector?.cleanup();
});

function runApp(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [APP], { env: { ...process.env, OTLP_URL: url } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => {
      stdout += c;
    });
    p.stderr.on('data', (c) => {
      stderr += c;
    });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/sidecar', () => {
  it('sidecar – without a collector, says nothing was delivered and why, and exits 1', async () => {
    const port = await freePort(); // nothing listens there
    const r = await runApp(`http://127.0.0.1:${port}/v1/logs`);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/Sent|accepted/);
    expect(r.stderr).toMatch(/Could not deliver 6 of 6 records to http:\/\/127\.0\.0\.1:\d+\/v1\/logs: .*ECONNREFUSED/);
    expect(r.stderr).toMatch(/npm start/);
  }, 60_000);

  it('sidecar – with a real collector, reports the 6 records it accepted, and they are in the audit file', async () => {
    const port = await freePort();
    collector = await startCollector(`receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${port} } } }
processors:
  redaction: {}
exporters:
  msgpack_audit: { directory: '{{dir}}/logs/{collection}/' }
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    logs: { receivers: [otlp], processors: [redaction], exporters: [msgpack_audit] }
`);
    const r = await runApp(`http://127.0.0.1:${port}/v1/logs`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`The collector at http://127.0.0.1:${port}/v1/logs accepted 6 records.\n`);
    await collector.stop('SIGTERM');
    const entries = [...decodeMulti(readFileSync(join(collector.dir, 'logs', 'sessions', 'audit.log')))];
    expect(entries).toHaveLength(6);
  }, 60_000);
});
