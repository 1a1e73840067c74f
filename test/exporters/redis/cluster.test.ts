// Against a real three-node Redis Cluster started here: commands are grouped
// per node by hash slot, guarded counters share a slot with their marker,
// retries do not double-count, and the queries read across nodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySlot } from '../../../exporters/redis/cluster.js';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { KeySchema } from '../../../exporters/redis/key-schema.js';
import { startCluster, type RedisCluster } from '../../helpers/redis.js';
import { event, exportAll, request } from './fixtures.js';

let cluster: RedisCluster;
let exp: RedisExporter;
const NOW = Date.now();
const T0 = NOW - 2 * 3600_000;

beforeAll(async () => {
  cluster = await startCluster(3);
  exp = new RedisExporter({ cluster: cluster.addresses });
}, 60_000);
afterAll(async () => {
  await exp?.shutdown();
  await cluster?.stop();
});

describe('redis exporter – Redis Cluster', () => {
  it('computes the same hash slot as CLUSTER KEYSLOT, hash tags and non-ASCII keys included', async () => {
    const keys = ['req:1705314645.123000:192.168.1.1', 'idx:req:ip:10.0.0.1', 'stats:requests:20240115:10', 'a{tag}b', '{}x', 'x{}y{z}',
      'idx:req:user:zoë', 'idx:req:path:GET:/café/☕', new KeySchema('').dedup('stats:requests:20240115:10', 'abcdef', 3)];
    for (const k of keys) expect(keySlot(k), k).toBe(Number(await cluster.cli('cluster', 'keyslot', k)));
  });

  it('puts each idempotency marker in the slot of the key it guards', () => {
    const k = new KeySchema('');
    for (const target of ['stats:requests:20240115:10', 'stats:errors:20240115:10', 'stats:events:20240115:10', 'stream:requests', 'stream:logs']) {
      expect(keySlot(k.dedup(target, '0123456789abcdef', 0))).toBe(keySlot(target));
    }
    const tagged = new KeySchema('app{one}:');
    expect(keySlot(tagged.dedup('app{one}:stats:requests:20240115:10', 'ff', 1))).toBe(keySlot('app{one}:stats:requests:20240115:10'));
  });

  it('writes every key family across the three nodes and counts a retried batch once', async () => {
    const records = Array.from({ length: 600 }, (_, i) => request({
      time: T0 + i * 10_000, ip: `10.20.${i % 40}.${i % 3}`, user: `user-${i % 25}`, session: `s-${i % 30}`,
      status: i % 8 === 0 ? 500 : 200, duration: i % 50 === 0 ? 1.5 : 0.02, path: `/items/${i}`, host: i % 2 ? 'a.example.com' : 'b.example.com',
    }));
    records.push(event({ time: T0 + 5, event: 'proxy_created', level: 'ERROR', message: 'Proxy created' }));
    await exportAll(exp, records);
    await exportAll(exp, records);

    const sizes = await Promise.all(cluster.nodes.map((n) => n.cli('dbsize').then(Number)));
    for (const s of sizes) expect(s).toBeGreaterThan(50);

    const hours = new Set(records.map((r) => {
      const d = new Date(r.hrTime[0] * 1000);
      return `${d.toISOString().slice(0, 10).replace(/-/g, '')}:${d.toISOString().slice(11, 13)}`;
    }));
    let total = 0;
    for (const h of hours) total += Number(await cluster.cli('hget', `stats:requests:${h}`, 'total') || 0);
    expect(total).toBe(600);
    expect(await cluster.cli('xlen', 'stream:requests')).toBe('600');
    expect(await cluster.cli('xlen', 'stream:logs')).toBe('1');
    expect(await cluster.cli('ZCARD', 'idx:req:ip:10.20.0.0')).toBe(String(records.filter((r) => r.attributes['client.address'] === '10.20.0.0').length));
    expect(await cluster.cli('zcard', 'idx:req:errors')).toBe('75');
    expect(await cluster.cli('zcard', 'idx:req:path:GET:/items/:id')).toBe('600');
    expect(Number(await cluster.cli('ttl', 'idx:req:user:user-1'))).toBeGreaterThan(0);
  });

  it('answers entry queries and metrics with keys spread over several nodes', async () => {
    const q = exp.queries();
    const byIp = await q.ip('10.20.0.0', { hours: 24, limit: 1000 });
    expect(byIp.length).toBeGreaterThan(0);
    expect(byIp.every((e) => e.client_ip === '10.20.0.0')).toBe(true);
    const ts = byIp.map((e) => e.timestamp as string);
    expect([...ts].sort()).toEqual(ts);

    const errors = await q.errors({ hours: 24, limit: 1000 });
    expect(errors.filter((e) => e.status_code === 500)).toHaveLength(75);
    expect(errors.filter((e) => e.event === 'proxy_created')).toHaveLength(1);

    const m = await q.metrics(3);
    expect(m.requests).toBe(600);
    expect(m.unique_visitors).toBeGreaterThanOrEqual(115);
    expect(m.unique_visitors).toBeLessThanOrEqual(125);
    expect(m.error_rate).toBeCloseTo(75 / 600, 3);
    expect(m.p99_response_time).toBe(1500);

    const path = await q.path('/items/*', { hours: 24, limit: 5 });
    expect(path.map((e) => e.path)).toEqual(['/items/595', '/items/596', '/items/597', '/items/598', '/items/599']);
  });

  it('clears every key family on every node', async () => {
    const deleted = await exp.queries().clear();
    expect(deleted).toBeGreaterThan(600);
    const sizes = await Promise.all(cluster.nodes.map((n) => n.cli('dbsize').then(Number)));
    expect(sizes).toEqual([0, 0, 0]);
  });
});
