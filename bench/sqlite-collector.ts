// Records/s through the collector process (OTLP/HTTP protobuf, 8 clients,
// 512 records per request, redaction + batch) into msgpack_audit and sqlite
// together, beside msgpack_audit alone in the same run, counting only records
// both exporters reported as written. Prints figures; asserts nothing.
//
//   npm run build && node dist/bench/sqlite-collector.js [records]
import { pathToFileURL } from 'node:url';
import { runCollectorLoad } from './collector-load.js';

export async function run(totalRecords = 400_000): Promise<{ msgpackOnly: number; msgpackAndSqlite: number }> {
  console.log(`collector throughput, ${totalRecords.toLocaleString('en')} request-audit records over OTLP/HTTP protobuf (8 clients × 512 records)`);
  const only = await runCollectorLoad({
    exportersYaml: '  msgpack_audit:\n    directory: "{{dir}}/logs/{collection}/"',
    exporterIds: ['msgpack_audit'], totalRecords,
  });
  only.cleanup();
  console.log(`msgpack_audit alone          ${Math.round(only.recordsPerSecond).toLocaleString('en').padStart(9)} records/s (${only.seconds.toFixed(1)} s, ${only.refusedRequests} refused requests retried)`);
  const both = await runCollectorLoad({
    exportersYaml: '  msgpack_audit:\n    directory: "{{dir}}/logs/{collection}/"\n  sqlite:\n    path: "{{dir}}/data/auditline.db"',
    exporterIds: ['msgpack_audit', 'sqlite'], totalRecords,
  });
  both.cleanup();
  console.log(`msgpack_audit + sqlite       ${Math.round(both.recordsPerSecond).toLocaleString('en').padStart(9)} records/s (${both.seconds.toFixed(1)} s, ${both.refusedRequests} refused requests retried)`);
  return { msgpackOnly: only.recordsPerSecond, msgpackAndSqlite: both.recordsPerSecond };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(process.argv[2] ? Number(process.argv[2]) : undefined);
}
