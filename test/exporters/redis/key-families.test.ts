// Every key family the exporter writes, with its TTL, read back with redis-cli
// from a real redis-server: the seed's schema verbatim, plus the families
// that back the session/method/client/search/events queries.
import { connect, createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { event, exportAll, request, SEED_TIME } from './fixtures.js';

const DAY = 86_400;
const SLACK = 3600;

let redis: RedisServer;
let exp: RedisExporter;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
beforeEach(async () => {
  await redis.cli('flushall');
});

async function ttl(key: string): Promise<number> {
  return Number(await redis.cli('ttl', key));
}

/** TTL as set (give or take the seconds the test took). */
function near(actual: number, expected: number): void {
  expect(actual).toBeLessThanOrEqual(expected);
  expect(actual).toBeGreaterThan(expected - 60);
}

function hgetall(flat: string): Record<string, string> {
  const lines = flat === '' ? [] : flat.split('\n');
  const out: Record<string, string> = {};
  for (let i = 0; i < lines.length; i += 2) out[lines[i]!] = lines[i + 1]!;
  return out;
}

describe('redis exporter – the seed key schema', () => {
  beforeAll(() => {
    exp = new RedisExporter({ endpoint: redis.url });
  });
  afterAll(async () => {
    await exp.shutdown();
  });

  it('writes req:{timestamp}:{client_ip} hashes with the seed log entry fields and a 7-day TTL', async () => {
    await exportAll(exp, [
      request({
        time: SEED_TIME,
        ip: '192.168.1.100',
        host: 'api.example.com',
        method: 'GET',
        path: '/users',
        status: 200,
        duration: 0.045,
        user: 'github-123',
        clientHostname: 'client.example.com',
      }),
    ]);
    const key = 'req:1705314645.123000:192.168.1.100';
    expect(hgetall(await redis.cli('hgetall', key))).toEqual({
      timestamp: '2024-01-15T10:30:45.123Z',
      client_ip: '192.168.1.100',
      client_hostname: 'client.example.com',
      proxy_hostname: 'api.example.com',
      method: 'GET',
      path: '/users',
      status_code: '200',
      response_time_ms: '45',
      user_id: 'github-123',
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
      referrer: 'https://example.com',
      bytes_sent: '1234',
      level: 'INFO',
      message: 'GET /users',
    });
    near(await ttl(key), 7 * DAY);
  });

  it('writes non-ASCII and JSON-escaped values byte-exact in hashes, index keys, members and the stream', async () => {
    await exportAll(exp, [
      request({
        time: SEED_TIME,
        ip: 'clïent-ä',
        host: 'api.example.com',
        method: 'GET',
        path: '/café/☕',
        status: 200,
        user: 'zoë',
        session: 'sess-"quoted"\nline',
        clientHostname: 'ホスト.example',
      }),
    ]);
    const key = 'req:1705314645.123000:clïent-ä';
    const h = hgetall(await redis.cli('--raw', 'hgetall', key));
    expect(h.client_ip).toBe('clïent-ä');
    expect(h.path).toBe('/café/☕');
    expect(h.user_id).toBe('zoë');
    expect(h.client_hostname).toBe('ホスト.example');
    expect(await redis.cli('--raw', 'hget', key, 'session_id')).toBe('sess-"quoted"\nline');
    near(await ttl(key), 7 * DAY);
    for (const idx of [
      'idx:req:ip:clïent-ä',
      'idx:req:user:zoë',
      'idx:req:path:GET:/café/☕',
      'idx:req:fqdn:ホスト.example',
    ]) {
      expect(Number(await redis.cli('--raw', 'zscore', idx, key))).toBeCloseTo(1705314645.123, 5);
      near(await ttl(idx), 7 * DAY + SLACK);
    }
    const stream = await redis.cli('--raw', 'xrange', 'stream:requests', '-', '+');
    const json = JSON.parse(stream.slice(stream.indexOf('{'))) as Record<string, unknown>;
    expect(json).toMatchObject({
      client_ip: 'clïent-ä',
      path: '/café/☕',
      user_id: 'zoë',
      session_id: 'sess-"quoted"\nline',
    });
  });

  it('indexes a request in every idx:req sorted set, scored by request time, with the TTL of what it holds', async () => {
    await exportAll(exp, [
      request({
        time: SEED_TIME,
        ip: '192.168.1.1',
        host: 'api.example.com',
        method: 'post',
        path: '/users/42',
        route: '/users/{id}',
        status: 503,
        duration: 1.5,
        user: 'alice',
        session: 'sess-1',
        clientId: 'cli-9',
        clientHostname: 'c1.example.net',
      }),
    ]);
    const key = 'req:1705314645.123000:192.168.1.1';
    const indexes = [
      'idx:req:ip:192.168.1.1',
      'idx:req:fqdn:c1.example.net',
      'idx:req:host:api.example.com',
      'idx:req:user:alice',
      'idx:req:status:503',
      'idx:req:errors',
      'idx:req:slow',
      'idx:req:path:POST:/users/{id}',
      'idx:req:session:sess-1',
      'idx:req:method:POST',
      'idx:req:client:cli-9',
      'idx:log:level:INFO',
    ];
    for (const idx of indexes) {
      const [member, score] = (await redis.cli('zrange', idx, '0', '-1', 'WITHSCORES')).split('\n');
      expect(member, idx).toBe(key);
      expect(Number(score)).toBeCloseTo(1705314645.123, 5);
      // An OAuth client's request is in the oauth class (90 days), the longest retention it belongs to.
      near(await ttl(idx), 90 * DAY + SLACK);
    }
    near(await ttl(key), 90 * DAY);
    expect(await redis.cli('zrange', 'idx:req:paths', '0', '-1')).toBe('POST:/users/{id}');
  });

  it('keeps an error request 30 days and an index holding it at least as long, even after shorter-lived requests arrive', async () => {
    await exportAll(exp, [request({ time: SEED_TIME, ip: '10.0.0.1', status: 404 })]);
    await exportAll(exp, [request({ time: SEED_TIME + 1000, ip: '10.0.0.1', status: 200 })]);
    near(await ttl('req:1705314645.123000:10.0.0.1'), 30 * DAY);
    near(await ttl('req:1705314646.123000:10.0.0.1'), 7 * DAY);
    near(await ttl('idx:req:ip:10.0.0.1'), 30 * DAY + SLACK);
    near(await ttl('idx:req:status:200'), 7 * DAY + SLACK);
    near(await ttl('idx:req:errors'), 30 * DAY + SLACK);
  });

  it('publishes each request to stream:requests with the entry as JSON in the data field', async () => {
    await exportAll(exp, [request({ time: SEED_TIME, ip: '192.168.1.100', status: 200 })]);
    const out = (await redis.cli('xrange', 'stream:requests', '-', '+')).split('\n');
    expect(out[1]).toBe('data');
    expect(JSON.parse(out[2]!)).toEqual({
      timestamp: '2024-01-15T10:30:45.123Z',
      client_ip: '192.168.1.100',
      client_hostname: null,
      proxy_hostname: 'api.example.com',
      method: 'GET',
      path: '/users',
      status_code: 200,
      response_time_ms: 45,
      user_id: null,
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
      referrer: 'https://example.com',
      bytes_sent: 1234,
      error: null,
      level: 'INFO',
      message: 'GET /users',
    });
    near(await ttl('stream:requests'), 90 * DAY);
  });

  it('counts hourly requests by status and errors by code, with the 365-day stats TTL', async () => {
    await exportAll(exp, [
      request({ time: SEED_TIME, status: 200 }),
      request({ time: SEED_TIME + 1, status: 200 }),
      request({ time: SEED_TIME + 2, status: 404 }),
      request({ time: SEED_TIME + 3, status: 500 }),
      request({ time: SEED_TIME + 3_600_000, status: 200 }),
    ]);
    expect(hgetall(await redis.cli('hgetall', 'stats:requests:20240115:10'))).toEqual({
      total: '4',
      status_200: '2',
      status_404: '1',
      status_500: '1',
    });
    expect(hgetall(await redis.cli('hgetall', 'stats:requests:20240115:11'))).toEqual({ total: '1', status_200: '1' });
    expect(hgetall(await redis.cli('hgetall', 'stats:errors:20240115:10'))).toEqual({ 404: '1', 500: '1' });
    near(await ttl('stats:requests:20240115:10'), 365 * DAY);
    near(await ttl('stats:errors:20240115:10'), 365 * DAY);
  });

  it('answers the seed debug commands verbatim: ZCARD of an IP index and PFCOUNT of an hourly unique-visitor log', async () => {
    const records = [];
    for (let i = 0; i < 30; i++)
      records.push(request({ time: SEED_TIME + i, ip: i < 12 ? '192.168.1.1' : `192.168.2.${i % 7}` }));
    await exportAll(exp, records);
    expect(await redis.cli('ZCARD', 'idx:req:ip:192.168.1.1')).toBe('12');
    expect(await redis.cli('PFCOUNT', 'stats:unique_ips:api.example.com:20240115:10')).toBe('8');
    near(await ttl('stats:unique_ips:api.example.com:20240115:10'), 365 * DAY + SLACK);
  });

  it('keeps response times per proxy host in stats:response_times:{hostname} for sliding-window percentiles', async () => {
    await exportAll(exp, [request({ time: SEED_TIME, ip: '1.1.1.1', duration: 0.25, status: 201 })]);
    const [member, score] = (
      await redis.cli('zrange', 'stats:response_times:api.example.com', '0', '-1', 'WITHSCORES')
    ).split('\n');
    expect(member).toBe('250:201:req:1705314645.123000:1.1.1.1');
    expect(Number(score)).toBeCloseTo(1705314645.123, 5);
    expect(await redis.cli('smembers', 'stats:hosts')).toBe('api.example.com');
  });

  it('writes records that are not HTTP requests as log:{timestamp}:{seq} hashes with event, level and host indexes and stream:logs', async () => {
    await exportAll(exp, [
      event({
        time: SEED_TIME,
        event: 'oauth.token_issued',
        level: 'WARNING',
        message: 'Token issued',
        attributes: { 'oauth.client_id': 'cli-9', 'client.address': '192.168.1.1', 'user.id': 'alice', scope: 'read' },
      }),
    ]);
    const key = await redis.cli('zrange', 'idx:log:event:oauth.token_issued', '0', '-1');
    expect(key).toMatch(/^log:1705314645\.123000:[0-9a-f]{8}$/);
    expect(hgetall(await redis.cli('hgetall', key))).toEqual({
      timestamp: '2024-01-15T10:30:45.123Z',
      level: 'WARNING',
      event: 'oauth.token_issued',
      message: 'Token issued',
      hostname: 'edge-1',
      component: 'oauth_server',
      user_id: 'alice',
      client_ip: '192.168.1.1',
      client_id: 'cli-9',
      attributes: '{"scope":"read"}',
    });
    for (const idx of [
      'idx:log:level:WARNING',
      'idx:log:host:edge-1',
      'idx:req:ip:192.168.1.1',
      'idx:req:user:alice',
      'idx:req:client:cli-9',
    ]) {
      expect(await redis.cli('zrange', idx, '0', '-1'), idx).toBe(key);
    }
    near(await ttl(key), 90 * DAY);
    expect(await redis.cli('xlen', 'stream:logs')).toBe('1');
    expect(await redis.cli('xlen', 'stream:requests')).toBe('0');
    expect(hgetall(await redis.cli('hgetall', 'stats:events:20240115:10'))).toEqual({ 'oauth.token_issued': '1' });
    near(await ttl('stats:events:20240115:10'), 365 * DAY);
  });

  it('gives two requests from one address in the same microsecond two keys, the second with :2', async () => {
    await exportAll(exp, [
      request({ time: SEED_TIME, ip: '9.9.9.9', path: '/a' }),
      request({ time: SEED_TIME, ip: '9.9.9.9', path: '/b' }),
    ]);
    expect((await redis.cli('zrange', 'idx:req:ip:9.9.9.9', '0', '-1')).split('\n')).toEqual([
      'req:1705314645.123000:9.9.9.9',
      'req:1705314645.123000:9.9.9.9:2',
    ]);
    expect(await redis.cli('hget', 'req:1705314645.123000:9.9.9.9', 'path')).toBe('/a');
    expect(await redis.cli('hget', 'req:1705314645.123000:9.9.9.9:2', 'path')).toBe('/b');
  });

  it('sends a large batch in a few large writes of about pipeline_size commands, never one per record', async () => {
    const records = Array.from({ length: 5000 }, (_, i) =>
      request({ time: SEED_TIME + i, ip: `10.1.${i % 200}.${i % 7}`, user: `u${i % 50}` }),
    );
    // A plain TCP relay in front of the real server counts what the exporter sends (each write arrives
    // as one or a few segments on loopback, so segments bound round trips from above).
    let segments = 0;
    const relay = createServer((client) => {
      const upstream = connect(redis.port, '127.0.0.1');
      client.on('data', (d) => {
        segments++;
        upstream.write(d);
      });
      upstream.on('data', (d) => client.write(d));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const port = (relay.address() as AddressInfo).port;
    const writes = async (pipelineSize: number) => {
      await redis.cli('flushall');
      const e = new RedisExporter({ endpoint: `redis://127.0.0.1:${port}`, pipeline_size: pipelineSize });
      try {
        await e.start();
        await exportAll(e, [request({ time: SEED_TIME - 1 })]);
        const before = segments;
        await exportAll(e, records);
        expect(await redis.cli('zcard', 'idx:req:method:GET')).toBe('5001');
        return segments - before;
      } finally {
        await e.shutdown();
      }
    };
    try {
      const normal = await writes(1000);
      const small = await writes(10);
      expect(normal).toBeLessThan(5000 / 10);
      expect(small).toBeGreaterThan(normal * 2);
    } finally {
      relay.close();
    }
  });
});

describe('redis exporter – options', () => {
  it('prefixes every key with key_prefix and honours retention and slow_threshold', async () => {
    const e = new RedisExporter({
      endpoint: redis.url,
      key_prefix: 'app1:',
      slow_threshold: '100ms',
      retention: { requests: '2d', stats: 30 },
    });
    try {
      await exportAll(e, [
        request({ time: SEED_TIME, ip: '1.2.3.4', duration: 0.2 }),
        event({ time: SEED_TIME, event: 'boot' }),
      ]);
      const keys = (await redis.cli('keys', '*')).split('\n').sort();
      expect(keys.every((k) => k.startsWith('app1:'))).toBe(true);
      expect(keys).toContain('app1:req:1705314645.123000:1.2.3.4');
      expect(keys).toContain('app1:stream:requests');
      expect(keys).toContain('app1:stats:requests:20240115:10');
      near(await ttl('app1:req:1705314645.123000:1.2.3.4'), 2 * DAY);
      near(await ttl('app1:stats:requests:20240115:10'), 30 * DAY);
      expect(await redis.cli('zcard', 'app1:idx:req:slow')).toBe('1');
    } finally {
      await e.shutdown();
    }
  });

  it('writes only the indexes listed in indexes', async () => {
    const e = new RedisExporter({ endpoint: redis.url, indexes: ['ip', 'status'] });
    try {
      await exportAll(e, [request({ time: SEED_TIME, ip: '1.2.3.4', user: 'bob', status: 500 })]);
      const idx = (await redis.cli('keys', 'idx:*')).split('\n').sort();
      expect(idx).toEqual(['idx:req:ip:1.2.3.4', 'idx:req:status:500']);
    } finally {
      await e.shutdown();
    }
  });

  it('maps fields from the attributes named in mapping instead of the defaults', async () => {
    const e = new RedisExporter({
      endpoint: redis.url,
      mapping: { client_ip: ['x_forwarded_for', 'client.address'], user_id: 'account' },
    });
    try {
      await exportAll(e, [
        request({ time: SEED_TIME, ip: '10.0.0.1', extra: { x_forwarded_for: '203.0.113.7', account: 'acct-1' } }),
      ]);
      const h = hgetall(await redis.cli('hgetall', 'req:1705314645.123000:203.0.113.7'));
      expect(h.client_ip).toBe('203.0.113.7');
      expect(h.user_id).toBe('acct-1');
      expect(await redis.cli('zcard', 'idx:req:user:acct-1')).toBe('1');
    } finally {
      await e.shutdown();
    }
  });

  it('reads durations in milliseconds from duration_ms and legacy http.* attribute names', async () => {
    const e = new RedisExporter({ endpoint: redis.url });
    try {
      const r = request({ time: SEED_TIME, ip: '10.0.0.2' });
      r.attributes = {
        'http.client_ip': '10.0.0.2',
        'http.host': 'legacy.example.com:8443',
        'http.method': 'put',
        'http.target': '/v1/items?x=1',
        'http.status_code': '201',
        duration_ms: 12.5,
        'enduser.id': 'eve',
      };
      await exportAll(e, [r]);
      const h = hgetall(await redis.cli('hgetall', 'req:1705314645.123000:10.0.0.2'));
      expect(h).toMatchObject({
        proxy_hostname: 'legacy.example.com',
        method: 'PUT',
        path: '/v1/items',
        status_code: '201',
        response_time_ms: '12.5',
        user_id: 'eve',
      });
    } finally {
      await e.shutdown();
    }
  });
});
