// The /logs endpoints served through a real query API over a real Redis:
// every endpoint, its filters and limits, oldest-to-newest order, 400s that
// name the parameter, and key-injection attempts that cannot reach other keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { startApi, type RunningApi } from '../../extensions/query-api/helpers.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { event, exportAll, request, testHost } from './fixtures.js';

const TOKEN = 'redis-routes-token';
let redis: RedisServer;
let run: RunningApi;
let exp: RedisExporter;
/** An hour ago, so every record is inside the default 24-hour window and none is in the future. */
const T0 = Date.now() - 3600_000;

type Body = { logs: Record<string, unknown>[] } & Record<string, unknown>;

async function get(path: string, status = 200): Promise<Body> {
  const res = await run.get(path, TOKEN);
  const body = (await res.json()) as Body;
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(status);
  return body;
}

beforeAll(async () => {
  redis = await startRedis();
  run = await startApi({ auth: { tokens: [TOKEN] } });
  exp = new RedisExporter({ endpoint: redis.url, slow_threshold: '500ms' });
  await exp.start(testHost(run.api));
  const records = [];
  for (let i = 0; i < 120; i++) {
    records.push(
      request({
        time: T0 + i * 1000,
        ip: i % 2 ? '192.168.1.1' : '192.168.1.2',
        host: i % 3 ? 'api.example.com' : 'www.example.com',
        method: i % 4 === 0 ? 'POST' : 'GET',
        path: i % 5 === 0 ? `/users/${i}` : '/health',
        status: i % 10 === 0 ? 502 : i % 7 === 0 ? 404 : 200,
        duration: i % 12 === 0 ? 1.2 : 0.01 + i / 10_000,
        user: `user-${i % 4}`,
        session: `sess-${i % 6}`,
        clientId: i % 20 === 0 ? 'oauth-client-1' : undefined,
        clientHostname: i % 2 ? 'laptop.corp.example' : undefined,
      }),
    );
  }
  records.push(
    event({
      time: T0 + 500,
      event: 'proxy_created',
      level: 'INFO',
      message: 'Proxy created for example.com',
      attributes: { 'server.address': 'api.example.com' },
    }),
  );
  records.push(
    event({
      time: T0 + 1500,
      event: 'oauth.login_failed',
      level: 'ERROR',
      message: 'Login failed: bad password',
      attributes: { 'client.address': '192.168.1.1', 'oauth.client_id': 'oauth-client-1' },
    }),
  );
  records.push(event({ time: T0 + 2500, event: 'disk_low', level: 'WARNING', message: 'Disk almost full' }));
  await exportAll(exp, records);
});

afterAll(async () => {
  await exp?.shutdown();
  await run?.api.shutdown();
  await redis?.stop();
});

function times(b: Body): string[] {
  return b.logs.map((e) => e.timestamp as string);
}
function sortedAsc(b: Body): void {
  expect(times(b)).toEqual([...times(b)].sort());
}

describe('redis /logs routes', () => {
  it('GET /logs/ip/{ip} returns the newest entries for one address, oldest first, with events filterable', async () => {
    const b = await get('/logs/ip/192.168.1.1?limit=10');
    expect(b.logs).toHaveLength(10);
    expect(b.logs.every((e) => e.client_ip === '192.168.1.1')).toBe(true);
    sortedAsc(b);
    expect(b.logs.at(-1)!.timestamp).toBe(new Date(T0 + 119_000).toISOString());
    const all = await get('/logs/ip/192.168.1.1');
    expect(all.logs).toHaveLength(61);
    const ev = await get('/logs/ip/192.168.1.1?event=oauth.login_failed&level=ERROR');
    expect(ev.logs.map((e) => e.message)).toEqual(['Login failed: bad password']);
  });

  it('GET /logs/ip/{ip} returns the seed entry shape with numbers and nulls', async () => {
    const b = await get('/logs/ip/192.168.1.2?limit=1');
    expect(Object.keys(b.logs[0]!)).toEqual(
      expect.arrayContaining([
        'timestamp',
        'client_ip',
        'client_hostname',
        'proxy_hostname',
        'method',
        'path',
        'status_code',
        'response_time_ms',
        'user_id',
        'user_agent',
        'referrer',
        'bytes_sent',
        'error',
      ]),
    );
    expect(b.logs[0]!.client_hostname).toBeNull();
    expect(typeof b.logs[0]!.status_code).toBe('number');
  });

  it('GET /logs/host/{hostname} finds the client FQDN and the proxy hostname, or one of them with role', async () => {
    expect((await get('/logs/host/laptop.corp.example?limit=1000')).logs).toHaveLength(60);
    const proxy = await get('/logs/host/www.example.com?role=proxy&limit=1000');
    expect(proxy.logs).toHaveLength(40);
    expect((await get('/logs/host/www.example.com?role=client')).logs).toHaveLength(0);
    const withLogs = await get('/logs/host/api.example.com?limit=1000');
    expect(withLogs.logs.filter((e) => e.event === 'proxy_created')).toHaveLength(1);
    expect(withLogs.logs).toHaveLength(81);
  });

  it('GET /logs/client/{client_id}, /logs/user/{id}, /logs/session/{id}, /logs/method/{m} and /logs/status/{code} use their indexes', async () => {
    const client = await get('/logs/client/oauth-client-1');
    expect(client.logs).toHaveLength(7);
    expect((await get('/logs/client/oauth-client-1?level=ERROR')).logs).toHaveLength(1);
    expect((await get('/logs/user/user-1?limit=1000')).logs).toHaveLength(30);
    expect((await get('/logs/session/sess-5?limit=1000')).logs.every((e) => e.session_id === 'sess-5')).toBe(true);
    expect((await get('/logs/method/post?limit=1000')).logs).toHaveLength(30);
    const s = await get('/logs/status/404?limit=1000');
    expect(s.logs.every((e) => e.status_code === 404)).toBe(true);
    expect(s.logs.length).toBeGreaterThan(5);
    sortedAsc(s);
  });

  it('GET /logs/search filters by event, level, hostname and free text, limit default 100', async () => {
    expect((await get('/logs/search')).logs).toHaveLength(100);
    expect((await get('/logs')).logs).toHaveLength(100);
    expect((await get('/logs/search?event=disk_low')).logs.map((e) => e.message)).toEqual(['Disk almost full']);
    const warn = await get('/logs/search?level=WARNING,ERROR');
    expect(warn.logs.map((e) => e.event)).toEqual(['oauth.login_failed', 'disk_low']);
    expect((await get('/logs/search?hostname=www.example.com&limit=1000')).logs).toHaveLength(40);
    expect((await get('/logs/search?q=PASSWORD')).logs.map((e) => e.event)).toEqual(['oauth.login_failed']);
    expect((await get('/logs/search?q=/users/&limit=1000')).logs).toHaveLength(24);
    expect((await get('/logs/search?hours=0.001')).logs).toHaveLength(0);
  });

  it('GET /logs/errors lists 4xx/5xx requests and ERROR entries; include_warnings adds warnings', async () => {
    const b = await get('/logs/errors?limit=1000');
    const requests = b.logs.filter((e) => typeof e.status_code === 'number');
    expect(requests.every((e) => (e.status_code as number) >= 400)).toBe(true);
    expect(b.logs.filter((e) => e.event === 'oauth.login_failed')).toHaveLength(1);
    expect(b.logs.filter((e) => e.event === 'disk_low')).toHaveLength(0);
    sortedAsc(b);
    expect(
      (await get('/logs/errors?include_warnings=true&limit=1000')).logs.filter((e) => e.event === 'disk_low'),
    ).toHaveLength(1);
  });

  it('GET /logs/slow lists requests over the configured threshold, narrowed by threshold_ms', async () => {
    const b = await get('/logs/slow');
    expect(b.logs).toHaveLength(10);
    expect(b.logs.every((e) => (e.response_time_ms as number) >= 500)).toBe(true);
    expect((await get('/logs/slow?threshold_ms=5000')).logs).toHaveLength(0);
  });

  it('GET /logs/path matches a glob or a concrete path against the path indexes', async () => {
    const b = await get('/logs/path?pattern=/users/*&limit=1000');
    expect(b.logs).toHaveLength(24);
    expect(b.logs.every((e) => (e.path as string).startsWith('/users/'))).toBe(true);
    expect((await get('/logs/path?pattern=/users/15')).logs.map((e) => e.path)).toEqual(['/users/15']);
    expect((await get('/logs/path?pattern=/users/*&method=POST&limit=1000')).logs).toHaveLength(6);
    expect((await get('/logs/path?pattern=/nothing*')).logs).toHaveLength(0);
  });

  it('GET /logs/events sums event statistics and request counts over the window', async () => {
    const b = (await get('/logs/events?hours=3')) as unknown as {
      events: { event: string; count: number }[];
      requests: { total: number; by_status: Record<string, number> };
      errors: Record<string, number>;
    };
    expect(b.events).toEqual(
      expect.arrayContaining([
        { event: 'proxy_created', count: 1 },
        { event: 'oauth.login_failed', count: 1 },
        { event: 'disk_low', count: 1 },
      ]),
    );
    expect(b.requests.total).toBe(120);
    expect(b.requests.by_status['502']).toBe(12);
    expect(b.errors['502']).toBe(12);
  });

  it('GET /logs/metrics exports requests per second, error rate, percentiles and unique visitors', async () => {
    const m = (await get('/logs/metrics?hours=2')) as unknown as Record<string, number>;
    expect(m.requests).toBe(120);
    expect(m.requests_per_second).toBeCloseTo(120 / 7200, 4);
    expect(m.unique_visitors).toBe(2);
    expect(m.error_rate).toBeGreaterThan(0.1);
    expect(m.p50_response_time).toBeLessThan(m.p99_response_time!);
    expect(m.p99_response_time).toBe(1200);
    const www = (await get('/logs/metrics?hours=2&hostname=www.example.com')) as unknown as Record<string, number>;
    expect(www.requests).toBe(40);
  });

  it('answers 400 naming the parameter for bad values', async () => {
    const cases: [string, string][] = [
      ['/logs/ip/1.2.3.4?limit=0', '"limit"'],
      ['/logs/ip/1.2.3.4?hours=-1', '"hours"'],
      ['/logs/ip/1.2.3.4?level=LOUD', '"level"'],
      ['/logs/ip/1.2.3.4?colour=red', '"colour"'],
      ['/logs/status/99', '"code"'],
      ['/logs/method/G3T', '"method"'],
      ['/logs/path', '"pattern"'],
      ['/logs/errors?include_warnings=maybe', '"include_warnings"'],
      ['/logs/slow?threshold_ms=fast', '"threshold_ms"'],
      ['/logs/host/x?role=server', '"role"'],
      ['/logs/search?limit=1&limit=2', '"limit"'],
    ];
    for (const [path, name] of cases) {
      const b = (await get(path, 400)) as unknown as { error: string };
      expect(b.error, path).toContain(name);
    }
  });

  it('refuses key-injection attempts in path parameters and leaves every other key untouched', async () => {
    await redis.cli('set', 'secret', 'do-not-touch');
    const before = await redis.cli('dbsize');
    for (const path of [
      '/logs/ip/1.2.3.4*',
      '/logs/ip/*',
      '/logs/ip/192.168.1.%3F',
      '/logs/ip/192.168.1.[12]',
      '/logs/user/a%5Cb',
      '/logs/ip/%0d%0aFLUSHALL',
      '/logs/ip/1.2.3.4%0D%0ADEL%20secret',
      '/logs/session/x%00y',
      '/logs/host/..%2F..%2Fsecret',
      '/logs/search?hostname=*',
      '/logs/search?event=oauth*',
    ]) {
      const res = await run.get(path, TOKEN);
      expect(res.status, path).toBe(400);
    }
    // Characters that are not special stay literal: no match, nothing else read or changed.
    expect((await get('/logs/ip/1.2.3.4%20OR%201=1')).logs).toEqual([]);
    expect((await get('/logs/ip/secret')).logs).toEqual([]);
    expect((await get('/logs/path?pattern=*')).logs.length).toBe(100);
    expect(await redis.cli('get', 'secret')).toBe('do-not-touch');
    expect(await redis.cli('dbsize')).toBe(before);
  });

  it('answers 401 without a token', async () => {
    expect((await run.get('/logs/ip/192.168.1.1')).status).toBe(401);
  });

  it('answers 503 when Redis is unreachable', async () => {
    const dead = new RedisExporter({ endpoint: 'redis://127.0.0.1:1', connect_timeout: '200ms', serve_queries: true });
    const other = await startApi({ auth: { tokens: [TOKEN] } });
    try {
      await dead.start(testHost(other.api));
      const res = await other.get('/logs/errors', TOKEN);
      expect(res.status).toBe(503);
    } finally {
      await dead.shutdown();
      await other.api.shutdown();
    }
  });

  it('DELETE /logs removes only the exporter key families', async () => {
    await redis.cli('set', 'unrelated:key', '1');
    const res = await run.get('/logs', TOKEN, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { deleted: number }).deleted).toBeGreaterThan(100);
    expect((await redis.cli('keys', '*')).split('\n').sort()).toEqual(['secret', 'unrelated:key']);
    // Writing again after a clear gives every key a TTL again.
    await exportAll(exp, [request({ time: T0, ip: '5.5.5.5' })]);
    expect(Number(await redis.cli('ttl', 'idx:req:ip:5.5.5.5'))).toBeGreaterThan(0);
  });
});
