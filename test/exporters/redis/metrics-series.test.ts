// GET /logs/metrics/series (the console's Requests charts) through a real
// query API over a real Redis written by the real exporter: requests counted
// exactly per time slice, error rate, percentiles and distinct clients per
// slice, oldest first, and 400s naming the parameter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import type { MetricsSeries } from '../../../exporters/redis/queries.js';
import { startApi, type RunningApi } from '../../extensions/query-api/helpers.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { exportAll, request, testHost } from './fixtures.js';

const TOKEN = 'redis-series-token';
let redis: RedisServer;
let run: RunningApi;
let exp: RedisExporter;
const NOW = Date.now();

async function get(path: string, status = 200): Promise<MetricsSeries & { error?: string }> {
  const res = await run.get(path, TOKEN);
  const body = (await res.json()) as MetricsSeries & { error?: string };
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(status);
  return body;
}

beforeAll(async () => {
  redis = await startRedis();
  run = await startApi({ auth: { tokens: [TOKEN] } });
  exp = new RedisExporter({ endpoint: redis.url });
  await exp.start(testHost(run.api));
  const records = [];
  // 45 minutes ago: 10 requests from two clients, 2 of them 500s, 100..1000 ms.
  for (let i = 0; i < 10; i++) {
    records.push(
      request({
        time: NOW - 45 * 60_000 + i * 1000,
        ip: i % 2 ? '10.0.0.1' : '10.0.0.2',
        status: i < 2 ? 500 : 200,
        duration: (i + 1) / 10,
      }),
    );
  }
  // 9 minutes ago: 4 requests from one client, all fine, 20 ms.
  for (let i = 0; i < 4; i++)
    records.push(request({ time: NOW - 9 * 60_000 + i * 1000, ip: '10.0.0.3', duration: 0.02 }));
  // Two hours ago: outside hours=1.
  records.push(request({ time: NOW - 2 * 3600_000, ip: '10.0.0.9' }));
  await exportAll(exp, records);
});

afterAll(async () => {
  await exp?.shutdown();
  await run?.api.shutdown();
  await redis?.stop();
});

describe('GET /logs/metrics/series', () => {
  it('slices the window into buckets, oldest first: counts, error rate, percentiles, distinct clients', async () => {
    const s = await get('/logs/metrics/series?hours=1&buckets=6');
    expect(s.hours).toBe(1);
    expect(s.bucket_seconds).toBe(600);
    expect(s.sampled).toBe(false);
    expect(s.buckets).toHaveLength(6);
    expect(s.buckets.map((b) => b.requests)).toEqual([0, 10, 0, 0, 0, 4]);
    expect(s.buckets[0]!.start).toBeLessThan(s.buckets[5]!.start);
    const early = s.buckets[1]!;
    expect(early.error_rate).toBe(0.2);
    expect(early.unique_visitors).toBe(2);
    expect(early.p50_response_time).toBe(500);
    expect(early.p99_response_time).toBe(1000);
    expect(early.requests_per_second).toBeCloseTo(10 / 600, 4);
    const late = s.buckets[5]!;
    expect(late).toMatchObject({ error_rate: 0, unique_visitors: 1, p50_response_time: 20, p95_response_time: 20 });
    expect(s.buckets[2]).toMatchObject({ requests: 0, error_rate: 0, p50_response_time: null, unique_visitors: 0 });
    // The whole window agrees with /logs/metrics.
    const m = (await (await run.get('/logs/metrics?hours=1', TOKEN)).json()) as { requests: number };
    expect(s.buckets.reduce((a, b) => a + b.requests, 0)).toBe(m.requests);
  });

  it('defaults to the last hour in 30 buckets, and counts a longer window', async () => {
    const s = await get('/logs/metrics/series');
    expect(s.buckets).toHaveLength(30);
    expect(s.buckets.reduce((a, b) => a + b.requests, 0)).toBe(14);
    const day = await get('/logs/metrics/series?hours=24&buckets=24');
    expect(day.buckets.reduce((a, b) => a + b.requests, 0)).toBe(15);
  });

  it('answers 400 naming the parameter', async () => {
    for (const [q, name] of [
      ['buckets=0', 'buckets'],
      ['buckets=241', 'buckets'],
      ['buckets=x', 'buckets'],
      ['hours=0', 'hours'],
      ['limit=3', 'limit'],
    ]) {
      expect((await get(`/logs/metrics/series?${q}`, 400)).error).toContain(`"${name}"`);
    }
  });
});
