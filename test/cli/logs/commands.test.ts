import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqliteExporter } from '../../../exporters/sqlite/exporter.js';
import { command as audit } from '../../../src/cli/logs/audit.js';
import { command as follow } from '../../../src/cli/logs/follow.js';
import { logsCommands, runLogs, type Io } from '../../../src/cli/logs/index.js';
import { command as job } from '../../../src/cli/logs/job.js';
import { record, SEV, tempDir } from '../../exporters/sqlite/fixtures.js';
import { startApi, type RunningApi } from '../../extensions/query-api/helpers.js';
import { freePort } from '../../helpers/ports.js';

const TOKEN = 'cli-token';

interface Captured extends Io {
  out: () => string;
  err: () => string;
  lines: () => string[];
}

function io(opts: { env?: NodeJS.ProcessEnv; tty?: boolean; signal?: AbortSignal } = {}): Captured {
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
    env: opts.env ?? {},
    signal: opts.signal,
    out: () => out,
    err: () => err,
    lines: () => out.split('\n').filter((l) => l !== ''),
  };
}

describe('auditline logs – against a real query API and SQLite database', () => {
  const t = tempDir();
  let run: RunningApi;
  let e: SqliteExporter;
  let env: NodeJS.ProcessEnv;
  const base = Date.UTC(2031, 0, 15, 10, 30, 45);

  beforeAll(async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    e = new SqliteExporter({ path: join(t.dir, 'cli.db') });
    await e.start(run.host);
    env = { AUDITLINE_URL: run.url, AUDITLINE_TOKEN: TOKEN };
    const records = [
      record({
        time: base,
        body: 'Session created',
        attrs: { component: 'session_manager', 'session.id': 'abc123', metadata: { ai_provider: 'openai' } },
      }),
      record({
        time: base + 1000,
        severity: SEV.ERROR,
        body: 'Model call failed',
        attrs: { component: 'ai_provider', 'session.id': 'abc123', 'user.id': 'u1', 'error.type': 'TimeoutError' },
      }),
      record({
        time: base + 2000,
        severity: SEV.WARNING,
        body: 'Slow answer',
        attrs: { component: 'ai_provider', 'session.id': 'other' },
      }),
      ...Array.from({ length: 1500 }, (_, i) =>
        record({ time: base + 10_000 + i, body: `bulk ${i}`, attrs: { 'session.id': 'bulk' } }),
      ),
      ...Array.from({ length: 1200 }, (_, i) =>
        record({
          time: base + i,
          body: `Track ${i + 1}/1200 downloaded`,
          attrs: { 'job.id': 'job-7', 'job.progress.current': i + 1 },
        }),
      ),
    ];
    await new Promise<void>((r, j) => e.export(records, (res) => (res.code === 0 ? r() : j(res.error))));
  });
  afterAll(async () => {
    await e.shutdown();
    await run.api.shutdown();
    t.cleanup();
  });

  it('audit prints one line per record in the seed console format, oldest first', async () => {
    const c = io({ env });
    expect(await audit.run(['--session', 'abc123'], c)).toBe(0);
    expect(c.lines()).toEqual([
      '2031-01-15 10:30:45Z [INFO] session_manager: Session created (session_id=abc123, ai_provider=openai)',
      '2031-01-15 10:30:46Z [ERROR] ai_provider: Model call failed (session_id=abc123, user_id=u1, error_type=TimeoutError)',
    ]);
  });

  it('audit passes --level, --component, --user, --since and --until to the API', async () => {
    const c = io({ env });
    expect(await audit.run(['--level', 'ERROR,WARNING', '--component', 'ai_provider'], c)).toBe(0);
    expect(c.lines().map((l) => l.split('] ')[1])).toEqual([
      'ai_provider: Model call failed (session_id=abc123, user_id=u1, error_type=TimeoutError)',
      'ai_provider: Slow answer (session_id=other)',
    ]);
    const u = io({ env });
    expect(
      await audit.run(['--user', 'u1', '--since', '2031-01-15T10:30:46Z', '--until', '2031-01-15T10:30:47Z'], u),
    ).toBe(0);
    expect(u.lines()).toHaveLength(1);
  });

  it('audit --limit beyond one page follows the cursor and still prints oldest first without duplicates', async () => {
    const c = io({ env });
    expect(await audit.run(['--session', 'bulk', '--limit', '1200', '--json'], c)).toBe(0);
    const rows = c.lines().map((l) => JSON.parse(l) as { message: string; id: number });
    expect(rows.map((r) => r.message)).toEqual(Array.from({ length: 1200 }, (_, i) => `bulk ${300 + i}`));
  });

  it('job prints every entry of a job oldest first, across pages', async () => {
    const c = io({ env });
    expect(await job.run(['job-7'], c)).toBe(0);
    const lines = c.lines();
    expect(lines).toHaveLength(1200);
    expect(lines[0]).toBe(
      '2031-01-15 10:30:45Z [INFO] test: Track 1/1200 downloaded (job_id=job-7, progress_current=1)',
    );
    expect(lines[1199]).toMatch(/Track 1200\/1200 downloaded/);
  });

  it('job --json prints the rows as JSON lines', async () => {
    const c = io({ env });
    expect(await job.run(['job-7', '--json', '--url', run.url, '--token', TOKEN], { ...c, env: {} })).toBe(0);
    expect(JSON.parse(c.lines()[4]!)).toMatchObject({
      job_id: 'job-7',
      message: 'Track 5/1200 downloaded',
      progress_current: 5,
    });
  });

  it('colours the level only on a TTY and never with NO_COLOR', async () => {
    const tty = io({ env, tty: true });
    await audit.run(['--session', 'abc123'], tty);
    expect(tty.out()).toContain('\x1b[31m[ERROR]\x1b[0m');
    const noColor = io({ env: { ...env, NO_COLOR: '1' }, tty: true });
    await audit.run(['--session', 'abc123'], noColor);
    expect(noColor.out()).not.toContain('\x1b[');
    const pipe = io({ env });
    await audit.run(['--session', 'abc123'], pipe);
    expect(pipe.out()).not.toContain('\x1b[');
  });

  it('reports a missing or wrong token, an unknown job and a bad parameter in one sentence each', async () => {
    const none = io({ env: { AUDITLINE_URL: run.url } });
    expect(await audit.run([], none)).toBe(1);
    expect(none.err()).toMatch(/needs a token \(401\)\. Pass --token or set AUDITLINE_TOKEN\./);
    const wrong = io({ env: { ...env, AUDITLINE_TOKEN: 'nope' } });
    expect(await job.run(['job-7'], wrong)).toBe(1);
    expect(wrong.err()).toMatch(/did not accept the token \(401\)/);
    const missing = io({ env });
    expect(await job.run(['no-such-job'], missing)).toBe(1);
    expect(missing.err()).toBe('The query API answered 404: job "no-such-job" has no log entries.\n');
    const bad = io({ env });
    expect(await audit.run(['--since', 'yesterday'], bad)).toBe(2);
    expect(bad.err()).toMatch(/answered 400: parameter "since"/);
  });

  it('says so clearly when nothing listens at the address', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const c = io({ env: { AUDITLINE_URL: url } });
    expect(await audit.run([], c)).toBe(1);
    expect(c.err()).toBe(
      `Cannot connect to the query API at ${url} (connection refused). Is the collector running with the query_api extension? Set --url or AUDITLINE_URL.\n`,
    );
  });

  it('refuses bad usage with exit status 2', async () => {
    const cases: [typeof audit, string[]][] = [
      [audit, ['--limit', '0']],
      [audit, ['--colour']],
      [job, []],
      [job, ['a', 'b']],
      [audit, ['--url', 'ftp://x']],
    ];
    for (const [cmd, argv] of cases) {
      const c = io({ env });
      expect(await cmd.run(argv, c), argv.join(' ')).toBe(2);
      expect(c.err()).not.toBe('');
    }
  });

  it('follow prints live records matching its filters until stopped', async () => {
    const stop = new AbortController();
    const c = io({ env, signal: stop.signal });
    const done = follow.run(['--level', 'ERROR', '--session', 'live'], c);
    await vi.waitFor(() => expect(run.host.tap.active).toBe(true));
    run.host.tap.publish(
      [
        record({ time: base, body: 'ignored: info', attrs: { 'session.id': 'live' } }),
        record({ time: base, severity: SEV.ERROR, body: 'Boom', attrs: { 'session.id': 'live', component: 'worker' } }),
        record({ time: base, severity: SEV.ERROR, body: 'ignored: other session', attrs: { 'session.id': 'x' } }),
      ],
      'logs',
    );
    await vi.waitFor(() => expect(c.lines()).toEqual(['2031-01-15 10:30:45Z [ERROR] worker: Boom (session_id=live)']));
    stop.abort();
    expect(await done).toBe(0);
    await vi.waitFor(() => expect(run.host.tap.active).toBe(false));
  });

  it('follow --json prints stream records as JSON lines', async () => {
    const stop = new AbortController();
    const c = io({ env, signal: stop.signal });
    const done = follow.run(['--json'], c);
    await vi.waitFor(() => expect(run.host.tap.active).toBe(true));
    run.host.tap.publish([record({ time: base, body: 'json please', attrs: { 'user.id': 'u5' } })], 'logs');
    await vi.waitFor(() => expect(c.lines()).toHaveLength(1));
    expect(JSON.parse(c.lines()[0]!)).toMatchObject({ message: 'json please', user_id: 'u5', level: 'INFO' });
    stop.abort();
    expect(await done).toBe(0);
  });
  it('follow names fields as audit does: error_type, job_id and the rest in metadata, human and --json (issue #15)', async () => {
    for (const json of [true, false]) {
      const stop = new AbortController();
      const c = io({ env, signal: stop.signal });
      const done = follow.run(json ? ['--json'] : [], c);
      await vi.waitFor(() => expect(run.host.tap.active).toBe(true));
      run.host.tap.publish(
        [
          record({
            time: base,
            severity: SEV.ERROR,
            body: 'Upload failed',
            attrs: { 'session.id': 's9', 'error.type': 'ENOSPC', 'job.id': 'j1', bytes: 3 },
          }),
        ],
        'logs',
      );
      await vi.waitFor(() => expect(c.lines()).toHaveLength(1));
      if (json) {
        const r = JSON.parse(c.lines()[0]!);
        expect(r).toMatchObject({ session_id: 's9', error_type: 'ENOSPC', job_id: 'j1', metadata: { bytes: 3 } });
        expect(r).not.toHaveProperty('attributes');
      } else {
        expect(c.lines()[0]).toMatch(/\(session_id=s9, error_type=ENOSPC, job_id=j1, bytes=3\)$/);
      }
      stop.abort();
      expect(await done).toBe(0);
      await vi.waitFor(() => expect(run.host.tap.active).toBe(false));
    }
  });
});

describe('auditline logs – dispatch and help', () => {
  it('lists every command in help and dispatches by name', async () => {
    const c = io();
    expect(await runLogs(['help'], c)).toBe(0);
    for (const cmd of logsCommands) expect(c.out()).toContain(`  ${cmd.name}`);
    expect(logsCommands.map((x) => x.name)).toEqual(expect.arrayContaining(['audit', 'job', 'follow']));
    const usage = io();
    expect(await runLogs(['job', '--help'], usage)).toBe(0);
    expect(usage.out()).toMatch(/^Usage: auditline logs job <job_id>/);
  });

  it('refuses an unknown command with exit status 2 and the help text', async () => {
    const c = io();
    expect(await runLogs(['tail'], c)).toBe(2);
    expect(c.err()).toMatch(/unknown command "tail"[\s\S]*Commands:/);
  });

  it('follow ends with status 0 when the server shuts down', async () => {
    const api = await startApi({ auth: { tokens: [TOKEN] } });
    const c = io({ env: { AUDITLINE_URL: api.url, AUDITLINE_TOKEN: TOKEN }, signal: new AbortController().signal });
    const done = follow.run([], c);
    await vi.waitFor(() => expect(api.host.tap.active).toBe(true));
    await api.api.shutdown();
    expect(await done).toBe(0);
    expect(c.err()).toMatch(/shutting down/);
  });
});
