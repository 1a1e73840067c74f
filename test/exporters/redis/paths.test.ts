// GET /logs/paths (issue #13 item 5, the seed's analyze_path_patterns) through
// a real query API over a real Redis written by the real exporter: patterns
// with ids, UUIDs and hashes collapsed to :id, most requested first, counted
// over `hours` (default 24), limited, and read from the path index only (no
// KEYS or SCAN, one ZCOUNT per method:route pair used in the window).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import type { PathPatterns } from '../../../exporters/redis/queries.js';
import { startApi, type RunningApi } from '../../extensions/query-api/helpers.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { event, exportAll, request, testHost } from './fixtures.js';

const TOKEN = 'redis-paths-token';
let redis: RedisServer;
let run: RunningApi;
let exp: RedisExporter;
const NOW = Date.now();
/** An hour ago: inside the default 24 hours, outside hours=0.5. */
const T0 = NOW - 3600_000;
const UUIDS = [
  '0f8fad5b-d9cb-469f-a165-70867728950e',
  '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  'C56A4180-65AA-42EC-A945-5FD21DEC0538',
];

async function get(path: string, status = 200): Promise<PathPatterns & { error?: string }> {
  const res = await run.get(path, TOKEN);
  const body = (await res.json()) as PathPatterns & { error?: string };
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(status);
  return body;
}

beforeAll(async () => {
  redis = await startRedis();
  run = await startApi({ auth: { tokens: [TOKEN] } });
  exp = new RedisExporter({ endpoint: redis.url });
  await exp.start(testHost(run.api));
  const records = [];
  let t = T0;
  // /users/:id: 6 GET and 2 DELETE, every id different.
  for (let i = 0; i < 6; i++) records.push(request({ time: t++, method: 'GET', path: `/users/${1000 + i}` }));
  for (let i = 0; i < 2; i++) records.push(request({ time: t++, method: 'DELETE', path: `/users/${i}`, status: 204 }));
  // /orders/:id/items: 5 requests over 3 UUIDs (upper and lower case).
  for (let i = 0; i < 5; i++) records.push(request({ time: t++, path: `/orders/${UUIDS[i % 3]}/items` }));
  // /blobs/:id: 3 SHA-1 hashes (40 hex digits).
  for (let i = 0; i < 3; i++)
    records.push(request({ time: t++, path: `/blobs/${'a1b2c3d4e5'.repeat(3)}${String(i).repeat(10)}`, status: 404 }));
  for (let i = 0; i < 4; i++) records.push(request({ time: t++, path: '/health' }));
  // The app's own route wins over the normalised path, as in the path index.
  for (let i = 0; i < 2; i++)
    records.push(request({ time: t++, path: `/items/widget-${i}`, route: '/items/{item_id}' }));
  // Ten minutes ago: the only request inside hours=0.5.
  records.push(request({ time: NOW - 600_000, path: '/recent/42' }));
  // 30 hours ago: only inside hours=48.
  for (let i = 0; i < 10; i++) records.push(request({ time: NOW - 30 * 3600_000 + i, path: `/old/${i}` }));
  // Not requests: never counted.
  records.push(event({ time: T0 + 500, event: 'proxy_created', message: 'Proxy created' }));
  await exportAll(exp, records);
});

afterAll(async () => {
  await exp?.shutdown();
  await run?.api.shutdown();
  await redis?.stop();
});

describe('GET /logs/paths', () => {
  it('returns the most requested normalised patterns over the last 24 hours, with counts by method', async () => {
    const b = await get('/logs/paths');
    expect(b.hours).toBe(24);
    expect(b.truncated).toBe(false);
    expect(b.patterns).toEqual([
      { pattern: '/users/:id', count: 8, methods: { GET: 6, DELETE: 2 } },
      { pattern: '/orders/:id/items', count: 5, methods: { GET: 5 } },
      { pattern: '/health', count: 4, methods: { GET: 4 } },
      { pattern: '/blobs/:id', count: 3, methods: { GET: 3 } },
      { pattern: '/items/{item_id}', count: 2, methods: { GET: 2 } },
      { pattern: '/recent/:id', count: 1, methods: { GET: 1 } },
    ]);
    expect(b.total).toBe(23);
  });

  it('counts over `hours`, to the second rather than by whole hours', async () => {
    const half = await get('/logs/paths?hours=0.5');
    expect(half.patterns).toEqual([{ pattern: '/recent/:id', count: 1, methods: { GET: 1 } }]);
    expect(half.total).toBe(1);
    const two = await get('/logs/paths?hours=48');
    expect(two.patterns[0]).toEqual({ pattern: '/old/:id', count: 10, methods: { GET: 10 } });
    expect(two.total).toBe(33);
  });

  it('returns at most `limit` patterns, the most requested, while the total covers them all', async () => {
    const b = await get('/logs/paths?limit=2');
    expect(b.patterns.map((p) => p.pattern)).toEqual(['/users/:id', '/orders/:id/items']);
    expect(b.total).toBe(23);
  });

  it('reads the path index only: no KEYS or SCAN, one ZCOUNT per method:route pair used in the window', async () => {
    await redis.cli('CONFIG', 'RESETSTAT');
    await get('/logs/paths');
    const stats = await redis.cli('INFO', 'commandstats');
    expect(stats).not.toMatch(/cmdstat_(keys|scan):/);
    // GET and DELETE /users/:id, /orders/:id/items, /blobs/:id, /health, /items/{item_id}, /recent/:id.
    expect(stats).toMatch(/cmdstat_zcount:calls=7,/);
    expect(stats).toMatch(/cmdstat_zrevrangebyscore:calls=1,/);
  });

  it('rejects bad parameters with a 400 naming them', async () => {
    expect((await get('/logs/paths?hours=abc', 400)).error).toContain('"hours"');
    expect((await get('/logs/paths?hours=0', 400)).error).toContain('"hours"');
    expect((await get('/logs/paths?limit=-1', 400)).error).toContain('"limit"');
    expect((await get('/logs/paths?pattern=/users', 400)).error).toContain('pattern');
  });

  it('needs a token like every /logs route', async () => {
    const res = await run.get('/logs/paths');
    expect(res.status).toBe(401);
  });
});
