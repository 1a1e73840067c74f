// Issue 4's collector figure: records/s indexed through the collector
// (OTLP/HTTP protobuf, 8 clients × 512 request records, redaction + batch)
// into one local Redis with every index on, counting records the exporter
// reported written, then checked against the hourly stats totals in Redis.
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { runCollectorLoad } from './collector-load.js';
import { startRedisServer } from './redis-index.js';
import { commandStats, redisCpuSeconds } from './redis-info.js';

export async function run(totalRecords = 300_000): Promise<{ recordsPerSecond: number }> {
  const server = await startRedisServer();
  try {
    const info = new Redis(server.url);
    const [c0, n0] = [await redisCpuSeconds(info), await commandStats(info)];
    const r = await runCollectorLoad({
      exportersYaml: `  redis:\n    endpoint: "${server.url}"`,
      exporterIds: ['redis'],
      totalRecords,
    });
    const [c1, n1] = [await redisCpuSeconds(info), await commandStats(info)];
    info.disconnect();
    r.cleanup();
    const redis = new Redis(server.url);
    let counted = 0;
    for (const key of await redis.keys('stats:requests:*')) {
      if (key.endsWith(':response_times')) continue;
      counted += Number((await redis.hget(key, 'total')) ?? 0);
    }
    redis.disconnect();
    console.log(`collector: OTLP/HTTP protobuf → redaction → batch → redis (every index), 8 clients × 512 records`);
    console.log(
      `  ${Math.round(r.recordsPerSecond).toLocaleString('en')} records/s indexed (${counted.toLocaleString('en')} requests in stats:requests:* of ${r.accepted.toLocaleString('en')} accepted, ${r.seconds.toFixed(2)} s, ${r.refusedRequests} requests refused and retried)`,
    );
    const per = [...n1]
      .map(([name, n]) => `${name} ${((n.calls - (n0.get(name)?.calls ?? 0)) / r.delivered).toFixed(2)}`)
      .join(', ');
    console.log(
      `  redis-server CPU ${(((c1 - c0) * 1e6) / r.delivered).toFixed(1)} µs/record; commands per record: ${per}`,
    );
    return { recordsPerSecond: r.recordsPerSecond };
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(process.argv[2] ? Number(process.argv[2]) : undefined);
}
