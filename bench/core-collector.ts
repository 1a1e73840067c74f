// Issue 2's collector figure: OTLP/HTTP protobuf, 8 concurrent clients × 512
// request-audit records (some with secrets), redaction + batch into
// msgpack_audit, counting only records that reached the file: the exporter's
// sent counter stops the clock, and the file itself is decoded and counted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeMulti } from '@msgpack/msgpack';
import { runCollectorLoad } from './collector-load.js';

const MODES: { name: string; durable?: { fsync: boolean } }[] = [
  { name: 'memory delivery log' },
  { name: 'durable delivery log', durable: { fsync: false } },
  { name: 'durable delivery log, fsync', durable: { fsync: true } },
];

/**
 * Runs the load once per `service.workers` value, 0 (pipelines on the main thread) and 2 (one per
 * core here), and per delivery mode: memory, durable (segment files), durable with group-committed fsync.
 */
export async function run(
  totalRecords = 600_000,
  workerCounts: number[] = [0, 2],
  modes = MODES,
): Promise<{ recordsPerSecond: number }> {
  let best = 0;
  for (const mode of modes)
    for (const workers of workerCounts) {
      const r = await runCollectorLoad({
        exportersYaml: '  msgpack_audit:\n    directory: "{{dir}}/logs/{collection}/"',
        exporterIds: ['msgpack_audit'],
        totalRecords,
        workers,
        durable: mode.durable,
      });
      let inFile = 0;
      for (const _ of decodeMulti(readFileSync(join(r.dir, 'logs', 'bench', 'audit.log')))) inFile++;
      r.cleanup();
      console.log(
        `collector (${mode.name}): OTLP/HTTP protobuf → redaction → batch → msgpack_audit, 8 clients × 512 records, service.workers: ${workers}`,
      );
      console.log(
        `  ${Math.round(r.recordsPerSecond).toLocaleString('en')} records/s into the file (${inFile.toLocaleString('en')} entries in audit.log of ${r.accepted.toLocaleString('en')} accepted, ${r.seconds.toFixed(2)} s, ${r.refusedRequests} requests refused and retried)`,
      );
      if (r.collectorCpuMicros !== undefined)
        console.log(`  collector CPU ${r.collectorCpuMicros.toFixed(1)} µs/record (all its threads)`);
      if (inFile !== r.accepted)
        console.log(`  WARNING: the file holds ${inFile} entries but ${r.accepted} records were acknowledged.`);
      best = Math.max(best, r.recordsPerSecond);
    }
  return { recordsPerSecond: best };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // node dist/bench/core-collector.js [records] [workers] [memory|durable|fsync]
  const pick = process.argv[4]
    ? MODES.filter((m) => (m.durable ? (m.durable.fsync ? 'fsync' : 'durable') : 'memory') === process.argv[4])
    : MODES;
  await run(
    process.argv[2] ? Number(process.argv[2]) : undefined,
    process.argv[3] ? [Number(process.argv[3])] : undefined,
    pick,
  );
}
