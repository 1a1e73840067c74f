// At-most-once delivery into one real redis-server: a batch of a delivery log
// (a span) lands in one transaction with its log position, and an attempt at
// a span the position already covers writes nothing, whatever got lost on the
// way (a reply, a connection, the process). Entry keys never collide: a
// request whose `req:` key is taken gets the next `:{n}`.
import { connect } from 'node:net';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LogSpan } from '../../../src/exporterhelper/push-exporter.js';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { exportAll, request } from './fixtures.js';
import { EXEC, MULTI, Relay } from './relay.js';

const HOUR_START = Date.UTC(2031, 5, 1, 8, 0, 0);
const HOUR = '20310601:08';
const SEC = HOUR_START / 1000;

let redis: RedisServer;
const open: RedisExporter[] = [];

beforeAll(async () => {
  redis = await startRedis({ args: ['--enable-debug-command', 'yes'] });
});
afterAll(async () => {
  await redis.stop();
});
beforeEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.shutdown()));
  await redis.cli('flushall');
});

function exporter(
  opts: Record<string, unknown> = {},
  ctx: { id?: string; commandTimeout?: number } = {},
): RedisExporter {
  const e = new RedisExporter({ endpoint: redis.url, cleanup_interval: '0s', ...opts }, ctx);
  open.push(e);
  return e;
}

function sendSpan(e: RedisExporter, records: ReadableLogRecord[], span: LogSpan): Promise<void> {
  return new Promise((resolve, reject) =>
    e.exportPrepared(records, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed'))), span),
  );
}

/** Retries like the delivery cursor does, until the span is acknowledged. */
async function untilSent(e: RedisExporter, records: ReadableLogRecord[], span: LogSpan): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await sendSpan(e, records, span);
    } catch (err) {
      if (i === 50) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Requests i = from … to-1: one a second, ten addresses, every seventh a 500. */
function requests(from: number, to: number): ReadableLogRecord[] {
  return Array.from({ length: to - from }, (_, j) => {
    const i = from + j;
    return request({
      time: HOUR_START + i * 1000,
      ip: `10.1.0.${i % 10}`,
      status: i % 7 === 0 ? 500 : 200,
      path: `/r/${i}`,
    });
  });
}

/** Everything a batch adds to, counted: counters, HyperLogLog, stream, hashes and indexes. */
async function state(): Promise<Record<string, string>> {
  const c = (...a: string[]) => redis.cli(...a);
  return {
    requests: await c('hgetall', `stats:requests:${HOUR}`),
    errors: await c('hgetall', `stats:errors:${HOUR}`),
    visitors: await c('pfcount', `stats:unique_ips:api.example.com:${HOUR}`),
    stream: await c('xlen', 'stream:requests'),
    hashes: await c('eval', "return #redis.call('keys', 'req:*')", '0'),
    byMethod: await c('zcard', 'idx:req:method:GET'),
    byStatus: await c('zcard', 'idx:req:status:200'),
    errorsIdx: await c('zcard', 'idx:req:errors'),
    byLevel: await c('zcard', 'idx:log:level:INFO'),
    responseTimes: await c('zcard', 'stats:response_times:api.example.com'),
  };
}

describe('redis exporter – a span is applied at most once', () => {
  it('changes nothing when the same span is sent again, by this exporter or a fresh one', async () => {
    const e = exporter();
    const batch = requests(0, 500);
    await sendSpan(e, batch, { log: 'logs', first: 0, end: 500 });
    const once = await state();
    expect(once.stream).toBe('500');
    expect(once.hashes).toBe('500');
    await sendSpan(e, batch, { log: 'logs', first: 0, end: 500 });
    await sendSpan(exporter(), batch, { log: 'logs', first: 0, end: 500 });
    expect(await state()).toEqual(once);
    expect(await redis.cli('get', 'auditline:pos:redis:logs')).toBe('500');
  });

  it('adds nothing for a replay cut into other batches, and only the new records of a span reaching past the position', async () => {
    const all = requests(0, 900);
    await sendSpan(exporter(), all.slice(0, 600), { log: 'logs', first: 0, end: 600 });
    const at600 = await state();
    // After a restart the log is read again from an older committed position, in other batch sizes.
    const e = exporter();
    await sendSpan(e, all.slice(0, 250), { log: 'logs', first: 0, end: 250 });
    await sendSpan(e, all.slice(250, 600), { log: 'logs', first: 250, end: 600 });
    expect(await state()).toEqual(at600);
    await sendSpan(e, all.slice(400, 900), { log: 'logs', first: 400, end: 900 });
    const s = await state();
    expect(s.stream).toBe('900');
    expect(s.hashes).toBe('900');
    expect(s.requests).toContain('total\n900');
    expect(await redis.cli('get', 'auditline:pos:redis:logs')).toBe('900');
  });

  it('stores two identical requests sent in two batches twice: they are two records', async () => {
    const e = exporter();
    const same = () => [request({ time: HOUR_START, ip: '10.2.0.1', path: '/same' })];
    await sendSpan(e, same(), { log: 'logs', first: 0, end: 1 });
    await sendSpan(e, same(), { log: 'logs', first: 1, end: 2 });
    const s = await state();
    expect(s.stream).toBe('2');
    expect(s.requests).toContain('total\n2');
    expect((await redis.cli('zrange', 'idx:req:ip:10.2.0.1', '0', '-1')).split('\n').sort()).toEqual([
      `req:${SEC}.000000:10.2.0.1`,
      `req:${SEC}.000000:10.2.0.1:2`,
    ]);
  });

  it('tracks positions per log and per exporter, readable by a fresh exporter', async () => {
    await sendSpan(exporter(), requests(0, 300), { log: 'logs', first: 0, end: 300 });
    await sendSpan(exporter(), requests(300, 420), { log: 'logs#w1', first: 0, end: 120 });
    await sendSpan(exporter({}, { id: 'redis/b' }), requests(420, 430), { log: 'logs', first: 0, end: 10 });
    const fresh = exporter();
    expect(await fresh.appliedPosition('logs')).toBe(300);
    expect(await fresh.appliedPosition('logs#w1')).toBe(120);
    expect(await fresh.appliedPosition('other')).toBe(0);
    expect(await exporter({}, { id: 'redis/b' }).appliedPosition('logs')).toBe(10);
  });

  it('refuses to answer a position while Redis cannot be reached, rather than answer 0', async () => {
    const e = new RedisExporter({ endpoint: 'redis://127.0.0.1:1', connect_timeout: '200ms' });
    open.push(e);
    await expect(e.appliedPosition('logs')).rejects.toThrow(/position in log "logs"/);
  });
});

describe('redis exporter – retries after a lost reply or a lost connection', () => {
  let relay: Relay;
  beforeEach(async () => {
    relay = await Relay.start(redis.port);
  });
  afterEach(async () => {
    await relay.stop();
  });

  it('writes nothing on the retry when Redis applied the batch but its reply never came back', async () => {
    const e = exporter({ endpoint: relay.url }, { commandTimeout: 300 });
    const batch = requests(0, 400);
    relay.muteRepliesAfter(EXEC);
    await expect(sendSpan(e, batch, { log: 'logs', first: 0, end: 400 })).rejects.toThrow(/did not answer/);
    expect(relay.fired).toBe(true);
    const applied = await state();
    expect(applied.stream).toBe('400');
    await sendSpan(e, batch, { log: 'logs', first: 0, end: 400 });
    expect(await state()).toEqual(applied);
  });

  it('counts a batch once when DEBUG SLEEP holds back the EXEC reply past the timeout and the batch is retried', async () => {
    const e = exporter({ endpoint: relay.url }, { commandTimeout: 300 });
    const batch = requests(0, 400);
    // Redis runs the EXEC, then sleeps before its reply goes out (or before the EXEC, if that arrives later).
    relay.afterRequest(EXEC, () => {
      const s = connect(redis.port, '127.0.0.1', () => s.end('*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$3\r\n0.8\r\n'));
      s.on('error', () => undefined);
    });
    await untilSent(e, batch, { log: 'logs', first: 0, end: 400 });
    await untilSent(e, batch, { log: 'logs', first: 0, end: 400 });
    const s = await state();
    expect(s.stream).toBe('400');
    expect(s.hashes).toBe('400');
    expect(s.requests).toContain('total\n400');
  });

  it("refuses an earlier attempt's EXEC that reaches Redis only after the retry committed", async () => {
    const e = exporter({ endpoint: relay.url }, { commandTimeout: 300 });
    const batch = requests(0, 400);
    relay.holdRequestsFrom(EXEC);
    await expect(sendSpan(e, batch, { log: 'logs', first: 0, end: 400 })).rejects.toThrow(/did not answer/);
    expect(relay.fired).toBe(true);
    expect(await redis.cli('xlen', 'stream:requests')).toBe('0');
    await sendSpan(e, batch, { log: 'logs', first: 0, end: 400 });
    const once = await state();
    // The first attempt's SET position, DEL lock and EXEC arrive now: its transaction must be refused.
    await relay.release();
    expect(await state()).toEqual(once);
    expect(once.stream).toBe('400');
    expect(once.requests).toContain('total\n400');
  });

  it('applies none of a batch whose connection is lost while it is queued, and all of it on the retry', async () => {
    const e = exporter({ endpoint: relay.url, pipeline_size: 100 }, { commandTimeout: 300 });
    const batch = requests(0, 400);
    relay.holdRequestsFrom(MULTI);
    const failed = sendSpan(e, batch, { log: 'logs', first: 0, end: 400 });
    await expect(failed).rejects.toThrow(/did not answer/);
    relay.drop();
    expect(await redis.cli('dbsize')).toBe('1'); // the writers' lock, held until the retry of this batch takes it again
    await sendSpan(e, batch, { log: 'logs', first: 0, end: 400 });
    const s = await state();
    expect(s.stream).toBe('400');
    expect(s.hashes).toBe('400');
    expect(s.requests).toContain('total\n400');
    expect(await redis.cli('exists', 'auditline:lock')).toBe('0');
  });
});

describe('redis exporter – requests with the same millisecond and client address', () => {
  const SAME = HOUR_START + 123;
  const burst = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, j) => request({ time: SAME, ip: '10.3.0.1', path: `/b/${from + j}` }));

  async function checkAllKept(n: number): Promise<void> {
    expect(await redis.cli('eval', "return #redis.call('keys', 'req:*')", '0')).toBe(String(n));
    for (const idx of ['idx:req:ip:10.3.0.1', 'idx:req:status:200', 'idx:req:method:GET', 'idx:log:level:INFO']) {
      expect(await redis.cli('zcard', idx), idx).toBe(String(n));
    }
    // Every index member is a hash of its own request.
    const members = (await redis.cli('zrange', 'idx:req:ip:10.3.0.1', '0', '-1')).split('\n');
    const paths = new Set<string>();
    for (let i = 0; i < members.length; i += 500) {
      const chunk = members.slice(i, i + 500);
      const script = `local o = {} for i, k in ipairs(KEYS) do o[i] = redis.call('hget', k, 'path') end return o`;
      for (const p of (await redis.cli('eval', script, String(chunk.length), ...chunk)).split('\n')) paths.add(p);
    }
    expect(paths.size).toBe(n);
    expect(await redis.cli('hget', `stats:requests:${HOUR}`, 'total')).toBe(String(n));
    expect(await redis.cli('xlen', 'stream:requests')).toBe(String(n));
  }

  it('keeps 2,000 of them sent in four batches as 2,000 hashes, each in every index, and a retry adds no copies', async () => {
    const e = exporter();
    for (let b = 0; b < 4; b++)
      await sendSpan(e, burst(b * 500, b * 500 + 500), { log: 'logs', first: b * 500, end: b * 500 + 500 });
    await checkAllKept(2000);
    await sendSpan(e, burst(1000, 1500), { log: 'logs', first: 1000, end: 1500 });
    await checkAllKept(2000);
    expect(await redis.cli('exists', `req:${SEC}.123000:10.3.0.1`, `req:${SEC}.123000:10.3.0.1:2000`)).toBe('2');
    const found = await e.queries().ip('10.3.0.1', { hours: 24, limit: 5000 });
    expect(new Set(found.map((x) => x.path)).size).toBe(2000);
  });

  it('keeps them apart when two exporters (as pipeline workers) write them at the same time', async () => {
    const a = exporter();
    const b = exporter();
    const send = async (e: RedisExporter, log: string, base: number) => {
      for (let i = 0; i < 4; i++)
        await sendSpan(e, burst(base + i * 250, base + i * 250 + 250), { log, first: i * 250, end: i * 250 + 250 });
    };
    await Promise.all([send(a, 'logs#w1', 0), send(b, 'logs#w2', 1000)]);
    await checkAllKept(2000);
  });

  it('keeps them apart in-process too (export() without a span), across calls', async () => {
    const e = exporter();
    await exportAll(e, burst(0, 300));
    await exportAll(e, burst(300, 600));
    await checkAllKept(600);
  });
});
