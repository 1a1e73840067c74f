// Redis exporter CPU per record, both sides: Node (process.cpuUsage, records
// built before the clock starts) and redis-server (INFO cpu), plus redis-server
// µs per record by command type (INFO commandstats). Uses the collector
// benchmarks' request-audit fixture records in batches of 8192 (the batch
// processor's default). CPU per record is what to compare while other work
// shares the machine; records/s is printed but depends on that load.
// Figures: bench/README.md.
//
//   npx tsc -p . && node --expose-gc dist/bench/redis-cpu.js [records] [concurrency] [passes]
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { RedisExporter } from '../exporters/redis/exporter.js';
import type { LogRecordData } from '../src/model/log-record.js';
import { requestAuditRecords } from './fixtures.js';
import { startRedisServer } from './redis-index.js';
import { commandStats, redisCpuSeconds } from './redis-info.js';

const BATCH = 8192;

function exportBatch(e: RedisExporter, records: LogRecordData[]): Promise<void> {
  return new Promise((resolve, reject) => e.export(records, (res) => (res.code === 0 ? resolve() : reject(res.error))));
}

async function load(e: RedisExporter, batches: LogRecordData[][], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) await exportBatch(e, batches[next++]!);
    }),
  );
}

export async function run(records = 200_000, concurrency = 4, passes = 3): Promise<void> {
  // AUDITLINE_BENCH_REDIS_URL: an external server (flushed first), e.g. to run perf on it.
  const external = process.env.AUDITLINE_BENCH_REDIS_URL;
  const server = external ? { url: external, stop: async () => {} } : await startRedisServer();
  // A generous reply timeout: on a loaded machine one batch's transaction can take longer than the default 5 s.
  const e = new RedisExporter({ endpoint: server.url, cleanup_interval: '0s' }, { commandTimeout: 120_000 });
  const info = new Redis(server.url);
  try {
    if (external) await info.flushall();
    await e.start();
    console.log(
      `Redis exporter CPU: ${records.toLocaleString('en')} fixture requests per pass, batches of ${BATCH}, ${concurrency} exports in flight, every index on`,
    );
    let start = 0;
    for (let pass = 0; pass <= passes; pass++) {
      const batches: LogRecordData[][] = [];
      for (let i = 0; i < records; i += BATCH)
        batches.push(requestAuditRecords(start + i, Math.min(BATCH, records - i)));
      start += records;
      global.gc?.();
      const s0 = await commandStats(info);
      const r0 = await redisCpuSeconds(info);
      const n0 = process.cpuUsage();
      const t0 = performance.now();
      await load(e, batches, concurrency);
      const secs = (performance.now() - t0) / 1000;
      const n1 = process.cpuUsage(n0);
      const r1 = await redisCpuSeconds(info);
      const s1 = await commandStats(info);
      if (pass === 0) {
        console.log('  (warm-up pass)');
        continue;
      }
      const per = (us: number) => (us / records).toFixed(2);
      console.log(
        `pass ${pass}: ${Math.round(records / secs).toLocaleString('en')} records/s   Node ${per(n1.user + n1.system)} µs/record   redis-server ${per((r1 - r0) * 1e6)} µs/record`,
      );
      const rows: string[] = [];
      for (const [name, b] of s1) {
        const a = s0.get(name) ?? { calls: 0, usec: 0 };
        const calls = b.calls - a.calls;
        if (calls === 0) continue;
        rows.push(
          `${name}: ${per(b.usec - a.usec)} µs/rec (${(calls / records).toFixed(3)} calls/rec, ${((b.usec - a.usec) / calls).toFixed(1)} µs/call)`,
        );
      }
      console.log(`  commandstats: ${rows.join('; ')}`);
    }
  } finally {
    info.disconnect();
    await e.shutdown();
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(...(process.argv.slice(2, 5).map(Number) as [number?, number?, number?]));
}
