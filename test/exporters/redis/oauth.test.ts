// OAuth activity (issue #13 item 2, the request-indexes seed's "OAuth Activity
// Tracking") against a real redis-server and a real Redis Cluster: records
// whose event name starts with `oauth`, or that carry `oauth.client_id`, go to
// `idx:oauth:{event_type}` and, with a session, to `oauth:flow:{session_id}`
// (1 h TTL), with the 90-day retention class; a replayed span adds nothing,
// on one server and per slot on a cluster; the /logs/oauth routes read them.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LogSpan } from '../../../src/exporterhelper/push-exporter.js';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { startApi, type RunningApi } from '../../extensions/query-api/helpers.js';
import { startCluster, startRedis, type RedisCluster, type RedisServer } from '../../helpers/redis.js';
import { event, exportAll, request, testHost } from './fixtures.js';

const TOKEN = 'redis-oauth-token';
const T0 = Date.now() - 1800_000;
const DAY = 86_400;

let redis: RedisServer;
let run: RunningApi;
const open: RedisExporter[] = [];

beforeAll(async () => {
  redis = await startRedis();
  run = await startApi({ auth: { tokens: [TOKEN] } });
});
afterAll(async () => {
  await Promise.all(open.splice(0).map((e) => e.shutdown()));
  await run?.api.shutdown();
  await redis?.stop();
});
beforeEach(async () => {
  await redis.cli('flushall');
});

function exporter(
  opts: Record<string, unknown> = {},
  target: { url?: string; cluster?: string[] } = {},
): RedisExporter {
  const where = target.cluster ? { cluster: target.cluster } : { endpoint: target.url ?? redis.url };
  const e = new RedisExporter({ ...where, cleanup_interval: '0s', ...opts });
  open.push(e);
  return e;
}

function sendSpan(e: RedisExporter, records: ReadableLogRecord[], span: LogSpan): Promise<void> {
  return new Promise((resolve, reject) =>
    e.exportPrepared(records, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed'))), span),
  );
}

/** One authorization-code flow of session `s` from `ip`, a failed login of another session, and traffic that is not OAuth. */
function flow(s = 'sess-1', ip = '203.0.113.7', t = T0): ReadableLogRecord[] {
  return [
    event({
      time: t,
      event: 'oauth.authorize',
      message: 'Authorization requested',
      attributes: { 'client.address': ip, 'oauth.client_id': 'client-a', 'session.id': s, scope: 'openid' },
    }),
    request({ time: t + 1000, ip, path: '/oauth/callback', status: 302, session: s, clientId: 'client-a' }),
    event({
      time: t + 2000,
      event: 'oauth.token_issued',
      message: 'Token issued',
      attributes: { 'client.address': ip, 'oauth.client_id': 'client-a', 'session.id': s, 'user.id': 'alice' },
    }),
    event({
      time: t + 3000,
      event: 'oauth.login_failed',
      level: 'ERROR',
      message: 'Bad password',
      attributes: {
        'client.address': ip,
        'user.id': 'mallory',
        'session.id': `${s}-x`,
        'exception.message': 'invalid_grant',
      },
    }),
    request({ time: t + 4000, ip, path: '/health', status: 200 }),
    event({ time: t + 5000, event: 'proxy_created', message: 'Proxy created' }),
  ];
}

/** Everything OAuth activity adds to. */
async function oauthState(cli: (...a: string[]) => Promise<string>): Promise<Record<string, string>> {
  return {
    authorize: await cli('zcard', 'idx:oauth:oauth.authorize'),
    issued: await cli('zcard', 'idx:oauth:oauth.token_issued'),
    failed: await cli('zcard', 'idx:oauth:oauth.login_failed'),
    requests: await cli('zcard', 'idx:oauth:request'),
    flow: await cli('lrange', 'oauth:flow:sess-1', '0', '-1'),
    flowX: await cli('llen', 'oauth:flow:sess-1-x'),
    types: await cli('zrange', 'oauth:events', '0', '-1'),
  };
}

describe('redis exporter – OAuth activity', () => {
  it('indexes OAuth records by event type, tracks flows per session for an hour, and keeps them 90 days', async () => {
    const e = exporter();
    await sendSpan(e, flow(), { log: 'logs', first: 0, end: 6 });
    const c = (...a: string[]) => redis.cli(...a);
    expect(await c('zcard', 'idx:oauth:oauth.authorize')).toBe('1');
    expect(await c('zcard', 'idx:oauth:oauth.token_issued')).toBe('1');
    expect(await c('zcard', 'idx:oauth:oauth.login_failed')).toBe('1');
    // The callback request carries the client id: OAuth activity of type "request". /health is not.
    const reqs = (await c('zrange', 'idx:oauth:request', '0', '-1')).split('\n');
    expect(reqs).toHaveLength(1);
    expect(reqs[0]).toMatch(/^req:\d+\.\d{6}:203\.0\.113\.7$/);
    expect(await c('hget', reqs[0]!, 'path')).toBe('/oauth/callback');
    expect((await c('zrange', 'oauth:events', '0', '-1')).split('\n').sort()).toEqual([
      'oauth.authorize',
      'oauth.login_failed',
      'oauth.token_issued',
      'request',
    ]);
    expect(await c('exists', 'idx:oauth:proxy_created')).toBe('0');

    // The flow: the seed's {step, timestamp, data} per step, in order, for one hour.
    const steps = (await c('lrange', 'oauth:flow:sess-1', '0', '-1'))
      .split('\n')
      .map((s) => JSON.parse(s) as { step: string; timestamp: number; data: Record<string, unknown> });
    expect(steps.map((s) => s.step)).toEqual(['oauth.authorize', 'request', 'oauth.token_issued']);
    expect(steps[0]!.timestamp).toBeCloseTo(T0 / 1000, 3);
    expect(steps[1]!.data).toMatchObject({
      client_id: 'client-a',
      client_ip: '203.0.113.7',
      status_code: 302,
      path: '/oauth/callback',
    });
    expect(steps[2]!.data).toMatchObject({ user_id: 'alice', client_id: 'client-a', message: 'Token issued' });
    expect(String(steps[2]!.data.id)).toMatch(/^log:/);
    const flowTtl = Number(await c('ttl', 'oauth:flow:sess-1'));
    expect(flowTtl).toBeGreaterThan(3500);
    expect(flowTtl).toBeLessThanOrEqual(3600);

    // Retention: OAuth entries live 90 days (the event without a client id too: its name starts with "oauth").
    const member = (key: string) => c('zrange', key, '0', '0');
    for (const key of [
      await member('idx:oauth:oauth.authorize'),
      await member('idx:oauth:oauth.login_failed'),
      reqs[0]!,
    ]) {
      expect(Number(await c('ttl', key)), key).toBeGreaterThan(89 * DAY);
    }
    expect(Number(await c('ttl', 'idx:oauth:oauth.authorize'))).toBeGreaterThan(89 * DAY);
    // Not OAuth: the request class (7 days).
    const health = (await c('zrange', 'idx:req:status:200', '0', '-1')).split('\n');
    expect(Number(await c('ttl', health[0]!))).toBeLessThanOrEqual(7 * DAY);
  });

  it('adds nothing when a span is replayed, whole or cut into other batches', async () => {
    const records = [...flow('sess-1', '203.0.113.7', T0), ...flow('sess-2', '203.0.113.8', T0 + 60_000)];
    await sendSpan(exporter(), records.slice(0, 6), { log: 'logs', first: 0, end: 6 });
    const c = (...a: string[]) => redis.cli(...a);
    const once = await oauthState(c);
    const e = exporter();
    await sendSpan(e, records.slice(0, 6), { log: 'logs', first: 0, end: 6 });
    await sendSpan(e, records.slice(0, 3), { log: 'logs', first: 0, end: 3 });
    await sendSpan(e, records.slice(3, 6), { log: 'logs', first: 3, end: 6 });
    expect(await oauthState(c)).toEqual(once);
    expect(once.flow.split('\n')).toHaveLength(3);
    // A span reaching past the position writes only its new records: sess-2's flow once.
    await sendSpan(e, records.slice(4, 12), { log: 'logs', first: 4, end: 12 });
    await sendSpan(exporter(), records.slice(4, 12), { log: 'logs', first: 4, end: 12 });
    expect(await c('llen', 'oauth:flow:sess-2')).toBe('3');
    expect(await c('zcard', 'idx:oauth:oauth.authorize')).toBe('2');
    expect(await oauthState(c)).toMatchObject({ flow: once.flow, flowX: '1' });
  });

  it('writes no OAuth keys with the oauth index switched off', async () => {
    await sendSpan(exporter({ indexes: ['ip', 'level', 'event', 'client'] }), flow(), {
      log: 'logs',
      first: 0,
      end: 6,
    });
    expect(
      await redis.cli('eval', "return #redis.call('keys', 'idx:oauth:*') + #redis.call('keys', 'oauth:*')", '0'),
    ).toBe('0');
    expect(await redis.cli('zcard', 'idx:req:client:client-a')).toBe('3');
  });

  it('serves OAuth activity on the query API and clears it with DELETE /logs', async () => {
    const e = exporter();
    await e.start(testHost(run.api));
    await exportAll(e, [...flow('sess-1', '203.0.113.7', T0), ...flow('sess-2', '198.51.100.2', T0 + 60_000)]);
    const get = async (path: string, status = 200) => {
      const res = await run.get(path, TOKEN);
      const body = (await res.json()) as Record<string, unknown> & { logs: Record<string, unknown>[] };
      expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(status);
      return body;
    };

    const byIp = await get('/logs/oauth/ip/203.0.113.7');
    expect(byIp.logs.map((l) => l.event ?? l.path)).toEqual([
      'oauth.authorize',
      '/oauth/callback',
      'oauth.token_issued',
      'oauth.login_failed',
    ]);
    expect(byIp.logs.every((l) => l.client_ip === '203.0.113.7')).toBe(true);
    expect((await get('/logs/oauth/ip/203.0.113.7?level=ERROR')).logs.map((l) => l.event)).toEqual([
      'oauth.login_failed',
    ]);
    expect((await get('/logs/oauth/ip/203.0.113.7?event=oauth.token_issued')).logs).toHaveLength(1);

    const alice = await get('/logs/oauth/user/alice');
    expect(alice.logs.map((l) => l.client_ip)).toEqual(['203.0.113.7', '198.51.100.2']);
    expect((await get('/logs/oauth?client_id=client-a&limit=2')).logs.map((l) => l.event ?? l.path)).toEqual([
      '/oauth/callback',
      'oauth.token_issued',
    ]);
    expect((await get('/logs/oauth?ip=198.51.100.2&username=mallory')).logs.map((l) => l.error)).toEqual([
      'invalid_grant',
    ]);

    const flows = (await get('/logs/oauth/flows')).flows as {
      session_id: string;
      source: string;
      steps: { step: string }[];
      user_id: string | null;
    }[];
    expect(flows.map((f) => f.session_id)).toEqual(['sess-2-x', 'sess-2', 'sess-1-x', 'sess-1']);
    expect(flows[1]).toMatchObject({
      source: 'flow',
      user_id: 'alice',
      client_id: 'client-a',
      client_ip: '198.51.100.2',
    });
    expect(flows[1]!.steps.map((s) => s.step)).toEqual(['oauth.authorize', 'request', 'oauth.token_issued']);
    const forClient = (await get('/logs/oauth/flows?client_id=client-a&limit=1')).flows as { session_id: string }[];
    expect(forClient.map((f) => f.session_id)).toEqual(['sess-2']);
    // Once the hour-long list is gone, the steps come from the stored entries.
    await redis.cli('del', 'oauth:flow:sess-1');
    const rebuilt = (
      (await get('/logs/oauth/flows?username=alice')).flows as {
        session_id: string;
        source: string;
        steps: { step: string; data: Record<string, unknown> }[];
      }[]
    ).find((f) => f.session_id === 'sess-1')!;
    expect(rebuilt.source).toBe('entries');
    expect(rebuilt.steps.map((s) => s.step)).toEqual(['oauth.token_issued']);
    expect(rebuilt.steps[0]!.data).toMatchObject({ user_id: 'alice', client_id: 'client-a' });

    expect(String((await get('/logs/oauth/ip/1.2.3.*', 400)).error)).toMatch(/"ip"/);
    expect(String((await get('/logs/oauth?username=a%5Bb', 400)).error)).toMatch(/"username"/);
    expect(String((await get('/logs/oauth/flows?event=x', 400)).error)).toMatch(/event/);

    await get('/logs/oauth/flows');
    const res = await run.get('/logs', TOKEN, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(
      await redis.cli('eval', "return #redis.call('keys', 'idx:oauth:*') + #redis.call('keys', 'oauth:*')", '0'),
    ).toBe('0');
  });
});

describe('redis exporter – OAuth activity on Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startCluster(3);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('writes the OAuth keys across slots at most once per span', async () => {
    const records = [...flow('sess-1', '203.0.113.7', T0), ...flow('sess-2', '203.0.113.8', T0 + 60_000)];
    const e = exporter({}, { cluster: cluster.addresses });
    await sendSpan(e, records, { log: 'logs', first: 0, end: 12 });
    const c = (...a: string[]) => cluster.cli(...a);
    const once = await oauthState(c);
    expect(once.flow.split('\n')).toHaveLength(3);
    await sendSpan(e, records, { log: 'logs', first: 0, end: 12 });
    await sendSpan(exporter({}, { cluster: cluster.addresses }), records.slice(6), { log: 'logs', first: 6, end: 12 });
    expect(await oauthState(c)).toEqual(once);
    expect(await c('llen', 'oauth:flow:sess-2')).toBe('3');
    expect(await c('zcard', 'idx:oauth:oauth.authorize')).toBe('2');
    const items = await e.queries().oauth({ hours: 24, limit: 100 }, { userId: 'alice' });
    expect(items.map((i) => i.event)).toEqual(['oauth.token_issued', 'oauth.token_issued']);
  }, 60_000);
});
