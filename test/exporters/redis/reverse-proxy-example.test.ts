// examples/reverse-proxy end to end: the proxy's demo traffic goes over
// OTLP/HTTP into the example's own collector.yaml (a real collector process)
// and lands in a real Redis, where `auditline logs` and the seed's redis-cli
// debug commands read it. Needs `npm run build`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as follow } from '../../../src/cli/logs/follow.js';
import { runCli, startCollector, ROOT, type RunningCollector } from '../../helpers/collector.js';
import { freePort, startRedis, type RedisServer } from '../../helpers/redis.js';

const EXAMPLE = join(ROOT, 'examples', 'reverse-proxy');
let redis: RedisServer;
let collector: RunningCollector;
let env: NodeJS.ProcessEnv;
let hours: string[];
let ports: { otlp: number; proxy: number; upstream: number };

function runDemo(): Promise<number | null> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(EXAMPLE, 'proxy.mjs'), '--demo'], {
      cwd: EXAMPLE,
      stdio: 'ignore',
      env: {
        ...process.env,
        OTLP_LOGS_URL: `http://127.0.0.1:${ports.otlp}/v1/logs`,
        LISTEN_PORT: String(ports.proxy),
        UPSTREAM_PORT: String(ports.upstream),
      },
    });
    p.once('exit', resolve);
  });
}

beforeAll(async () => {
  redis = await startRedis();
  const [otlp, api, proxy, upstream] = [await freePort(), await freePort(), await freePort(), await freePort()];
  collector = await startCollector(readFileSync(join(EXAMPLE, 'collector.yaml'), 'utf8'), {
    env: {
      REDIS_URL: redis.url,
      OTLP_HTTP_ENDPOINT: `127.0.0.1:${otlp}`,
      QUERY_API_ENDPOINT: `127.0.0.1:${api}`,
      AUDITLINE_TOKEN: 'example-token',
    },
  });
  env = { AUDITLINE_URL: `http://127.0.0.1:${api}`, AUDITLINE_TOKEN: 'example-token' };
  hours = [hour()];
  ports = { otlp, proxy, upstream };
  const code = await runDemo();
  expect(code).toBe(0);
  if (hour() !== hours[0]) hours.push(hour());
  // The collector batches for 200 ms; wait until every request is indexed.
  for (let i = 0; i < 100 && (await redis.cli('xlen', 'stream:requests')) !== '300'; i++)
    await new Promise((r) => setTimeout(r, 100));
}, 60_000);

afterAll(async () => {
  await collector?.cleanup();
  await redis?.stop();
});

function hour(): string {
  const d = new Date().toISOString();
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}:${d.slice(11, 13)}`;
}

describe('examples/reverse-proxy', () => {
  it('indexes every proxied request in Redis, readable with the seed debug commands', async () => {
    expect(await redis.cli('xlen', 'stream:requests')).toBe('300');
    expect(await redis.cli('ZCARD', 'idx:req:ip:192.168.1.1')).toBe('75');
    // One key as in the seed; the union of two when the traffic crossed an hour boundary.
    expect(await redis.cli('PFCOUNT', ...hours.map((h) => `stats:unique_ips:api.example.com:${h}`))).toBe('4');
    expect(await redis.cli('zcard', 'idx:req:path:GET:/users/{id}')).not.toBe('0');
  });

  it('answers auditline logs ip, errors and stats from the collector', async () => {
    const ip = await runCli(['logs', 'ip', '203.0.113.7', '--limit', '1000', '--json'], { env });
    expect(ip.code).toBe(0);
    const rows = ip.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(75);
    expect(rows.every((r) => r.client_ip === '203.0.113.7' && r.user_agent === 'demo-client/1.0')).toBe(true);
    const errors = await runCli(['logs', 'errors', '--json', '--limit', '1000'], { env });
    expect(
      errors.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { status_code: number }).status_code)
        .every((s) => s >= 400),
    ).toBe(true);
    const stats = await runCli(['logs', 'stats', '1'], { env });
    expect(stats.stdout).toContain('Requests: 300');
    expect(stats.stdout).toContain('4 unique visitors');
  });

  it('follows new requests live with only the redis exporter configured (the stream comes from the pipeline)', async () => {
    let out = '';
    const abort = new AbortController();
    const io = {
      stdout: {
        write: (s: string) => {
          out += s;
        },
      },
      stderr: { write: () => {} },
      env,
      signal: abort.signal,
    };
    const following = follow.run(['--json'], io);
    await new Promise((r) => setTimeout(r, 300));
    expect(await runDemo()).toBe(0);
    for (let i = 0; i < 100 && out.split('\n').length < 301; i++) await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    expect(await following).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { attributes?: Record<string, unknown> });
    expect(lines).toHaveLength(300);
  });
});
