// Against a real three-node Redis Cluster started here: a batch is applied at
// most once per hash slot (each slot's part with its own guard key), retries do
// not double-count, same-millisecond requests keep their own hashes, and the
// queries read across nodes.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogSpan } from '../../../src/exporterhelper/push-exporter.js';
import { keySlot, slotTag } from '../../../exporters/redis/cluster.js';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { KeySchema } from '../../../exporters/redis/key-schema.js';
import { startCluster, type RedisCluster } from '../../helpers/redis.js';
import { event, exportAll, request } from './fixtures.js';

let cluster: RedisCluster;
let exp: RedisExporter;
const NOW = Date.now();
const T0 = NOW - 2 * 3600_000;

function sendSpan(e: RedisExporter, records: ReadableLogRecord[], span: LogSpan): Promise<void> {
  return new Promise((resolve, reject) =>
    e.exportPrepared(records, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed'))), span),
  );
}

/** What a batch adds to, read across the nodes. */
async function clusterState(records: ReadableLogRecord[]): Promise<Record<string, string>> {
  const hours = [...new Set(records.map((r) => new Date(r.hrTime[0] * 1000).toISOString().slice(0, 13)))].map(
    (h) => `${h.slice(0, 10).replace(/-/g, '')}:${h.slice(11, 13)}`,
  );
  const out: Record<string, string> = {
    stream: await cluster.cli('xlen', 'stream:requests'),
    errors: await cluster.cli('zcard', 'idx:req:errors'),
    byMethod: await cluster.cli('zcard', 'idx:req:method:GET'),
  };
  for (const h of hours) {
    out[`requests ${h}`] = await cluster.cli('hgetall', `stats:requests:${h}`);
    out[`visitors ${h}`] = await cluster.cli('pfcount', `stats:unique_ips:api.example.com:${h}`);
  }
  let hashes = 0;
  for (const n of cluster.nodes) hashes += Number(await n.cli('eval', "return #redis.call('keys', 'req:*')", '0'));
  out.hashes = String(hashes);
  return out;
}

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
    const keys = [
      'req:1705314645.123000:192.168.1.1',
      'idx:req:ip:10.0.0.1',
      'stats:requests:20240115:10',
      'a{tag}b',
      '{}x',
      'x{}y{z}',
      '{}{a}',
      'a{b',
      '{{a}}',
      'x{}}{y}',
      'idx:req:path:GET:/a/{}/b/{id}',
      'idx:req:user:{}{zoë}',
      'idx:req:user:zoë',
      'idx:req:path:GET:/café/☕',
      new KeySchema('').position('redis', 'logs', slotTag(1234)),
    ];
    for (const k of keys) expect(keySlot(k), k).toBe(Number(await cluster.cli('cluster', 'keyslot', k)));
  });

  it("puts each slot's position key in that slot, whatever the exporter id and log are called", () => {
    const k = new KeySchema('');
    for (const slot of [0, 1, 777, 5461, 5462, 10922, 16383]) {
      expect(keySlot(k.position('redis/a{b}', 'logs#w1', slotTag(slot)))).toBe(slot);
      expect(keySlot(k.batchMarker('0123456789abcdef', slotTag(slot)))).toBe(slot);
    }
    // A hash tag in key_prefix puts every key, positions included, in the prefix's slot.
    const tagged = new KeySchema('app{one}:');
    expect(keySlot(tagged.position('redis', 'logs', slotTag(99)))).toBe(keySlot('app{one}:stats:requests:20240115:10'));
  });

  it('writes every key family across the three nodes and counts a retried batch once', async () => {
    const records = Array.from({ length: 600 }, (_, i) =>
      request({
        time: T0 + i * 10_000,
        ip: `10.20.${i % 40}.${i % 3}`,
        user: `user-${i % 25}`,
        session: `s-${i % 30}`,
        status: i % 8 === 0 ? 500 : 200,
        duration: i % 50 === 0 ? 1.5 : 0.02,
        path: `/items/${i}`,
        host: i % 2 ? 'a.example.com' : 'b.example.com',
      }),
    );
    records.push(event({ time: T0 + 5, event: 'proxy_created', level: 'ERROR', message: 'Proxy created' }));
    await exportAll(exp, records);
    await exportAll(exp, records);

    const sizes = await Promise.all(cluster.nodes.map((n) => n.cli('dbsize').then(Number)));
    for (const s of sizes) expect(s).toBeGreaterThan(50);

    const hours = new Set(
      records.map((r) => {
        const d = new Date(r.hrTime[0] * 1000);
        return `${d.toISOString().slice(0, 10).replace(/-/g, '')}:${d.toISOString().slice(11, 13)}`;
      }),
    );
    let total = 0;
    for (const h of hours) total += Number((await cluster.cli('hget', `stats:requests:${h}`, 'total')) || 0);
    expect(total).toBe(600);
    expect(await cluster.cli('xlen', 'stream:requests')).toBe('600');
    expect(await cluster.cli('xlen', 'stream:logs')).toBe('1');
    expect(await cluster.cli('ZCARD', 'idx:req:ip:10.20.0.0')).toBe(
      String(records.filter((r) => r.attributes['client.address'] === '10.20.0.0').length),
    );
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

  it('applies a span once per slot: with its position gone, a retry still writes nothing twice', async () => {
    await exp.queries().clear();
    const e = new RedisExporter({ cluster: cluster.addresses }, { id: 'redis/span' });
    try {
      const records = Array.from({ length: 400 }, (_, i) =>
        request({ time: T0 + i * 1000, ip: `10.30.${i % 20}.1`, status: i % 9 === 0 ? 503 : 200, path: `/s/${i}` }),
      );
      const span = { log: 'logs', first: 0, end: 400 };
      await sendSpan(e, records, span);
      const once = await clusterState(records);
      expect(once.stream).toBe('400');
      expect(await e.appliedPosition('logs')).toBe(400);
      // As if the attempt had failed after the slots' parts but before the position: only the per-slot guards remain.
      await cluster.cli('del', 'auditline:pos:redis/span:logs');
      await sendSpan(e, records, span);
      expect(await clusterState(records)).toEqual(once);
      expect(
        await new RedisExporter({ cluster: cluster.addresses }, { id: 'redis/span' }).appliedPosition('logs'),
      ).toBe(400);
    } finally {
      await e.shutdown();
    }
  });

  it('keeps 2,000 requests with the same millisecond and client address, in four batches, as 2,000 hashes', async () => {
    await exp.queries().clear();
    const e = new RedisExporter({ cluster: cluster.addresses });
    try {
      const burst = (from: number) =>
        Array.from({ length: 500 }, (_, j) => request({ time: T0 + 7, ip: '10.31.0.1', path: `/b/${from + j}` }));
      for (let b = 0; b < 4; b++)
        await sendSpan(e, burst(b * 500), { log: 'logs', first: b * 500, end: b * 500 + 500 });
      await sendSpan(e, burst(500), { log: 'logs', first: 500, end: 1000 });
      let hashes = 0;
      for (const n of cluster.nodes) hashes += Number(await n.cli('eval', "return #redis.call('keys', 'req:*')", '0'));
      expect(hashes).toBe(2000);
      expect(await cluster.cli('zcard', 'idx:req:ip:10.31.0.1')).toBe('2000');
      expect(await cluster.cli('xlen', 'stream:requests')).toBe('2000');
      const found = await e.queries().ip('10.31.0.1', { hours: 24, limit: 5000 });
      expect(new Set(found.map((x) => x.path)).size).toBe(2000);
    } finally {
      await e.shutdown();
    }
  });

  it('clears every key family on every node', async () => {
    const deleted = await exp.queries().clear();
    expect(deleted).toBeGreaterThan(600);
    const sizes = await Promise.all(cluster.nodes.map((n) => n.cli('dbsize').then(Number)));
    expect(sizes).toEqual([0, 0, 0]);
  });
});
