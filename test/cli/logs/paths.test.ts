// `auditline logs paths` (issue #13 item 5), run in-process against a real
// query API over a real redis-server written by the real exporter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { logsCommands, runLogs, type Io } from '../../../src/cli/logs/index.js';
import { startApi, type RunningApi } from '../../extensions/query-api/helpers.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { exportAll, request, testHost } from '../../exporters/redis/fixtures.js';

const TOKEN = 'redis-paths-cli-token';

interface Captured extends Io {
  out: () => string;
  err: () => string;
  lines: () => string[];
}

function io(): Captured {
  let out = '';
  let err = '';
  return {
    stdout: {
      write: (s: string) => {
        out += s;
      },
    },
    stderr: {
      write: (s: string) => {
        err += s;
      },
    },
    env,
    out: () => out,
    err: () => err,
    lines: () => out.split('\n').filter((l) => l !== ''),
  };
}

let redis: RedisServer;
let run: RunningApi;
let exp: RedisExporter;
let env: NodeJS.ProcessEnv;
const NOW = Date.now();

beforeAll(async () => {
  redis = await startRedis();
  run = await startApi({ auth: { tokens: [TOKEN] } });
  exp = new RedisExporter({ endpoint: redis.url });
  await exp.start(testHost(run.api));
  env = { AUDITLINE_URL: run.url, AUDITLINE_TOKEN: TOKEN };
  const records = [];
  let t = NOW - 3600_000;
  for (let i = 0; i < 12; i++)
    records.push(request({ time: t++, method: i % 4 ? 'GET' : 'PUT', path: `/api/users/${i}/profile` }));
  for (let i = 0; i < 3; i++) records.push(request({ time: t++, path: `/files/${'deadbeef'.repeat(4)}${i}` }));
  for (let i = 0; i < 7; i++) records.push(request({ time: t++, path: '/health' }));
  for (let i = 0; i < 5; i++) records.push(request({ time: NOW - 40 * 3600_000 + i, path: `/archive/${i}` }));
  await exportAll(exp, records);
});

afterAll(async () => {
  await exp?.shutdown();
  await run?.api.shutdown();
  await redis?.stop();
});

describe('auditline logs paths', () => {
  it('is a logs command listed in the help', async () => {
    const c = io();
    expect(await runLogs(['help'], c)).toBe(0);
    expect(logsCommands.some((cmd) => cmd.name === 'paths')).toBe(true);
    expect(c.out()).toMatch(/^ {2}paths +the most requested path patterns/m);
  });

  it('prints the patterns of the last 24 hours, most requested first, with counts by method', async () => {
    const c = io();
    expect(await runLogs(['paths'], c)).toBe(0);
    expect(c.err()).toBe('');
    expect(c.lines()).toEqual([
      'Path patterns in the last 24 h: 22 requests',
      '  12  /api/users/:id/profile  (GET 9, PUT 3)',
      '   7  /health  (GET 7)',
      '   3  /files/:id  (GET 3)',
    ]);
  });

  it('--hours widens the window and --limit keeps the most requested', async () => {
    const c = io();
    expect(await runLogs(['paths', '--hours', '48', '--limit', '2'], c)).toBe(0);
    expect(c.lines()).toEqual([
      'Path patterns in the last 48 h: 27 requests',
      '  12  /api/users/:id/profile  (GET 9, PUT 3)',
      '   7  /health  (GET 7)',
    ]);
  });

  it('--json prints one object per pattern', async () => {
    const c = io();
    expect(await runLogs(['paths', '--hours', '48', '--json'], c)).toBe(0);
    expect(c.lines().map((l) => JSON.parse(l))).toEqual([
      { pattern: '/api/users/:id/profile', count: 12, methods: { GET: 9, PUT: 3 } },
      { pattern: '/health', count: 7, methods: { GET: 7 } },
      { pattern: '/archive/:id', count: 5, methods: { GET: 5 } },
      { pattern: '/files/:id', count: 3, methods: { GET: 3 } },
    ]);
  });

  it('reports bad usage, here or rejected by the server (400), with exit status 2', async () => {
    const extra = io();
    expect(await runLogs(['paths', '/users'], extra)).toBe(2);
    expect(extra.err()).toContain('takes no arguments');
    const flag = io();
    expect(await runLogs(['paths', '--method', 'GET'], flag)).toBe(2);
    const hours = io();
    expect(await runLogs(['paths', '--hours', 'soon'], hours)).toBe(2);
    expect(hours.err()).toContain('"hours"');
  });

  it('--help prints the usage', async () => {
    const c = io();
    expect(await runLogs(['paths', '--help'], c)).toBe(0);
    expect(c.out()).toContain('Usage: auditline logs paths [--hours N] [--limit N] [--json]');
  });
});
