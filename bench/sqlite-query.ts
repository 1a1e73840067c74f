// Query latency of the SQLite exporter's routes over HTTP through the query
// API, on a database of one million audit rows (plus job rows) written by the
// exporter itself in large transactions. Prints the write rate while building
// and p50/p99 per query; asserts nothing.
//
//   npm run build && node dist/bench/sqlite-query.js [rows]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SqliteExporter } from '../exporters/sqlite/exporter.js';
import { QueryApiServer } from '../src/extensions/query-api/server.js';
import { LogRecordData } from '../src/model/log-record.js';
import { requestAudit } from './fixtures.js';
import { resourceFromAttributes } from '@opentelemetry/resources';

const TOKEN = 'bench-token';
const SESSIONS = 1000;
const JOBS = 2000;
const JOB_ENTRIES = 100;
const BATCH = 50_000;
const DAY = 86_400_000;

const resource = resourceFromAttributes({ 'service.name': 'bench-api' });
const scope = { name: 'bench' };

function makeRecord(i: number, ms: number, jobId?: string, step?: number): LogRecordData {
  const r = new LogRecordData(resource, scope);
  r.hrTime = [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  r.hrTimeObserved = r.hrTime;
  if (jobId !== undefined) {
    r.severityNumber = 9;
    r.body = `Track ${step}/${JOB_ENTRIES} downloaded`;
    r.attributes = {
      'job.id': jobId,
      'job.progress.current': step!,
      'job.progress.total': JOB_ENTRIES,
      component: 'downloader',
    };
    return r;
  }
  const a = requestAudit(i);
  r.eventName = a.eventName;
  r.severityNumber = a.severityNumber;
  r.body = a.body;
  r.attributes = a.attributes;
  return r;
}

function write(e: SqliteExporter, records: LogRecordData[]): Promise<void> {
  return new Promise((resolve, reject) => e.export(records, (res) => (res.code === 0 ? resolve() : reject(res.error))));
}

async function build(path: string, rows: number): Promise<SqliteExporter> {
  const e = new SqliteExporter({ path });
  await e.start();
  const start = Date.now() - 20 * DAY;
  const step = (20 * DAY) / rows;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < rows; i += BATCH) {
    const batch: LogRecordData[] = [];
    for (let k = i; k < Math.min(rows, i + BATCH); k++) batch.push(makeRecord(k, Math.floor(start + k * step)));
    await write(e, batch);
  }
  const auditSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const t1 = performance.now();
  const jobRows: LogRecordData[] = [];
  for (let j = 0; j < JOBS; j++) {
    for (let s = 1; s <= JOB_ENTRIES; s++)
      jobRows.push(makeRecord(0, Math.floor(start + (j * JOB_ENTRIES + s) * 1000), `job-${j}`, s));
    if (jobRows.length >= BATCH) await write(e, jobRows.splice(0));
  }
  if (jobRows.length) await write(e, jobRows);
  const jobSeconds = (performance.now() - t1) / 1000;
  console.log(
    `built ${rows.toLocaleString('en')} audit rows in ${auditSeconds.toFixed(1)} s (${Math.round(rows / auditSeconds).toLocaleString('en')} rows/s, transactions of ${BATCH.toLocaleString('en')}; ${((cpu.user + cpu.system) / rows).toFixed(1)} µs CPU per row, both threads, record creation included)`,
  );
  console.log(
    `built ${(JOBS * JOB_ENTRIES).toLocaleString('en')} job rows in ${jobSeconds.toFixed(1)} s; file ${(statSync(path).size / 1e6).toFixed(0)} MB`,
  );
  return e;
}

function get(agent: Agent, base: URL, path: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, path, agent, headers: { authorization: `Bearer ${TOKEN}` } },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      },
    );
    req.on('error', reject).end();
  });
}

async function latency(
  label: string,
  agent: Agent,
  base: URL,
  paths: (i: number) => string,
  n: number,
): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 200; i++) await get(agent, base, paths(i + 1_000_000)); // warm-up
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await get(agent, base, paths(i));
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status} for ${paths(i)}`);
    bytes += res.bytes;
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  const out = { p50: p(0.5), p99: p(0.99) };
  console.log(
    `${label.padEnd(52)} p50 ${out.p50.toFixed(2).padStart(6)} ms   p99 ${out.p99.toFixed(2).padStart(6)} ms   (${n} requests, ${Math.round(bytes / n / 1024)} KiB/response)`,
  );
  return out;
}

export async function run(rows = 1_000_000): Promise<Record<string, { p50: number; p99: number }>> {
  const dir = mkdtempSync(join(tmpdir(), 'auditline-bench-sqlite-'));
  const path = join(dir, 'bench.db');
  const api = QueryApiServer.fromOptions({ endpoint: '127.0.0.1:0', auth: { tokens: [TOKEN] } });
  let e: SqliteExporter | undefined;
  try {
    console.log(
      `SQLite query latency over HTTP (${rows.toLocaleString('en')} audit rows, ${SESSIONS} sessions, ${JOBS} jobs × ${JOB_ENTRIES} entries)`,
    );
    e = await build(path, rows);
    await api.start();
    e.serveQueries(api);
    const base = new URL(api.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const pick = (i: number, n: number) => (i * 7919) % n;
    const results = {
      session: await latency(
        'GET /api/logs/audit?session_id=… (100 newest)',
        agent,
        base,
        (i) => `/api/logs/audit?session_id=sess-${pick(i, SESSIONS)}`,
        2000,
      ),
      job: await latency(
        'GET /api/logs/jobs/{id} (100 entries)',
        agent,
        base,
        (i) => `/api/logs/jobs/job-${pick(i, JOBS)}`,
        2000,
      ),
      sessionPage2: await latency(
        'GET /api/logs/audit?session_id=…&limit=20 + cursor',
        agent,
        base,
        (i) =>
          `/api/logs/audit?session_id=sess-${pick(i, SESSIONS)}&limit=20&cursor=${Buffer.from(JSON.stringify(['a', new Date(Date.now() - 10 * DAY).toISOString(), 1e9])).toString('base64url')}`,
        1000,
      ),
      errors: await latency(
        'GET /api/logs/audit?level=ERROR,CRITICAL',
        agent,
        base,
        () => '/api/logs/audit?level=ERROR,CRITICAL',
        500,
      ),
    };
    agent.destroy();
    return results;
  } finally {
    await api.shutdown();
    await e?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(process.argv[2] ? Number(process.argv[2]) : undefined);
}
