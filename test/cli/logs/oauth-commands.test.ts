// `auditline logs oauth|oauth-debug|oauth-flow|oauth-user|oauth-client|errors-debug`
// (issue #13 item 2), run in-process against a real query API, the real Redis
// exporter and a real redis-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { logsCommands, runLogs, type Io } from '../../../src/cli/logs/index.js';
import { startApi, type RunningApi } from '../../extensions/query-api/helpers.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { event, exportAll, request, testHost } from '../../exporters/redis/fixtures.js';

const TOKEN = 'redis-oauth-cli-token';
const T0 = Date.now() - 1800_000;

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

async function run1(...argv: string[]): Promise<Captured & { code: number }> {
  const c = io();
  const code = await runLogs(argv, c);
  return Object.assign(c, { code });
}

beforeAll(async () => {
  redis = await startRedis();
  run = await startApi({ auth: { tokens: [TOKEN] } });
  exp = new RedisExporter({ endpoint: redis.url, cleanup_interval: '0s' });
  await exp.start(testHost(run.api));
  env = { AUDITLINE_URL: run.url, AUDITLINE_TOKEN: TOKEN };
  const flow = (s: string, ip: string, user: string, t: number) => [
    event({
      time: t,
      event: 'oauth.authorize',
      message: 'Authorization requested',
      attributes: { 'client.address': ip, 'oauth.client_id': 'client-a', 'session.id': s, scope: 'openid profile' },
    }),
    request({ time: t + 1000, ip, path: '/oauth/callback', status: 302, session: s, clientId: 'client-a' }),
    event({
      time: t + 2000,
      event: 'oauth.token_issued',
      message: 'Token issued',
      attributes: { 'client.address': ip, 'oauth.client_id': 'client-a', 'session.id': s, 'user.id': user },
    }),
  ];
  await exportAll(exp, [
    ...flow('sess-1', '203.0.113.7', 'alice', T0),
    ...flow('sess-2', '198.51.100.2', 'bob', T0 + 60_000),
    event({
      time: T0 + 90_000,
      event: 'oauth.login_failed',
      level: 'ERROR',
      message: 'Bad password',
      attributes: {
        'client.address': '203.0.113.7',
        'oauth.client_id': 'client-b',
        'user.id': 'mallory',
        'exception.message': 'invalid_grant',
        'exception.stacktrace': 'Error: invalid_grant\n    at check (auth.ts:10)',
      },
    }),
    request({ time: T0 + 100_000, ip: '203.0.113.7', path: '/api/items', status: 503 }),
    event({ time: T0 + 110_000, event: 'cert_expiring', level: 'WARNING', message: 'Certificate expires in 3 days' }),
  ]);
});

afterAll(async () => {
  await exp?.shutdown();
  await run?.api.shutdown();
  await redis?.stop();
});

describe('auditline logs – OAuth and error debugging commands', () => {
  it('lists every new command in the help', async () => {
    const c = await run1('help');
    for (const name of ['oauth', 'oauth-debug', 'oauth-flow', 'oauth-user', 'oauth-client', 'errors-debug']) {
      expect(
        logsCommands.some((cmd) => cmd.name === name),
        name,
      ).toBe(true);
      expect(c.out()).toContain(`  ${name}  `);
    }
  });

  it('oauth <ip> prints one line per OAuth step from that address, oldest first', async () => {
    const c = await run1('oauth', '203.0.113.7');
    expect(c.code).toBe(0);
    const lines = c.lines();
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \[INFO\] oauth_server: Authorization requested \(.*client_id=client-a/,
    );
    expect(lines[1]).toMatch(/\[INFO\] GET \/oauth\/callback \(.*status_code=302.*client_id=client-a/);
    expect(lines[3]).toMatch(/\[ERROR\] .*Bad password/);
    expect(lines.join('\n')).not.toContain('/api/items');
    const errorsOnly = await run1('oauth', '203.0.113.7', '--level', 'ERROR', '--json');
    expect(errorsOnly.lines().map((l) => JSON.parse(l).event)).toEqual(['oauth.login_failed']);
    expect(
      (await run1('oauth', '203.0.113.7', '--event', 'oauth.token_issued', '--hours', '2', '--limit', '5')).lines(),
    ).toHaveLength(1);
    const missing = await run1('oauth');
    expect(missing.code).toBe(2);
    expect(missing.err()).toContain('missing <ip>');
  });

  it('oauth-debug <ip> prints each OAuth record with every field', async () => {
    const c = await run1('oauth-debug', '203.0.113.7', '--limit', '2');
    expect(c.code).toBe(0);
    const blocks = c.out().trim().split('\n\n');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain('oauth.token_issued');
    expect(blocks[0]).toMatch(/\n {4}user_id +alice(\n|$)/);
    expect(blocks[1]).toMatch(/\n {4}error +invalid_grant(\n|$)/);
    expect(blocks[1]).toMatch(
      /\n {4}attributes\.exception\.stacktrace +Error: invalid_grant\n +at check \(auth\.ts:10\)/,
    );
    expect(blocks[1]).toMatch(/\n {4}id +log:\d+\.\d{6}:[0-9a-f]{8}/);
  });

  it('oauth-flow [client_id] [username] prints each session as a flow with its steps', async () => {
    const all = await run1('oauth-flow');
    expect(all.code).toBe(0);
    const out = all.out();
    expect(out).toMatch(
      /^flow sess-1 client=client-a user=alice ip=203\.0\.113\.7 \S+ → \S+ \(3 steps\)\n {2}\S+ {2}INFO {5}oauth\.authorize {2}message=Authorization requested\n {2}\S+ {2}INFO {5}request {2}status_code=302 message=GET \/oauth\/callback\n {2}\S+ {2}INFO {5}oauth\.token_issued {2}message=Token issued\n/,
    );
    expect(out.indexOf('flow sess-1')).toBeLessThan(out.indexOf('flow sess-2'));
    const bob = await run1('oauth-flow', 'client-a', 'bob', '--hours', '3');
    expect(bob.lines().filter((l) => l.startsWith('flow '))).toEqual([
      expect.stringMatching(/^flow sess-2 client=client-a user=bob /),
    ]);
    const byUser = await run1('oauth-flow', '', 'alice', '--json');
    expect(byUser.lines().map((l) => JSON.parse(l).session_id)).toEqual(['sess-1']);
    expect((await run1('oauth-flow', 'client-b')).out()).toBe('');
    expect((await run1('oauth-flow', '--client-id', 'client-a', '--limit', '1')).lines()[0]).toMatch(/^flow sess-2 /);
    expect((await run1('oauth-flow', 'a', 'b', 'c')).code).toBe(2);
  });

  it('oauth-user <username> and oauth-client <client_id> narrow by user and by client', async () => {
    const alice = await run1('oauth-user', 'alice', '--json');
    expect(alice.lines().map((l) => JSON.parse(l).event)).toEqual(['oauth.token_issued']);
    const mallory = await run1('oauth-user', 'mallory', '--hours', '1', '--limit', '10');
    expect(mallory.lines()).toEqual([expect.stringContaining('Bad password')]);
    const clientA = await run1('oauth-client', 'client-a', '--json');
    expect(clientA.lines()).toHaveLength(6);
    expect(clientA.lines().every((l) => JSON.parse(l).client_id === 'client-a')).toBe(true);
    const issued = await run1(
      'oauth-client',
      'client-a',
      '--event',
      'oauth.token_issued',
      '--level',
      'INFO',
      '--limit',
      '1',
      '--json',
    );
    expect(issued.lines().map((l) => JSON.parse(l).user_id)).toEqual(['bob']);
  });

  it('errors-debug prints errors with their full records, and warnings with --include-warnings', async () => {
    const c = await run1('errors-debug');
    expect(c.code).toBe(0);
    const blocks = c.out().trim().split('\n\n');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(/\n {4}error +invalid_grant(\n|$)/);
    expect(blocks[1]).toMatch(/^\S+ \S+ \[INFO\] GET \/api\/items \(/);
    expect(blocks[1]).toMatch(/\n {4}status_code +503(\n|$)/);
    expect(c.out()).not.toContain('Certificate');
    const w = await run1('errors-debug', '--include-warnings', '--hours', '2', '--limit', '10');
    expect(w.out().trim().split('\n\n')).toHaveLength(3);
    expect(w.out()).toMatch(/\[WARNING\] .*Certificate expires in 3 days/);
    expect((await run1('errors-debug', '--json')).lines().map((l) => JSON.parse(l).level)).toEqual(['ERROR', 'INFO']);
  });
});
