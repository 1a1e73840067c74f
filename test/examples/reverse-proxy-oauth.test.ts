// examples/reverse-proxy, OAuth and alerts end to end: the example's auth-server.mjs runs its
// demo OAuth flows (8 failed logins among them) over OTLP/HTTP into the example's own
// collector.yaml (a real collector process, a real Redis); the Redis exporter indexes the
// OAuth activity and flows, and the alerts extension's oauth_failures rule fires, then
// resolves, each delivered to the example's webhook.mjs (a real HTTP receiver in its own
// process) (issue #13 item 6). Needs `npm run build`.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCollector, ROOT, type RunningCollector } from '../helpers/collector.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis.js';

const EXAMPLE = join(ROOT, 'examples', 'reverse-proxy');
const TOKEN = 'oauth-example-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Notification {
  source: string;
  status: string;
  rule: string;
  value: number;
  condition: string;
  message: string;
}

let redis: RedisServer;
let collector: RunningCollector;
let webhook: ChildProcess;
let hookOut = '';
let env: NodeJS.ProcessEnv;
let otlp: number;

const notifications = (): Notification[] =>
  hookOut
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Notification);

beforeAll(async () => {
  redis = await startRedis();
  const [hookPort, api] = [await freePort(), await freePort()];
  otlp = await freePort();
  webhook = spawn(process.execPath, [join(EXAMPLE, 'webhook.mjs')], {
    env: { ...process.env, WEBHOOK_PORT: String(hookPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  webhook.stdout!.on('data', (c) => {
    hookOut += c;
  });
  let hookErr = '';
  webhook.stderr!.on('data', (c) => {
    hookErr += c;
  });
  for (let i = 0; i < 100 && !hookErr.includes('Webhook receiver on'); i++) await sleep(50);
  collector = await startCollector(readFileSync(join(EXAMPLE, 'collector.yaml'), 'utf8'), {
    env: {
      REDIS_URL: redis.url,
      OTLP_HTTP_ENDPOINT: `127.0.0.1:${otlp}`,
      QUERY_API_ENDPOINT: `127.0.0.1:${api}`,
      AUDITLINE_TOKEN: TOKEN,
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${hookPort}/alerts`,
      ALERT_EVALUATION_INTERVAL: '200ms',
      ALERT_WINDOW: '2s',
    },
  });
  env = { AUDITLINE_URL: `http://127.0.0.1:${api}`, AUDITLINE_TOKEN: TOKEN };
  const demo = spawn(process.execPath, [join(EXAMPLE, 'auth-server.mjs'), '--demo'], {
    cwd: EXAMPLE,
    stdio: 'ignore',
    env: { ...process.env, OTLP_LOGS_URL: `http://127.0.0.1:${otlp}/v1/logs`, AUTH_PORT: String(await freePort()) },
  });
  expect(await new Promise((r) => demo.once('exit', r))).toBe(0);
}, 60_000);

afterAll(async () => {
  await collector?.cleanup();
  webhook?.kill('SIGTERM');
  await redis?.stop();
});

describe('examples/reverse-proxy – OAuth flow and alert', () => {
  it("indexes the OAuth activity and each session's flow in Redis, as the seed keys them", async () => {
    // 6 flows: 6 authorize, 6 token_issued, 8 login_failed (4 in flows 2 and 4).
    for (let i = 0; i < 100 && (await redis.cli('zcard', 'idx:oauth:oauth.token_issued')) !== '6'; i++)
      await sleep(100);
    expect(await redis.cli('zcard', 'idx:oauth:oauth.authorize')).toBe('6');
    expect(await redis.cli('zcard', 'idx:oauth:oauth.token_issued')).toBe('6');
    expect(await redis.cli('zcard', 'idx:oauth:oauth.login_failed')).toBe('8');
    const steps = (await redis.cli('lrange', 'oauth:flow:oauth-s-2', '0', '-1'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { step: string }).step);
    expect(steps).toEqual([
      'oauth.login_failed',
      'oauth.login_failed',
      'oauth.login_failed',
      'oauth.login_failed',
      'oauth.authorize',
      'oauth.token_issued',
    ]);
    const ttl = Number(await redis.cli('ttl', 'oauth:flow:oauth-s-2'));
    expect(ttl > 0 && ttl <= 3600).toBe(true);
  }, 30_000);

  it('auditline logs oauth-flow and oauth-user show the flows from the collector', async () => {
    const flows = await runCli(['logs', 'oauth-flow', 'web-app', '--json'], { env });
    expect(flows.code).toBe(0);
    expect(flows.stdout).toContain('oauth-s-2');
    expect(flows.stdout).not.toContain('oauth-s-1'); // a mobile-app flow
    const user = await runCli(['logs', 'oauth-user', 'user-4', '--json'], { env });
    expect(user.code).toBe(0);
    expect(user.stdout).toContain('oauth.login_failed');
  }, 30_000);

  it('oauth_failures fires to the webhook receiver, then resolves once the window has no failures', async () => {
    for (let i = 0; i < 300 && !notifications().some((n) => n.status === 'resolved'); i++) await sleep(100);
    const got = notifications();
    expect(got.map((n) => `${n.rule} ${n.status}`)).toEqual(['oauth_failures firing', 'oauth_failures resolved']);
    expect(got[0]).toMatchObject({ source: 'auditline', rule: 'oauth_failures', condition: '> 5' });
    expect(got[0]!.value).toBeGreaterThan(5); // 8 when all failures fall in one window
    const alerts = await runCli(['logs', 'alerts', '--json'], { env });
    expect(alerts.code).toBe(0);
    expect(alerts.stdout).toContain('oauth_failures');
  }, 60_000);
});
