// Drives a real collector process with OTLP/HTTP protobuf requests from N
// concurrent keep-alive clients and reports records/s that *reached the
// exporters* (their sent counters, read from the collector's /metrics),
// measured from the first request to the moment the last record landed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { requestAuditRecords } from './fixtures.js';
import { cpuTicks, statFields, USER_HZ } from './proc-cpu.js';

const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'bin/auditline');

/** The node flags in a `#!/usr/bin/env -S node --flag …` line. */
export function shebangFlags(file: string): string[] {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0]!;
  const words = first.split(' ').filter(Boolean);
  const at = words.indexOf('node');
  return at >= 0 ? words.slice(at + 1) : [];
}

export interface LoadOptions {
  /** YAML for `exporters:` entries (indented two spaces); `{{dir}}` is the temp dir. */
  exportersYaml: string;
  exporterIds: string[];
  processors?: string[];
  totalRecords: number;
  clients?: number;
  recordsPerRequest?: number;
  /** `service.workers`: pipeline worker threads (default 0: pipelines on the main thread). */
  workers?: number;
  /** Durable delivery logs (file_storage in the temp dir); `fsync` adds group-committed fsync. */
  durable?: { fsync: boolean };
}

export interface LoadResult {
  recordsPerSecond: number;
  delivered: number;
  accepted: number;
  refusedRequests: number;
  seconds: number;
  /** CPU time the collector process used per delivered record over the measured span (Linux only). */
  collectorCpuMicros?: number;
  dir: string;
  cleanup(): void;
}

export async function runCollectorLoad(o: LoadOptions): Promise<LoadResult> {
  const clients = o.clients ?? 8;
  const perRequest = o.recordsPerRequest ?? 512;
  const dir = mkdtempSync(join(tmpdir(), 'auditline-bench-'));
  const [otlpPort, apiPort] = [await freePort(), await freePort()];
  const processors = o.processors ?? ['redaction', 'batch'];
  writeFileSync(
    join(dir, 'collector.yaml'),
    `
receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${otlpPort}" }
processors:
  redaction: {}
  batch: { timeout: 200ms }
exporters:
${o.exportersYaml.replaceAll('{{dir}}', dir)}
extensions:
  query_api:
    endpoint: "127.0.0.1:${apiPort}"
    auth: { tokens: ["bench-token"] }
${o.durable ? `  file_storage: { directory: "${dir}/queue", fsync: ${o.durable.fsync} }` : ''}
service:
  workers: ${o.workers ?? 0}
  extensions: [query_api${o.durable ? ', file_storage' : ''}]
${o.durable ? '  delivery: { storage: file_storage }' : ''}
  telemetry: { logs: { level: warn } }
  pipelines:
    logs:
      receivers: [otlp]
      processors: [${processors.join(', ')}]
      exporters: [${o.exporterIds.join(', ')}]
`,
  );
  // Node runs with the flags of bin/auditline's shebang, as when a user runs the command;
  // BENCH_NODE_ARGS (e.g. "--cpu-prof") adds flags, for profiling.
  const nodeArgs = [...shebangFlags(CLI), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const proc = spawn(process.execPath, [...nodeArgs, CLI, '--config', join(dir, 'collector.yaml')], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (c) => {
    err += c;
  });
  await waitFor(async () => (await metricsUp(apiPort)) || proc.exitCode !== null, 20_000);
  if (proc.exitCode !== null) throw new Error(`Collector failed to start:\n${err}`);

  // Every request pre-encoded before the clock starts, so encoding stays out of the
  // measurement; all records distinct, so idempotent exporters do not collapse repeats.
  const requests = Math.ceil(o.totalRecords / perRequest);
  const bodies = Array.from({ length: requests }, (_, k) =>
    Buffer.from(ProtobufLogsSerializer.serializeRequest(requestAuditRecords(k * perRequest, perRequest))!),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  let next = 0;
  let accepted = 0;
  let refused = 0;
  const cpu0 = processCpuSeconds(proc.pid!);
  const threads0 = threadTicks(proc.pid!);
  const loadCpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < requests) {
        const body = bodies[next++ % bodies.length]!;
        for (;;) {
          const status = await post(agent, otlpPort, body);
          if (status === 200) {
            accepted += perRequest;
            break;
          }
          refused++;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }),
  );
  let delivered = 0;
  await waitFor(
    async () => {
      const counts = await Promise.all(
        o.exporterIds.map((id) => metric(apiPort, 'otelcol_exporter_sent_log_records_total', id)),
      );
      delivered = Math.min(...counts.map((c) => c ?? 0));
      return delivered >= accepted;
    },
    300_000,
    10,
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = processCpuSeconds(proc.pid!);
  if (process.env.BENCH_THREADS) {
    printThreadCpu(String(proc.pid), threads0, threadTicks(proc.pid!), delivered);
    const load = process.cpuUsage(loadCpu0);
    console.log(`  load generator (this process) ${((load.user + load.system) / delivered).toFixed(2)} µs/record`);
  }
  agent.destroy();
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  return {
    recordsPerSecond: delivered / seconds,
    delivered,
    accepted,
    refusedRequests: refused,
    seconds,
    dir,
    collectorCpuMicros: cpu0 !== undefined && cpu1 !== undefined ? ((cpu1 - cpu0) * 1e6) / delivered : undefined,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** User + system CPU seconds of a process (all its threads); undefined where /proc is not available. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    return cpuTicks(statFields(`/proc/${pid}/stat`)) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** Each thread's name and CPU ticks (Linux /proc/PID/task). */
function threadTicks(pid: number): Map<string, { name: string; ticks: number }> {
  const out = new Map<string, { name: string; ticks: number }>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.set(tid, { name, ticks: cpuTicks(statFields(`/proc/${pid}/task/${tid}/stat`)) });
    }
  } catch {
    /* not Linux, or the process ended */
  }
  return out;
}

/** BENCH_THREADS=1: where the collector's CPU went, per thread name, in µs per delivered record. */
function printThreadCpu(
  main: string,
  before: Map<string, { ticks: number }>,
  after: Map<string, { name: string; ticks: number }>,
  records: number,
): void {
  // Node names no thread: the main thread is the one whose id is the process's, the rest go by busiest.
  const parts = [...after]
    .map(([tid, t]) => [tid === main ? 'main' : tid, t.ticks - (before.get(tid)?.ticks ?? 0)] as const)
    .filter(([, ticks]) => ticks > 0)
    .sort((a, b) => b[1] - a[1]);
  console.log(
    `  per thread (µs/record): ${parts.map(([name, ticks]) => `${name} ${(((ticks / USER_HZ) * 1e6) / records).toFixed(2)}`).join(', ')}`,
  );
}

function post(agent: Agent, port: number, body: Buffer): Promise<number> {
  return new Promise((resolvePost, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/logs',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolvePost(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function metricsUp(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer bench-token' } })).ok;
  } catch {
    return false;
  }
}

async function metric(port: number, name: string, exporter?: string): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer bench-token' } });
    const text = await res.text();
    let total: number | undefined;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      if (exporter && !line.includes(`exporter="${exporter}"`)) continue;
      total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  } catch {
    return undefined;
  }
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('Timed out waiting for the collector.');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}
