// CPU per record of the sqlite exporter alone, split by thread: the calling
// (main) thread (row building + handing rows to the writer) and the writer
// thread (inserts, commits). Batches of 8192 request-audit records (the batch
// processor's default), up to eight exports in flight as the exporter helper
// runs them. Thread CPU comes from /proc/self/task/<tid>/stat, so the figures
// hold while other processes load the machine. Best of several passes.
//
//   npm run build && node dist/bench/sqlite-cpu.js [records] [passes]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { SqliteExporter } from '../exporters/sqlite/exporter.js';
import { requestAuditRecords } from './fixtures.js';
import { cpuTicks, statFields, USER_HZ } from './proc-cpu.js';

const BATCH = 8192;
const IN_FLIGHT = 8;
const TICK_US = 1e6 / USER_HZ;

function tids(): number[] {
  return readdirSync('/proc/self/task').map(Number);
}

/** utime + stime of one thread, in microseconds. */
function threadCpu(tid: number): number {
  return cpuTicks(statFields(`/proc/self/task/${tid}/stat`)) * TICK_US;
}

function exportOnce(ex: SqliteExporter, batch: ReadableLogRecord[]): Promise<void> {
  return new Promise((res, rej) => ex.export(batch, (r) => (r.code === 0 ? res() : rej(r.error))));
}

export async function run(total = 200_000, passes = 3): Promise<void> {
  const batches: ReadableLogRecord[][] = [];
  for (let i = 0; i < total; i += BATCH) batches.push(requestAuditRecords(i, Math.min(BATCH, total - i)));
  const mainTid = process.pid;
  let best = { main: Infinity, writer: Infinity, wall: Infinity };
  for (let p = 0; p < passes; p++) {
    const dir = mkdtempSync(join(tmpdir(), 'auditline-sqlite-cpu-'));
    const before = new Set(tids());
    const ex = new SqliteExporter({ path: join(dir, 'a.db') });
    await ex.start();
    const writerTids = tids().filter((t) => !before.has(t));
    const w0 = writerTids.reduce((a, t) => a + threadCpu(t), 0);
    const m0 = threadCpu(mainTid);
    const t0 = performance.now();
    const inflight = new Set<Promise<void>>();
    for (const b of batches) {
      const pr = exportOnce(ex, b).finally(() => inflight.delete(pr));
      inflight.add(pr);
      if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    const wall = performance.now() - t0;
    const m1 = threadCpu(mainTid);
    const w1 = writerTids.reduce((a, t) => a + threadCpu(t), 0);
    await ex.shutdown();
    rmSync(dir, { recursive: true, force: true });
    const r = { main: (m1 - m0) / total, writer: (w1 - w0) / total, wall: (wall * 1000) / total };
    console.log(
      `pass ${p + 1}: main ${r.main.toFixed(2)} µs/record, writer ${r.writer.toFixed(2)} µs/record (${writerTids.length} new threads), wall ${r.wall.toFixed(2)} µs/record`,
    );
    best = {
      main: Math.min(best.main, r.main),
      writer: Math.min(best.writer, r.writer),
      wall: Math.min(best.wall, r.wall),
    };
  }
  console.log(
    `best: main ${best.main.toFixed(2)} µs/record, writer ${best.writer.toFixed(2)} µs/record, wall ${best.wall.toFixed(2)} µs/record`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(
    process.argv[2] ? Number(process.argv[2]) : undefined,
    process.argv[3] ? Number(process.argv[3]) : undefined,
  );
}
