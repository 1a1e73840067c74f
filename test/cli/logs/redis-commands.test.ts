// `auditline logs` commands over the Redis exporter, run in-process against
// a real query API and a real redis-server.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { logsCommands, runLogs, type Io } from '../../../src/cli/logs/index.js';
import { startApi, type RunningApi } from '../../extensions/query-api/helpers.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { event, exportAll, request, testHost } from '../../exporters/redis/fixtures.js';

const TOKEN = 'redis-cli-token';

interface Captured extends Io {
  out: () => string;
  err: () => string;
  lines: () => string[];
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

function io(
  opts: { env?: NodeJS.ProcessEnv; tty?: boolean; stdin?: PassThrough & { isTTY?: boolean } } = {},
): Captured {
  let out = '';
  let err = '';
  return {
    stdout: {
      write: (s: string) => {
        out += s;
      },
      isTTY: opts.tty,
    },
    stderr: {
      write: (s: string) => {
        err += s;
      },
    },
    env: opts.env ?? env,
    stdin: opts.stdin,
    out: () => out,
    err: () => err,
    lines: () => out.split('\n').filter((l) => l !== ''),
  };
}

let redis: RedisServer;
let run: RunningApi;
let exp: RedisExporter;
let env: NodeJS.ProcessEnv;
const T0 = Date.now() - 1800_000;

async function seed(): Promise<void> {
  const records = [];
  for (let i = 0; i < 40; i++) {
    records.push(
      request({
        time: T0 + i * 1000,
        ip: i % 2 ? '192.168.1.1' : '10.0.0.9',
        host: i % 4 ? 'api.example.com' : 'admin.example.com',
        method: i % 5 === 0 ? 'DELETE' : 'GET',
        path: i % 3 === 0 ? `/users/${i}` : '/health',
        status: i % 10 === 9 ? 500 : 200,
        duration: i === 20 ? 2.5 : 0.02,
        user: i < 10 ? 'alice' : 'bob',
        session: i < 5 ? 'sess-a' : 'sess-b',
        clientHostname: i % 2 ? 'laptop.example' : undefined,
      }),
    );
  }
  records.push(
    event({
      time: T0 + 100,
      event: 'proxy_created',
      level: 'INFO',
      message: 'Proxy created',
      attributes: { 'server.address': 'api.example.com' },
    }),
  );
  records.push(
    event({ time: T0 + 200, event: 'cert_expiring', level: 'WARNING', message: 'Certificate expires in 3 days' }),
  );
  await exportAll(exp, records);
}

beforeAll(async () => {
  redis = await startRedis();
  run = await startApi({ auth: { tokens: [TOKEN] } });
  exp = new RedisExporter({ endpoint: redis.url });
  await exp.start(testHost(run.api));
  env = { AUDITLINE_URL: run.url, AUDITLINE_TOKEN: TOKEN };
  await seed();
});

afterAll(async () => {
  await exp?.shutdown();
  await run?.api.shutdown();
  await redis?.stop();
});

describe('auditline logs – Redis commands', () => {
  it('lists the Redis commands in the logs help', async () => {
    const c = io();
    expect(await runLogs(['help'], c)).toBe(0);
    for (const name of [
      'search',
      'ip',
      'host',
      'user',
      'session',
      'method',
      'status',
      'slow',
      'path',
      'errors',
      'stats',
      'clear',
      'follow',
    ]) {
      expect(
        logsCommands.some((cmd) => cmd.name === name),
        name,
      ).toBe(true);
      expect(c.out()).toContain(`  ${name}`);
    }
  });

  it('ip prints one seed-format line per entry, oldest first', async () => {
    const c = io();
    expect(await runLogs(['ip', '192.168.1.1', '--limit', '3'], c)).toBe(0);
    const lines = c.lines();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \[INFO\] DELETE \/health \(client_ip=192\.168\.1\.1, /);
    expect(lines.every((l) => l.includes('client_ip=192.168.1.1'))).toBe(true);
    expect([...lines].sort()).toEqual(lines);
  });

  it('--json prints one JSON object per entry with the seed fields', async () => {
    const c = io();
    expect(await runLogs(['user', 'alice', '--json'], c)).toBe(0);
    const rows = c.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.user_id === 'alice' && typeof r.status_code === 'number')).toBe(true);
  });

  it('host, session, method, status, slow, path and errors each query their index', async () => {
    const count = async (argv: string[]) => {
      const c = io();
      expect(await runLogs([...argv, '--json'], c), `${argv.join(' ')}: ${c.err()}`).toBe(0);
      return c.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    expect(await count(['host', 'laptop.example', '--client'])).toHaveLength(20);
    expect(await count(['host', 'admin.example.com', '--proxy'])).toHaveLength(10);
    expect(await count(['session', 'sess-a'])).toHaveLength(5);
    expect(await count(['method', 'delete'])).toHaveLength(8);
    expect((await count(['status', '500'])).map((r) => r.status_code)).toEqual([500, 500, 500, 500]);
    expect((await count(['slow'])).map((r) => r.response_time_ms)).toEqual([2500]);
    expect(await count(['slow', '3000'])).toHaveLength(0);
    expect((await count(['path', '/users/*', '--method', 'DELETE'])).map((r) => r.path)).toEqual([
      '/users/0',
      '/users/15',
      '/users/30',
    ]);
    expect(await count(['errors'])).toHaveLength(4);
    expect(await count(['errors', '--include-warnings'])).toHaveLength(5);
  });

  it('search filters by free text, event, level and hostname', async () => {
    const msgs = async (argv: string[]) => {
      const c = io();
      expect(await runLogs(['search', ...argv, '--json'], c)).toBe(0);
      return c.lines().map((l) => (JSON.parse(l) as Record<string, unknown>).message);
    };
    expect(await msgs(['certificate'])).toEqual(['Certificate expires in 3 days']);
    expect(await msgs(['--event', 'proxy_created'])).toEqual(['Proxy created']);
    expect(await msgs(['--level', 'WARNING'])).toEqual(['Certificate expires in 3 days']);
    expect(await msgs(['--hostname', 'admin.example.com', '--limit', '2'])).toHaveLength(2);
    expect(await msgs(['--limit', '5'])).toHaveLength(5);
  });

  it('stats prints event counts, request totals and traffic metrics', async () => {
    const c = io();
    expect(await runLogs(['stats', '2'], c)).toBe(0);
    const out = c.out();
    expect(out).toContain('Events in the last 2 h: 2');
    expect(out).toMatch(/proxy_created\s+1/);
    expect(out).toContain('Requests: 40 (200: 36, 500: 4)');
    expect(out).toContain('Errors: 500: 4');
    expect(out).toMatch(
      /Traffic: [\d.]+ requests\/s, error rate 10\.00%, p50 20 ms, p95 20 ms, p99 2500 ms, 2 unique visitors/,
    );
    const j = io();
    expect(await runLogs(['stats', '--json'], j)).toBe(0);
    expect(JSON.parse(j.out()).metrics.unique_visitors).toBe(2);
  });

  it('reports a bad argument from the server as a usage error naming the parameter', async () => {
    const c = io();
    expect(await runLogs(['status', 'abc'], c)).toBe(2);
    expect(c.err()).toContain('"code"');
    const m = io();
    expect(await runLogs(['ip'], m)).toBe(2);
    expect(m.err()).toContain('missing <ip>');
  });

  it('clear refuses without --yes when stdin is not a terminal, and deletes nothing', async () => {
    const c = io({ stdin: Object.assign(new PassThrough(), { isTTY: false }) });
    expect(await runLogs(['clear'], c)).toBe(2);
    expect(c.err()).toContain('--yes');
    expect(Number(await redis.cli('dbsize'))).toBeGreaterThan(0);
  });

  it('clear asks on a terminal and keeps everything when the answer is no', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const c = io({ stdin });
    const done = runLogs(['clear'], c);
    stdin.write('n\n');
    expect(await done).toBe(0);
    expect(c.err()).toContain('[y/N]');
    expect(c.err()).toContain('Nothing was deleted.');
    expect(Number(await redis.cli('ZCARD', 'idx:req:ip:192.168.1.1'))).toBe(20);
  });

  it('clear deletes every key family after a yes on a terminal, and at once with --yes', async () => {
    await redis.cli('set', 'not-ours', '1');
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const c = io({ stdin });
    const done = runLogs(['clear'], c);
    stdin.write('y\n');
    expect(await done).toBe(0);
    expect(c.out()).toMatch(/^Deleted \d+ keys\.\n$/);
    expect(await redis.cli('keys', '*')).toBe('not-ours');
    await seed();
    const y = io();
    expect(await runLogs(['clear', '--yes'], y)).toBe(0);
    expect(await redis.cli('keys', '*')).toBe('not-ours');
  });
});
