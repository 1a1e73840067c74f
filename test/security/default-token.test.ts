// No well-known token ever works. The shipped collector.yaml, run with
// AUDITLINE_TOKEN unset, refuses `Bearer dev-token`, prints a token generated
// for the run once, and that token works — also for `auditline logs` — while
// the query API listens on loopback only. Off loopback, no token means no start.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, startCollector, tempDir, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';

const running: RunningCollector[] = [];
afterAll(async () => {
  for (const c of running) await c.cleanup();
});

/** The shipped collector.yaml with its ports moved to free ones (its token line untouched). */
async function shippedConfig(): Promise<{ yaml: string; api: number }> {
  const [http, grpc, api, health] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const yaml = readFileSync(join(ROOT, 'collector.yaml'), 'utf8')
    .replace('localhost:4318', `localhost:${http}`)
    .replace('localhost:4317', `localhost:${grpc}`)
    .replace('localhost:8080', `localhost:${api}`)
    .replace('localhost:13133', `localhost:${health}`);
  return { yaml, api };
}

// Unset for this test file's process and so for the collectors and CLIs it spawns.
delete process.env.AUDITLINE_TOKEN;

async function startWithoutToken(yaml: string): Promise<RunningCollector> {
  const c = await startCollector(yaml);
  running.push(c);
  return c;
}

describe('query API – no well-known token', () => {
  it('the shipped collector.yaml without AUDITLINE_TOKEN refuses dev-token and prints a generated token once, which auditline logs can use', async () => {
    const { yaml, api } = await shippedConfig();
    const c = await startWithoutToken(yaml);
    const url = `http://localhost:${api}`;
    for (const bad of ['dev-token', '', 'changeme']) {
      const res = await fetch(`${url}/api/logs/audit`, { headers: bad ? { authorization: `Bearer ${bad}` } : {} });
      expect(res.status, bad).toBe(401);
    }
    expect(yaml).toContain('auth: { tokens: ["${env:AUDITLINE_TOKEN:-}"] }');
    const m = /generated for this run; for "auditline logs": export AUDITLINE_TOKEN=([A-Za-z0-9_-]{43}) /.exec(
      c.output(),
    );
    expect(m, c.output()).not.toBeNull();
    const token = m![1]!;
    expect(c.output().split(token).length - 1).toBe(1);
    expect((await fetch(`${url}/api/logs/audit`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    const cli = await runCli(['logs', 'audit', '--json'], { env: { AUDITLINE_URL: url, AUDITLINE_TOKEN: token } });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const refused = await runCli(['logs', 'audit'], { env: { AUDITLINE_URL: url, AUDITLINE_TOKEN: 'dev-token' } });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('401');
  });

  it('with AUDITLINE_TOKEN set, that token works and nothing is generated', async () => {
    const { yaml, api } = await shippedConfig();
    const c = await startCollector(yaml, { env: { AUDITLINE_TOKEN: 'operator-chosen-token' } });
    running.push(c);
    expect(c.output()).not.toContain('generated for this run');
    const get = (t: string) =>
      fetch(`http://localhost:${api}/api/logs/audit`, { headers: { authorization: `Bearer ${t}` } }).then(
        (r) => r.status,
      );
    expect(await get('operator-chosen-token')).toBe(200);
    expect(await get('dev-token')).toBe(401);
  });

  it('refuses to start (and validate) a query API on a non-loopback address without a token', async () => {
    const dir = tempDir('auditline-token-');
    const { yaml, api } = await shippedConfig();
    const open = yaml.replace(`endpoint: localhost:${api}`, `endpoint: "0.0.0.0:${api}"`);
    expect(open).toContain('endpoint: "0.0.0.0:');
    const file = join(dir, 'open.yaml');
    writeFileSync(file, open);
    const v = await runCli(['validate', '--config', file]);
    expect(v.code).toBe(1);
    expect(v.stderr + v.stdout).toContain(
      'extensions::query_api::endpoint: listens on "0.0.0.0" but no token is configured',
    );
    const run = await runCli(['--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('listens on "0.0.0.0" but no token is configured');
    rmSync(dir, { recursive: true, force: true });
  });
});
