import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteExporter } from '../../../exporters/sqlite/exporter.js';
import { startApi, type RunningApi } from '../../extensions/query-api/helpers.js';
import { captureLogger, record, SEV, tempDir, testHost } from './fixtures.js';

const TOKEN = 'reader-token';
type Row = Record<string, unknown> & { id: number; timestamp: string; message: string };

describe('sqlite exporter – query routes over HTTP', () => {
  const t = tempDir();
  const path = join(t.dir, 'q.db');
  let run: RunningApi;
  let e: SqliteExporter;
  const now = Date.now();
  const MIN = 60_000;

  const get = async (p: string) => {
    const res = await run.get(p, TOKEN);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const audit = async (q: string) => {
    const r = await get(`/api/logs/audit${q}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { logs: Row[]; next_cursor: string | null };
  };

  beforeAll(async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    e = new SqliteExporter({ path });
    await e.start(run.host);
    const records = [];
    // 250 rows of one session; groups of five share a timestamp so paging must break ties by id.
    for (let i = 0; i < 250; i++) {
      records.push(
        record({
          time: now - 200 * MIN + Math.floor(i / 5) * 1000,
          severity: i % 10 === 0 ? SEV.ERROR : i % 25 === 1 ? SEV.CRITICAL : SEV.INFO,
          body: `s1 #${i}`,
          event: i % 50 === 0 ? 'session.checkpoint' : undefined,
          attrs: {
            'session.id': 's-1',
            'user.id': i % 2 ? 'u-odd' : 'u-even',
            component: i % 3 ? 'session_manager' : 'ai_provider',
          },
        }),
      );
    }
    records.push(record({ time: now - 120 * MIN, body: 'two hours ago', attrs: { 'session.id': 's-time' } }));
    records.push(record({ time: now - 30 * MIN, body: 'half an hour ago', attrs: { 'session.id': 's-time' } }));
    records.push(record({ time: now - 1000, body: 'just now', attrs: { 'session.id': 's-time' } }));
    records.push(record({ body: 'quote', attrs: { 'session.id': "it's", 'user.id': "' OR 1=1 --" } }));
    for (let i = 1; i <= 100; i++) {
      records.push(
        record({
          time: now - 100 * MIN + i,
          body: `Track ${i}/100 downloaded`,
          attrs: { 'job.id': 'sync 42', 'job.progress.current': i, 'job.progress.total': 100 },
        }),
      );
    }
    records.push(record({ body: 'other job', attrs: { 'job.id': 'other' } }));
    await new Promise<void>((r, j) => e.export(records, (res) => (res.code === 0 ? r() : j(res.error))));
  });
  afterAll(async () => {
    await e.shutdown();
    await run.api.shutdown();
    t.cleanup();
  });

  it('pages one session newest first through the cursor with no duplicates or gaps', async () => {
    const seen: Row[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const page: { logs: Row[]; next_cursor: string | null } = await audit(
        `?session_id=s-1&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      sizes.push(page.logs.length);
      seen.push(...page.logs);
      cursor = page.next_cursor;
    } while (cursor);
    expect(sizes).toEqual([100, 100, 50]);
    expect(seen.map((r) => r.message)).toEqual(Array.from({ length: 250 }, (_, i) => `s1 #${249 - i}`));
    expect(new Set(seen.map((r) => r.id)).size).toBe(250);
  });

  it('pages a list of levels through the cursor in one newest-first order', async () => {
    const seen: Row[] = [];
    let cursor: string | null = null;
    do {
      const page: { logs: Row[]; next_cursor: string | null } = await audit(
        `?level=CRITICAL,ERROR&limit=10${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.logs);
      cursor = page.next_cursor;
    } while (cursor);
    const expected = Array.from({ length: 250 }, (_, i) => 249 - i)
      .filter((i) => i % 10 === 0 || i % 25 === 1)
      .map((i) => `s1 #${i}`);
    expect(seen.map((r) => r.message)).toEqual(expected);
  });

  it('returns rows with every column and metadata as an object', async () => {
    const { logs } = await audit('?session_id=s-1&limit=1');
    expect(Object.keys(logs[0]!)).toEqual(
      expect.arrayContaining([
        'id',
        'timestamp',
        'level',
        'component',
        'message',
        'session_id',
        'user_id',
        'event',
        'model',
        'metadata',
      ]),
    );
    expect(logs[0]!.metadata).toEqual({});
    expect(logs[0]!.timestamp).toMatch(/Z$/);
  });

  it('filters by user_id, event, component and an exact list of levels', async () => {
    const odd = await audit('?user_id=u-odd&limit=1000');
    expect(odd.logs).toHaveLength(125);
    expect(odd.logs.every((r) => r.user_id === 'u-odd')).toBe(true);
    const checkpoints = await audit('?event=session.checkpoint');
    expect(checkpoints.logs.map((r) => r.message)).toEqual(['s1 #200', 's1 #150', 's1 #100', 's1 #50', 's1 #0']);
    const ai = await audit('?component=ai_provider&limit=1000');
    expect(ai.logs).toHaveLength(84);
    const errors = await audit('?level=ERROR&limit=1000');
    expect(errors.logs).toHaveLength(25);
    const bad = await audit('?level=error,critical&session_id=s-1&limit=1000');
    expect(bad.logs).toHaveLength(35);
    expect(new Set(bad.logs.map((r) => r.level))).toEqual(new Set(['ERROR', 'CRITICAL']));
    const combined = await audit('?level=CRITICAL&user_id=u-odd&component=session_manager');
    expect(
      combined.logs.every((r) => r.level === 'CRITICAL' && r.user_id === 'u-odd' && r.component === 'session_manager'),
    ).toBe(true);
    expect(combined.logs.length).toBeGreaterThan(0);
  });

  it('filters by since and until, as ISO times or relative durations', async () => {
    const lastHour = await audit('?session_id=s-time&since=1h');
    expect(lastHour.logs.map((r) => r.message)).toEqual(['just now', 'half an hour ago']);
    const before = await audit(
      `?session_id=s-time&until=${encodeURIComponent(new Date(now - 60 * MIN).toISOString())}`,
    );
    expect(before.logs.map((r) => r.message)).toEqual(['two hours ago']);
    const window = await audit('?session_id=s-time&since=3h&until=45m');
    expect(window.logs.map((r) => r.message)).toEqual(['two hours ago']);
    const days = await audit('?session_id=s-time&since=7d');
    expect(days.logs).toHaveLength(3);
  });

  it('defaults to 100 rows and caps limit at 1000', async () => {
    expect((await audit('?session_id=s-1')).logs).toHaveLength(100);
    expect((await audit('?limit=1000')).logs.length).toBeLessThanOrEqual(1000);
  });

  it('answers 400 naming the parameter for bad values, unknown and repeated parameters', async () => {
    const cases: [string, RegExp][] = [
      ['limit=0', /"limit" must be an integer from 1 to 1000/],
      ['limit=1001', /"limit"/],
      ['limit=ten', /"limit"/],
      [`limit=${encodeURIComponent("10' OR 1=1 --")}`, /"limit"/],
      ['limit=10;DROP%20TABLE%20audit_logs', /"limit"/],
      ['since=yesterday', /"since" must be an ISO-8601 time or a duration/],
      ['until=2024-13-45', /"until"/],
      ['level=LOUD', /"level" must be a comma-separated list of TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL/],
      ['cursor=not-a-cursor', /"cursor" is not a cursor returned by this endpoint/],
      [`cursor=${Buffer.from('["a","x",1]').toString('base64url')}`, /"cursor"/],
      ['session=abc', /unknown parameter "session"/],
      ['user_id=a&user_id=b', /"user_id" is given more than once/],
      ['session_id=', /"session_id" must not be empty/],
    ];
    for (const [q, re] of cases) {
      const r = await get(`/api/logs/audit?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error, q).toMatch(re);
    }
  });

  it('treats SQL injection attempts in values as plain values that match nothing (or their literal row)', async () => {
    for (const v of ["' OR 1=1 --", "s-1' --", 's-1" OR ""="', '%', '*', 's-1; DROP TABLE audit_logs']) {
      expect((await audit(`?session_id=${encodeURIComponent(v)}`)).logs, v).toEqual([]);
    }
    const literal = await audit(`?user_id=${encodeURIComponent("' OR 1=1 --")}`);
    expect(literal.logs.map((r) => r.message)).toEqual(['quote']);
    expect((await audit(`?session_id=${encodeURIComponent("it's")}`)).logs).toHaveLength(1);
    expect((await audit('?session_id=s-1')).logs).toHaveLength(100);
  });

  it("returns one job's entries oldest first, with the path parameter decoded", async () => {
    const r = await get('/api/logs/jobs/sync%2042');
    expect(r.status).toBe(200);
    const body = r.body as { job_id: string; logs: Row[]; next_cursor: string | null };
    expect(body.job_id).toBe('sync 42');
    expect(body.logs.map((l) => l.message)).toEqual(
      Array.from({ length: 100 }, (_, i) => `Track ${i + 1}/100 downloaded`),
    );
    expect(body.logs[4]).toMatchObject({ job_id: 'sync 42', level: 'INFO', progress_current: 5, progress_total: 100 });
    expect(body.next_cursor).toBeNull();
  });

  it('pages a job with limit and cursor', async () => {
    const first = (await get('/api/logs/jobs/sync%2042?limit=60')).body as { logs: Row[]; next_cursor: string };
    const second = (await get(`/api/logs/jobs/sync%2042?limit=60&cursor=${first.next_cursor}`)).body as {
      logs: Row[];
      next_cursor: string | null;
    };
    expect([...first.logs, ...second.logs].map((l) => l.progress_current)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    expect(second.next_cursor).toBeNull();
  });

  it('answers 404 for a job without entries, 400 for bad job parameters, and treats injection as an unknown job', async () => {
    const missing = await get('/api/logs/jobs/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('job "nope" has no log entries');
    expect((await get(`/api/logs/jobs/${encodeURIComponent("' OR '1'='1")}`)).status).toBe(404);
    const badLimit = await get('/api/logs/jobs/sync%2042?limit=0');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error).toMatch(/"limit"/);
    expect((await get('/api/logs/jobs/a%2Fb')).status).toBe(400);
  });

  it('requires the bearer token', async () => {
    expect((await fetch(run.url + '/api/logs/audit')).status).toBe(401);
    expect((await fetch(run.url + '/api/logs/jobs/sync%2042')).status).toBe(401);
  });
});

describe('sqlite exporter – without a query API', () => {
  it('starts, writes and says at debug level that its routes are not served', async () => {
    const t = tempDir();
    const { logger, lines } = captureLogger();
    const e = new SqliteExporter({ path: join(t.dir, 'x.db') }, { logger });
    await e.start(testHost({ logger }));
    await new Promise<void>((r) => e.export([record()], () => r()));
    await e.shutdown();
    t.cleanup();
    expect(lines.some((l) => l.includes('[DEBUG]') && l.includes('No query API extension is configured'))).toBe(true);
  });
});
