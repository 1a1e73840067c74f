// Redis exporter: records/s indexed straight through the exporter (every
// index on, one local redis-server, no persistence), then p50/p99 of
// GET /logs/ip/{ip} through the query API over the stored requests
// (one million by default). Prints figures; asserts nothing.
//
//   npm run build && node dist/bench/redis-index.js [records] [concurrency]
//
// Starts its own redis-server on a free port (or uses AUDITLINE_BENCH_REDIS_URL,
// whose exporter keys it clears first). Loading a million requests takes a
// few minutes on a small machine; Redis needs about 1.7 GB for them (345 MB per 200,000 measured).
//
// Measured on the development machine (2 shared vCPUs, load average 3–5 from
// other work, Redis 7.0, Node 20), 1,000,000 requests:
//   indexed at 9,137 records/s; CPU per record: Node 49.9 µs (record building
//   included), redis-server 48.2 µs (about half of it sorted-set inserts)
//   GET /logs/ip/{ip} (100 newest): p50 2.70 ms, p99 7.01 ms
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyValue } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { Redis } from 'ioredis';
import { RedisExporter } from '../exporters/redis/exporter.js';
import { QueryApiServer } from '../src/extensions/query-api/server.js';
import { LogRecordData } from '../src/model/log-record.js';
import { redisCpuSeconds } from './redis-info.js';

const TOKEN = 'bench-token';
const IPS = 10_000;
const USERS = 1000;
const SESSIONS = 50_000;
const HOSTS = 10;
const ROUTES = [
  '/api/users/{id}',
  '/api/orders/{id}',
  '/api/items',
  '/health',
  '/login',
  '/api/search',
  '/static/app.js',
  '/api/cart',
];
const BATCH = 8192;
const HOUR = 3_600_000;

const resource = resourceFromAttributes({ 'service.name': 'edge-proxy', 'host.name': 'edge-1' });
const scope = { name: 'proxy.access' };

function ipOf(i: number): string {
  const n = (i * 2654435761) % IPS;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** One proxy access record in OTel semantic conventions, the shape examples/reverse-proxy emits. */
function makeRecord(i: number, ms: number): LogRecordData {
  const r = new LogRecordData(resource, scope);
  r.hrTime = [Math.floor(ms / 1000), (ms % 1000) * 1e6 + (i % 1000) * 1000];
  r.hrTimeObserved = r.hrTime;
  r.severityNumber = 9;
  const route = ROUTES[i % ROUTES.length]!;
  const path = route.replace('{id}', String(i % 5000));
  const status = i % 20 === 0 ? 500 : i % 13 === 0 ? 404 : 200;
  const a: Record<string, AnyValue> = {
    'client.address': ipOf(i),
    'server.address': `api${i % HOSTS}.example.com`,
    'http.request.method': i % 7 === 0 ? 'POST' : 'GET',
    'url.path': path,
    'http.route': route,
    'http.response.status_code': status,
    'http.server.request.duration': i % 100 === 0 ? 1.2 : 0.005 + (i % 50) / 1000,
    'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
    'http.response.body.size': 200 + (i % 4000),
    'session.id': `s-${i % SESSIONS}`,
  };
  if (i % 3 === 0) a['user.id'] = `user-${i % USERS}`;
  r.attributes = a;
  return r;
}

function exportBatch(e: RedisExporter, records: LogRecordData[]): Promise<void> {
  return new Promise((resolve, reject) => e.export(records, (res) => (res.code === 0 ? resolve() : reject(res.error))));
}

async function load(e: RedisExporter, total: number, concurrency: number): Promise<number> {
  const start = Date.now() - 20 * HOUR;
  const step = (20 * HOUR) / total;
  const inflight = new Set<Promise<void>>();
  const t0 = performance.now();
  let last = t0;
  for (let i = 0; i < total; i += BATCH) {
    const batch: LogRecordData[] = [];
    for (let k = i; k < Math.min(total, i + BATCH); k++) batch.push(makeRecord(k, Math.floor(start + k * step)));
    const p: Promise<void> = exportBatch(e, batch).then(() => {
      inflight.delete(p);
    });
    inflight.add(p);
    if (inflight.size >= concurrency) await Promise.race(inflight);
    const now = performance.now();
    if (now - last > 10_000) {
      console.log(
        `  … ${(i + batch.length).toLocaleString('en')} records, ${Math.round((i + batch.length) / ((now - t0) / 1000)).toLocaleString('en')} records/s so far`,
      );
      last = now;
    }
  }
  await Promise.all(inflight);
  return total / ((performance.now() - t0) / 1000);
}

function get(agent: Agent, base: URL, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, path, agent, headers: { authorization: `Bearer ${TOKEN}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject).end();
  });
}

async function latency(
  label: string,
  agent: Agent,
  base: URL,
  path: (i: number) => string,
  n: number,
): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 200; i++) await get(agent, base, path(i + 500_000)); // warm-up
  const times: number[] = [];
  let entries = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await get(agent, base, path(i));
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status} for ${path(i)}`);
    if (i % 100 === 0) entries += (JSON.parse(res.body) as { logs: unknown[] }).logs.length * 100;
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  const out = { p50: q(0.5), p99: q(0.99) };
  console.log(
    `${label.padEnd(44)} p50 ${out.p50.toFixed(2).padStart(6)} ms   p99 ${out.p99.toFixed(2).padStart(6)} ms   (${n} requests, ${Math.round(entries / n)} entries each)`,
  );
  return out;
}

export interface Server {
  url: string;
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<Server> {
  const port = await new Promise<number>((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'auditline-bench-redis-'));
  const proc: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const exited = new Promise((r) => proc.once('exit', r));
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((res) => {
      const c = connect(port, '127.0.0.1', () => {
        c.destroy();
        res(true);
      });
      c.on('error', () => res(false));
    });
    if (ok) break;
    if (i > 200) throw new Error('redis-server did not start.');
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      proc.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisIndexResult {
  recordsPerSecond: number;
  ip: { p50: number; p99: number };
}

export async function run(records = 1_000_000, concurrency = 4): Promise<RedisIndexResult> {
  const external = process.env.AUDITLINE_BENCH_REDIS_URL;
  const server = external ? { url: external, stop: async () => {} } : await startRedisServer();
  const e = new RedisExporter({ endpoint: server.url, cleanup_interval: '0s' });
  const api = QueryApiServer.fromOptions({ endpoint: '127.0.0.1:0', auth: { tokens: [TOKEN] } });
  try {
    await e.start();
    await e.queries().clear();
    console.log(
      `Redis exporter: ${records.toLocaleString('en')} proxy requests, every index on, batches of ${BATCH}, ${concurrency} exports in flight`,
    );
    const info = new Redis(server.url);
    const r0 = await redisCpuSeconds(info);
    const n0 = process.cpuUsage();
    const rate = await load(e, records, concurrency);
    const n1 = process.cpuUsage(n0);
    const r1 = await redisCpuSeconds(info);
    info.disconnect();
    console.log(
      `indexed ${records.toLocaleString('en')} records at ${Math.round(rate).toLocaleString('en')} records/s (exporter → ${server.url})`,
    );
    console.log(
      `CPU per record: Node ${((n1.user + n1.system) / records).toFixed(1)} µs (record building included), redis-server ${(((r1 - r0) * 1e6) / records).toFixed(1)} µs`,
    );
    await api.start();
    e.serveQueries(api);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ip = await latency(
      'GET /logs/ip/{ip} (100 newest)',
      agent,
      new URL(api.url),
      (i) => `/logs/ip/${ipOf((i * 7919) % IPS)}`,
      2000,
    );
    agent.destroy();
    return { recordsPerSecond: rate, ip };
  } finally {
    await api.shutdown();
    await e.shutdown();
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(
    process.argv[2] ? Number(process.argv[2]) : undefined,
    process.argv[3] ? Number(process.argv[3]) : undefined,
  );
}
