// Conservation under faults (issue #10, item 8): the real collector process,
// fed by the official OTel exporters with a seeded random mix of audit, job
// and HTTP request records (with and without `collection`), writing to
// msgpack_audit, sqlite, redis (a second pipeline) and file at once. Under
// each fault, per sink: every acknowledged id is stored, none twice, nothing
// refused is stored, the files stay readable, and the collector's RSS stays
// under its memory bound plus a fixed allowance. The seed is printed with
// every failure; CONSERVATION_SEED=<n> replays a workload.
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, renameSync, rmSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/collector.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import {
  Collector,
  DEFAULT_MEMORY_LIMIT_MIB,
  freePorts,
  paths,
  sleep,
  tail,
  until,
  untilRefused,
  type CollectorSetup,
} from './harness.js';
import { StatusProxy } from './proxy.js';
import { conserve, readAll, readMsgpack, readSqlite, type Verdict } from './sinks.js';
import { Load, pickSeed, Workload, type Ledger, type LoadOptions } from './workload.js';

/**
 * RSS above the delivery log's memory bound that the process may use: Node, a V8 heap per thread
 * (the CLI runs with a 64 MiB young generation), the exporters' buffers and SQLite's page cache.
 * Measured with the scenario config on 84bff8d: idle 105 MiB (workers 0) and 169 MiB (workers 2),
 * ~5k records/s without a backlog 155 / 268 MiB; with the delivery core (memory_limit_mib 16,
 * workers 2, overload) peaks of 296-324 MiB. 84bff8d under the same overload: 486 MiB and rising.
 */
const rssAllowanceMib = (workers: number) => 200 + 100 * workers;

interface Scenario {
  seed: number;
  workload: Workload;
  dir: string;
  redis: RedisServer;
  collector: Collector;
  setup: CollectorSetup;
}

const live: {
  collectors: Collector[];
  redis: RedisServer[];
  proxies: StatusProxy[];
  loads: Load[];
  mounts: string[];
  dirs: string[];
} = {
  collectors: [],
  redis: [],
  proxies: [],
  loads: [],
  mounts: [],
  dirs: [],
};

async function cleanupAll(): Promise<void> {
  for (const l of live.loads.splice(0)) await l.stop().catch(() => undefined);
  for (const c of live.collectors.splice(0)) await c.cleanup();
  for (const p of live.proxies.splice(0)) await p.stop();
  for (const r of live.redis.splice(0)) await r.stop();
  for (const m of live.mounts.splice(0)) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      /* already gone */
    }
  }
  if (process.env['CONSERVATION_KEEP'] !== '1')
    for (const d of live.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

async function scenario(
  opts: Omit<CollectorSetup, 'dir' | 'ports' | 'redisPort'> & { redisPersistent?: boolean; dir?: string },
): Promise<Scenario> {
  const seed = pickSeed();
  const dir = opts.dir ?? tempDir('auditline-conservation-');
  live.dirs.push(dir);
  const redis = await startRedis({ persistent: opts.redisPersistent });
  live.redis.push(redis);
  const setup: CollectorSetup = { ...opts, dir, ports: await freePorts(), redisPort: redis.port };
  const collector = new Collector(setup);
  live.collectors.push(collector);
  console.log(`[conservation] seed ${seed} dir ${dir} workers ${opts.workers}`);
  await collector.start();
  return { seed, workload: new Workload(seed), dir, redis, collector, setup };
}

function load(s: Scenario, o: Omit<LoadOptions, 'ports'>): Load {
  const l = new Load(s.workload, { ports: s.setup.ports, ...o }).start();
  live.loads.push(l);
  return l;
}

async function stopLoad(l: Load): Promise<Ledger> {
  const ledger = await l.stop();
  live.loads.splice(live.loads.indexOf(l), 1);
  return ledger;
}

function sinkPaths(s: Scenario) {
  const p = paths(s.setup);
  return { auditDir: p.auditDir, sqlite: p.sqlite, file: s.setup.file ? p.file : undefined, redisPort: s.redis.port };
}

/** Polls the sinks until every acknowledged id is in each of them (bounded); returns the last reads. */
async function untilDelivered(s: Scenario, ledger: Ledger, timeoutMs: number): Promise<boolean> {
  return until(
    async () => {
      try {
        // redis.hash is left out: a hash overwritten by another record does not come back by waiting.
        const reads = (await readAll(sinkPaths(s))).filter((r) => r.sink !== 'redis.hash');
        return reads.every((r) => {
          const have = new Set(r.ids);
          for (const id of ledger.acked) if (!have.has(id)) return false;
          return true;
        });
      } catch {
        return false; // a sink not readable yet (redis restarting, database locked)
      }
    },
    timeoutMs,
    1000,
  );
}

/** Reads every sink, checks conservation and the RSS bound, prints a compact summary, and asserts. */
async function verify(
  s: Scenario,
  ledger: Ledger,
  extra: string[] = [],
  opts: { expectAcked?: boolean } = {},
): Promise<Verdict[]> {
  const reads = await readAll(sinkPaths(s));
  const verdicts = reads.map((r) => conserve(r, ledger));
  const allowance = rssAllowanceMib(s.setup.workers);
  const bound = (s.setup.memoryLimitMib ?? DEFAULT_MEMORY_LIMIT_MIB) + allowance;
  const c = ledger.counts();
  const { unknown, refused } = ledger.failed();
  const lines = [
    `seed ${s.seed} (CONSERVATION_SEED=${s.seed}); exports ${c.exports}: records acked ${c.acked}, failed ${c.failed} (unknown outcome ${unknown.size}, refused ${refused.size}), pending ${c.pending}`,
    ...verdicts.map((v) => `  ${v.summary}`),
    `  peak RSS ${s.collector.peakRssMib.toFixed(0)} MiB (bound ${bound} = ${s.setup.memoryLimitMib ?? DEFAULT_MEMORY_LIMIT_MIB} + ${allowance})`,
    ...extra.map((e) => `  ${e}`),
  ];
  console.log(lines.join('\n'));
  const problems = verdicts.flatMap((v) => v.problems.map((p) => `${v.sink}: ${p}`));
  if (s.collector.peakRssMib > bound)
    problems.push(`collector RSS peaked at ${s.collector.peakRssMib.toFixed(0)} MiB, over ${bound} MiB`);
  if (opts.expectAcked !== false)
    expect(ledger.acked.size, `no record was acknowledged; ${lines[0]}\n${tail(s.collector.output())}`).toBeGreaterThan(
      0,
    );
  expect(problems, `${lines.join('\n')}\ncollector output (tail):\n${tail(s.collector.output())}`).toEqual([]);
  return verdicts;
}

/** A short sentence for a failed expectation: seed, ledger, collector output. */
function context(s: Scenario, ledger?: Ledger): string {
  const c = ledger?.counts();
  return `seed ${s.seed}${c ? `, acked ${c.acked}, failed ${c.failed}` : ''}\ncollector output (tail):\n${tail(s.collector.output())}`;
}

describe.sequential('delivery conservation (collector process, all sinks, faults)', () => {
  afterEach(cleanupAll, 60_000);
  afterAll(cleanupAll, 60_000);

  for (const workers of [0, 2] as const) {
    it(`SIGTERM under load (workers ${workers}): intake stops on every connection, the backlog drains, every acknowledged record is stored once in every sink`, async () => {
      const s = await scenario({ workers, file: workers === 0 });
      const l = load(s, {
        lanes: { proto: 2, json: 1, grpc: 1 },
        batch: [20, 300],
        timeoutMillis: 3000,
        maxRecords: 150_000,
      });
      await l.untilAcked(40_000, 15_000);
      s.collector.signal('SIGTERM');
      l.ledger.mark();
      // Once a fresh connection is refused on both ports, intake is over: nothing started later may be acknowledged.
      const closedHttp = await untilRefused(s.setup.ports.http, 20_000);
      const closedGrpc = await untilRefused(s.setup.ports.grpc, 20_000);
      const closedPhase = l.ledger.mark();
      const exit = await s.collector.waitExit(60_000);
      const ledger = await stopLoad(l);
      const late = ledger.exports.filter((e) => e.phase >= closedPhase && e.state === 'acked');
      await verify(s, ledger, [
        `exit ${exit.code ?? exit.signal}; exports started after intake closed and still acknowledged: ${late.length}`,
      ]);
      expect(
        closedHttp && closedGrpc,
        `the listeners still accepted connections 20 s after SIGTERM; ${context(s, ledger)}`,
      ).toBe(true);
      expect(
        late.map((e) => e.ids.length).reduce((a, b) => a + b, 0),
        `records acknowledged after intake closed; ${context(s, ledger)}`,
      ).toBe(0);
      expect(exit.code, context(s, ledger)).toBe(0);
    }, 120_000);
  }

  for (const workers of [0, 2] as const) {
    it(`kill -9 in durable mode (workers ${workers}), then restart: every record acknowledged before the kill is stored exactly once after the drain`, async () => {
      const s = await scenario({ workers, file: workers === 0, durable: true });
      const l = load(s, {
        lanes: { proto: 2, json: 1, grpc: 1 },
        batch: [20, 300],
        timeoutMillis: 2000,
        maxRecords: 150_000,
      });
      await l.untilAcked(30_000, 15_000);
      s.collector.signal('SIGKILL');
      await s.collector.waitExit(10_000);
      // Every export in flight at the kill fails before the restart, so no retry reaches the new process.
      const ledger = await stopLoad(l);
      await s.collector.start();
      const drained = await untilDelivered(s, ledger, 60_000);
      const exit = await s.collector.stop('SIGTERM');
      await verify(s, ledger, [`drained after restart: ${drained}; exit ${exit.code ?? exit.signal}`]);
      expect(exit.code, context(s, ledger)).toBe(0);
    }, 150_000);
  }

  it('redis down for 30 s: the other sinks keep up under load; SIGTERM halfway waits for redis instead of dropping; once it is back nothing is lost or doubled', async () => {
    const outageMs = Number(process.env['CONSERVATION_OUTAGE_MS'] ?? 30_000);
    const s = await scenario({ workers: 0, file: true, redisPersistent: true });
    const l = load(s, { lanes: { proto: 1, json: 1, grpc: 1 }, batch: [10, 60], pauseMs: 50, timeoutMillis: 5000 });
    await l.untilAcked(2_000, 15_000);
    await s.redis.kill('SIGKILL');
    const downAt = Date.now();
    await sleep(outageMs / 3);
    // The other pipeline does not wait for redis: what was acknowledged by now reaches msgpack and sqlite while redis is down.
    const snapshot = new Set(l.ledger.acked);
    const othersKeptUp = await until(
      async () => {
        const [m, q] = [await readMsgpack(paths(s.setup).auditDir), readSqlite(paths(s.setup).sqlite)];
        const hm = new Set(m.ids),
          hq = new Set(q.ids);
        for (const id of snapshot) if (!hm.has(id) || !hq.has(id)) return false;
        return true;
      },
      Math.max(1000, outageMs / 2 - (Date.now() - downAt)),
      1000,
    );
    const ledger = await stopLoad(l);
    // SIGTERM with redis still down for the second half of the outage (longer than the old 10 s drain):
    // the drain may take up to max_elapsed_time (600 s here), so the records wait for redis.
    s.collector.signal('SIGTERM');
    await sleep(Math.max(0, outageMs - (Date.now() - downAt)));
    const waited = s.collector.alive();
    await s.redis.restart();
    const exit = await s.collector.waitExit(90_000);
    await verify(s, ledger, [
      `outage ${outageMs} ms; msgpack and sqlite kept up during it: ${othersKeptUp}; still draining when redis came back: ${waited}; exit ${exit.code ?? exit.signal}`,
    ]);
    expect(
      othersKeptUp,
      `msgpack_audit and sqlite did not receive records acknowledged during the redis outage; ${context(s, ledger)}`,
    ).toBe(true);
    expect(
      waited,
      `the collector exited during the redis outage after SIGTERM instead of draining; ${context(s, ledger)}`,
    ).toBe(true);
    expect(exit.code, context(s, ledger)).toBe(0);
  }, 180_000);

  it('sqlite locked longer than the export timeout (and longer than busy_timeout): no duplicate rows, nothing lost', async () => {
    const s = await scenario({ workers: 0, file: true, timeouts: { sqlite: '1s' } });
    const l = load(s, { lanes: { proto: 1, json: 1, grpc: 1 }, batch: [20, 120], pauseMs: 20, timeoutMillis: 5000 });
    await l.untilAcked(3_000, 15_000);
    const db = new Database(paths(s.setup).sqlite);
    try {
      db.pragma('busy_timeout = 20000');
      // 3 s: the write outlives the 1 s export timeout but not busy_timeout (5 s), so it commits late.
      db.exec('BEGIN EXCLUSIVE');
      await sleep(3_000);
      db.exec('COMMIT');
      await sleep(2_000);
      // 7 s: the write fails as busy and is retried.
      db.exec('BEGIN EXCLUSIVE');
      await sleep(7_000);
      db.exec('COMMIT');
    } finally {
      db.close();
    }
    await sleep(2_000);
    const ledger = await stopLoad(l);
    const drained = await untilDelivered(s, ledger, 60_000);
    const exit = await s.collector.stop('SIGTERM');
    await verify(s, ledger, [`drained: ${drained}; exit ${exit.code ?? exit.signal}`]);
    expect(exit.code, context(s, ledger)).toBe(0);
  }, 150_000);

  const tmpfsProblem = probeTmpfs();
  it.skipIf(tmpfsProblem !== null)(
    `disk full, then freed: the audit files stay readable by Python msgpack, the JSON lines whole, and every acknowledged record is in them once${tmpfsProblem ? ` (skipped: ${tmpfsProblem})` : ''}`,
    async () => {
      const dir = tempDir('auditline-conservation-');
      const mnt = join(dir, 'small');
      mkdirSync(mnt);
      // Big enough for the whole run once freed (JSON lines ~400 B, msgpack ~250 B per record).
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt]);
      live.mounts.push(mnt);
      const s = await scenario({
        dir,
        workers: 0,
        file: true,
        auditDir: join(mnt, 'audit'),
        filePath: join(mnt, 'file', 'out.jsonl'),
      });
      // Leave 128 KiB free, so the sinks on the tmpfs hit ENOSPC mid-batch within a second.
      const filler = join(mnt, 'filler');
      const free = () => {
        const f = statfsSync(mnt);
        return f.bavail * f.bsize;
      };
      writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 128 * 1024)));
      const l = load(s, {
        lanes: { proto: 1, json: 1, grpc: 1 },
        batch: [10, 40],
        pauseMs: 50,
        timeoutMillis: 5000,
        maxRecords: 30_000,
      });
      // Full: less than half of the 128 KiB left (a whole batch no longer fits), or a write already failed.
      const filled = await until(() => free() < 64 * 1024 || s.collector.output().includes('ENOSPC'), 15_000, 100);
      await sleep(3_000);
      unlinkSync(filler);
      await sleep(2_000);
      const ledger = await stopLoad(l);
      const drained = await untilDelivered(s, ledger, 60_000);
      const usage = `tmpfs ${(((statfsSync(mnt).blocks - statfsSync(mnt).bfree) * statfsSync(mnt).bsize) / 2 ** 20).toFixed(1)} MiB used at the end`;
      const exit = await s.collector.stop('SIGTERM');
      await verify(s, ledger, [
        `tmpfs filled: ${filled}; drained: ${drained}; ${usage}; exit ${exit.code ?? exit.signal}`,
      ]);
      expect(filled, `the tmpfs never filled up, so ENOSPC was not exercised; ${context(s, ledger)}`).toBe(true);
      expect(exit.code, context(s, ledger)).toBe(0);
    },
    150_000,
  );

  it('overload with the official exporters retrying: 503 + Retry-After at the bound, no duplicate, every acknowledged record stored, RSS within the bound', async () => {
    const s = await scenario({ workers: 2, memoryLimitMib: 16 });
    const proxy = await new StatusProxy(s.setup.ports.http).start();
    live.proxies.push(proxy);
    const l = load(s, {
      httpUrl: `http://127.0.0.1:${proxy.port}`,
      lanes: { proto: 4, json: 2, grpc: 2 },
      batch: [200, 500],
      timeoutMillis: 10_000,
      maxRecords: 400_000,
    });
    const sawRefusal = () =>
      proxy.attempts.some((a) => (a.status === 503 || a.status === 429) && a.retryAfter !== undefined);
    const refusedSeen = await until(sawRefusal, 30_000, 200);
    await sleep(5_000);
    const ledger = await stopLoad(l);
    proxy.classify(ledger);
    const drained = await untilDelivered(s, ledger, 90_000);
    const exit = await s.collector.stop('SIGTERM');
    await verify(s, ledger, [
      `proxy saw ${JSON.stringify(proxy.statusCounts())}; drained: ${drained}; exit ${exit.code ?? exit.signal}`,
    ]);
    expect(refusedSeen, `no 503/429 with Retry-After in 30 s of overload; ${context(s, ledger)}`).toBe(true);
    expect(exit.code, context(s, ledger)).toBe(0);
  }, 180_000);

  it('a request one pipeline refuses is stored by no pipeline, however often the official exporters retry it', async () => {
    const s = await scenario({ workers: 0, file: true, refuseRequests: true });
    const proxy = await new StatusProxy(s.setup.ports.http).start();
    live.proxies.push(proxy);
    const l = load(s, {
      httpUrl: `http://127.0.0.1:${proxy.port}`,
      lanes: { proto: 2, json: 1 },
      batch: [20, 100],
      timeoutMillis: 7_000,
      maxRecords: 3_000,
    });
    await until(() => l.ledger.counts().failed >= 300, 30_000, 200);
    const ledger = await stopLoad(l);
    proxy.classify(ledger);
    await sleep(1_000);
    const exit = await s.collector.stop('SIGTERM');
    const { refused, unknown } = ledger.failed();
    await verify(s, ledger, [`proxy saw ${JSON.stringify(proxy.statusCounts())}; exit ${exit.code ?? exit.signal}`], {
      expectAcked: false,
    });
    expect(
      ledger.acked.size,
      `acknowledged although the redis pipeline refuses everything; ${context(s, ledger)}`,
    ).toBe(0);
    expect(refused.size, `no request was seen refused on every attempt; ${context(s, ledger)}`).toBeGreaterThan(0);
    expect(unknown.size, context(s, ledger)).toBe(0);
    expect(exit.code, context(s, ledger)).toBe(0);
  }, 90_000);

  it('audit file moved and another deleted during load (logrotate style): later entries land in a new file at the path; the files together hold every acknowledged record once', async () => {
    const s = await scenario({ workers: 0, file: true });
    const p = paths(s.setup);
    const l = load(s, { lanes: { proto: 1, json: 1, grpc: 1 }, batch: [10, 80], pauseMs: 20, timeoutMillis: 5000 });
    const alpha = join(p.auditDir, 'alpha', 'audit.log');
    const beta = join(p.auditDir, 'beta', 'audit.log');
    const ready = await until(
      () => existsSync(alpha) && existsSync(beta) && existsSync(p.file) && l.ledger.acked.size > 2_000,
      20_000,
    );
    expect(ready, `the audit files did not appear; ${context(s)}`).toBe(true);
    renameSync(alpha, `${alpha}.1`);
    renameSync(p.file, `${p.file}.1`);
    // A deleted file's bytes are gone for the reader; a hard link keeps them so the union can be checked.
    linkSync(beta, `${beta}.deleted`);
    unlinkSync(beta);
    l.ledger.mark();
    const recreated = await until(
      async () => {
        if (!existsSync(alpha) || !existsSync(beta) || !existsSync(p.file)) return false;
        const m = await readMsgpack(join(p.auditDir, 'alpha'));
        return m.files.some((f) => f.path === alpha && f.entries > 0);
      },
      20_000,
      500,
    );
    const ledger = await stopLoad(l);
    const drained = await untilDelivered(s, ledger, 60_000);
    const exit = await s.collector.stop('SIGTERM');
    await verify(s, ledger, [
      `new files at the moved/deleted paths: ${recreated}; drained: ${drained}; exit ${exit.code ?? exit.signal}`,
    ]);
    expect(
      recreated,
      `no new file at ${alpha}, ${beta} and ${p.file} 20 s after they were moved/deleted: the collector kept writing to the old inodes; ${context(s, ledger)}`,
    ).toBe(true);
    expect(exit.code, context(s, ledger)).toBe(0);
  }, 150_000);

  it('SIGHUP: the collector keeps running and reopens its output files, and loses nothing', async () => {
    const s = await scenario({ workers: 0, file: true });
    const p = paths(s.setup);
    const l = load(s, { lanes: { proto: 1, json: 1, grpc: 1 }, batch: [10, 80], pauseMs: 20, timeoutMillis: 5000 });
    const alpha = join(p.auditDir, 'alpha', 'audit.log');
    await until(() => existsSync(alpha) && existsSync(p.file) && l.ledger.acked.size > 2_000, 20_000);
    renameSync(alpha, `${alpha}.1`);
    renameSync(p.file, `${p.file}.1`);
    s.collector.signal('SIGHUP');
    const hupPhase = l.ledger.mark();
    // Still serving: exports started after the SIGHUP are acknowledged.
    const served = await until(
      () => l.ledger.exports.filter((e) => e.phase >= hupPhase && e.state === 'acked').length >= 20,
      20_000,
      100,
    );
    const reopened = await until(() => existsSync(alpha) && existsSync(p.file), 10_000);
    const ledger = await stopLoad(l);
    const aliveAfter = s.collector.alive();
    const drained = aliveAfter ? await untilDelivered(s, ledger, 60_000) : false;
    const exit = aliveAfter ? await s.collector.stop('SIGTERM') : await s.collector.waitExit(1_000);
    await verify(s, ledger, [
      `alive after SIGHUP: ${aliveAfter}; served after it: ${served}; reopened: ${reopened}; drained: ${drained}; exit ${exit.code ?? exit.signal}`,
    ]);
    expect(
      aliveAfter,
      `the collector exited on SIGHUP (code ${exit.code}, signal ${exit.signal}); ${context(s, ledger)}`,
    ).toBe(true);
    expect(served, context(s, ledger)).toBe(true);
    expect(reopened, `no new file at ${alpha} / ${p.file} after SIGHUP; ${context(s, ledger)}`).toBe(true);
    expect(exit.code, context(s, ledger)).toBe(0);
  }, 120_000);
});

/** Null when a small tmpfs can be mounted here (root, mount(8)); else why not. */
function probeTmpfs(): string | null {
  const d = join(tmpdir(), `auditline-tmpfs-probe-${process.pid}`);
  try {
    mkdirSync(d, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', d], { stdio: 'pipe' });
    execFileSync('umount', [d], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `cannot mount a tmpfs: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}
