// Records/s through the collector process (OTLP/HTTP protobuf, 8 clients,
// 512 records per request, redaction + batch) into msgpack_audit and sqlite
// together, beside msgpack_audit alone in the same run, counting only records
// both exporters reported as written. Prints figures; asserts nothing.
// Beside the whole process's CPU per record, the collector's main thread and
// its other threads (the SQLite writer, GC helpers, libuv) are shown apart,
// over the process's life (startup included, alike in both runs).
//
//   npm run build && node dist/bench/sqlite-collector.js [records]
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runCollectorLoad, type LoadOptions, type LoadResult } from './collector-load.js';
import { cpuTicks, statFields, USER_HZ } from './proc-cpu.js';

/** Per-thread CPU ticks (1/100 s) of this process's children, sampled until they exit. */
function watchThreads(): { stop(): { main: number; others: number } } {
  const last = new Map<number, Map<number, number>>();
  const sample = () => {
    for (const d of readdirSync('/proc')) {
      const pid = Number(d);
      if (!pid) continue;
      try {
        if (Number(statFields(`/proc/${pid}/stat`)[1]) !== process.pid) continue;
        const threads = last.get(pid) ?? new Map<number, number>();
        for (const t of readdirSync(`/proc/${pid}/task`))
          threads.set(Number(t), cpuTicks(statFields(`/proc/${pid}/task/${t}/stat`)));
        last.set(pid, threads);
      } catch {
        /* exited meanwhile */
      }
    }
  };
  const timer = setInterval(sample, 50);
  return {
    stop() {
      clearInterval(timer);
      let main = 0;
      let others = 0;
      for (const [pid, threads] of last)
        for (const [tid, ticks] of threads)
          if (tid === pid) main += ticks;
          else others += ticks;
      return { main, others };
    },
  };
}

async function load(o: LoadOptions): Promise<LoadResult> {
  const w = watchThreads();
  const r = await runCollectorLoad(o);
  const { main, others } = w.stop();
  console.log(
    `  collector CPU ${r.collectorCpuMicros?.toFixed(1)} µs/record (all threads, measured span); over its life: main thread ${((main * (1e6 / USER_HZ)) / r.delivered).toFixed(1)}, other threads ${((others * (1e6 / USER_HZ)) / r.delivered).toFixed(1)} µs/record`,
  );
  return r;
}

export async function run(totalRecords = 400_000): Promise<{ msgpackOnly: number; msgpackAndSqlite: number }> {
  console.log(
    `collector throughput, ${totalRecords.toLocaleString('en')} request-audit records over OTLP/HTTP protobuf (8 clients × 512 records)`,
  );
  const only = await load({
    exportersYaml: '  msgpack_audit:\n    directory: "{{dir}}/logs/{collection}/"',
    exporterIds: ['msgpack_audit'],
    totalRecords,
  });
  only.cleanup();
  console.log(
    `msgpack_audit alone          ${Math.round(only.recordsPerSecond).toLocaleString('en').padStart(9)} records/s (${only.seconds.toFixed(1)} s, ${only.refusedRequests} refused requests retried)`,
  );
  const both = await load({
    exportersYaml:
      '  msgpack_audit:\n    directory: "{{dir}}/logs/{collection}/"\n  sqlite:\n    path: "{{dir}}/data/auditline.db"',
    exporterIds: ['msgpack_audit', 'sqlite'],
    totalRecords,
  });
  both.cleanup();
  console.log(
    `msgpack_audit + sqlite       ${Math.round(both.recordsPerSecond).toLocaleString('en').padStart(9)} records/s (${both.seconds.toFixed(1)} s, ${both.refusedRequests} refused requests retried)`,
  );
  // Pipelines in two worker threads; sqlite rows built there, written by the main thread's one writer.
  const parallel = await load({
    exportersYaml:
      '  msgpack_audit:\n    directory: "{{dir}}/logs/{collection}/"\n  sqlite:\n    path: "{{dir}}/data/auditline.db"',
    exporterIds: ['msgpack_audit', 'sqlite'],
    totalRecords,
    workers: 2,
  });
  parallel.cleanup();
  console.log(
    `msgpack_audit + sqlite, service.workers: 2 ${Math.round(parallel.recordsPerSecond).toLocaleString('en').padStart(9)} records/s (${parallel.seconds.toFixed(1)} s, ${parallel.refusedRequests} refused requests retried)`,
  );
  return {
    msgpackOnly: only.recordsPerSecond,
    msgpackAndSqlite: Math.max(both.recordsPerSecond, parallel.recordsPerSecond),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(process.argv[2] ? Number(process.argv[2]) : undefined);
}
