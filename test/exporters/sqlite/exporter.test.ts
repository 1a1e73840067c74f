import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteExporter } from '../../../exporters/sqlite/exporter.js';
import { sqliteExporterFactory } from '../../../exporters/sqlite/factory.js';
import { formatIssue, type ConfigIssue } from '../../../src/config/schema.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { captureLogger, record, SEV, tempDir, testHost } from './fixtures.js';

function exportAll(e: SqliteExporter, records: ReturnType<typeof record>[]): Promise<void> {
  return new Promise((resolve, reject) => e.export(records, (r) => (r.code === 0 ? resolve() : reject(r.error))));
}

function rows(path: string, sql: string, ...args: unknown[]): Record<string, unknown>[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all(...args) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

function parseConfig(raw: unknown): { config?: unknown; errors: string[] } {
  const issues: ConfigIssue[] = [];
  const config = sqliteExporterFactory.config.parse(raw, ['exporters', 'sqlite/jobs'], issues);
  return { config, errors: issues.map(formatIssue) };
}

describe('sqlite exporter – rows', () => {
  let t: ReturnType<typeof tempDir>;
  let path: string;
  let e: SqliteExporter;
  beforeEach(() => {
    t = tempDir();
    path = join(t.dir, 'auditline.db');
  });
  afterEach(async () => {
    await e?.shutdown();
    t.cleanup();
  });

  it('writes the seed fields, promoted semantic-convention attributes and the rest as metadata JSON', async () => {
    e = new SqliteExporter({ path });
    const time = Date.UTC(2031, 0, 15, 10, 30, 45, 7);
    await exportAll(e, [
      record({
        time,
        severity: SEV.WARNING,
        body: 'Session created successfully',
        event: 'session.created',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        attrs: {
          component: 'session_manager',
          operation: 'create_session',
          'session.id': 'abc123',
          'user.id': 'u-7',
          'request.id': 'req-1',
          'http.route': '/v1/chat/completions',
          'url.path': '/v1/chat/completions?x=1',
          'gen_ai.request.model': 'gpt-4o',
          duration_ms: 123.5,
          status: 'success',
          'http.response.status_code': 200,
          'gen_ai.usage.input_tokens': 12,
          'gen_ai.usage.output_tokens': 34,
          total_tokens: 46,
          'error.type': 'TimeoutError',
          'exception.message': 'upstream slow',
          'exception.stacktrace': 'at x()',
          enabled_modes: ['text', 'whiteboard'],
          retried: true,
        },
      }),
    ]);
    const [row] = rows(path, 'SELECT * FROM audit_logs');
    expect(row).toEqual({
      id: 1,
      timestamp: '2031-01-15T10:30:45.007Z',
      level: 'WARNING',
      component: 'session_manager',
      operation: 'create_session',
      message: 'Session created successfully',
      session_id: 'abc123',
      user_id: 'u-7',
      metadata: JSON.stringify({
        'url.path': '/v1/chat/completions?x=1',
        enabled_modes: ['text', 'whiteboard'],
        retried: true,
      }),
      event: 'session.created',
      request_id: 'req-1',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
      service: 'interview-platform',
      endpoint: '/v1/chat/completions',
      model: 'gpt-4o',
      duration_ms: 123.5,
      status: 'success',
      status_code: 200,
      prompt_tokens: 12,
      completion_tokens: 34,
      total_tokens: 46,
      error_type: 'TimeoutError',
      error_message: 'upstream slow',
      error_stack: 'at x()',
    });
  });

  it('maps every severity to the seed levels and writes map bodies as JSON', async () => {
    e = new SqliteExporter({ path });
    await exportAll(
      e,
      Object.values(SEV).map((severity) => record({ severity, body: { n: severity, list: [1, 'a'] } })),
    );
    const got = rows(path, 'SELECT level, message FROM audit_logs ORDER BY id');
    expect(got.map((r) => r.level)).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']);
    expect(JSON.parse(got[4]!.message as string)).toEqual({ n: 17, list: [1, 'a'] });
  });

  it('stores quotes, escapes, non-ASCII, long strings, numbers and deep maps exactly, in columns and metadata', async () => {
    e = new SqliteExporter({ path });
    const long = 'ü"\\'.repeat(40) + 'x'.repeat(100);
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 1200; i++) {
      const next: Record<string, unknown> = {};
      at.d = next;
      at = next;
    }
    const attrs = {
      component: 'sé"rv\\ice\n',
      'session.id': long,
      'user.id': 42,
      duration_ms: 0.1 + 0.2,
      'http.response.status_code': 404,
      'gen_ai.usage.input_tokens': 2 ** 53,
      status: true,
      quote: 'a"b',
      tab: 'x\ty',
      emoji: '😀 ok',
      big: 1e21,
      neg: -0.5,
      long,
    };
    await exportAll(e, [
      record({ body: `line1\nline2 "q" ${long}`, attrs }),
      record({ body: 'deep', attrs: { deep: deep as never, k: 'v"' } }),
    ]);
    const [a, b] = rows(path, 'SELECT * FROM audit_logs ORDER BY id');
    expect(a).toMatchObject({
      component: 'sé"rv\\ice\n',
      session_id: long,
      user_id: '42',
      duration_ms: 0.1 + 0.2,
      status_code: 404,
      prompt_tokens: 2 ** 53,
      status: '1',
      message: `line1\nline2 "q" ${long}`,
    });
    expect(JSON.parse(a!.metadata as string)).toEqual({
      quote: 'a"b',
      tab: 'x\ty',
      emoji: '😀 ok',
      big: 1e21,
      neg: -0.5,
      long,
    });
    expect(JSON.parse(b!.metadata as string)).toEqual({ deep, k: 'v"' });
  });

  it('merges a seed-style "metadata" map attribute into the metadata column instead of nesting it', async () => {
    e = new SqliteExporter({ path });
    await exportAll(e, [record({ attrs: { metadata: { ai_provider: 'openai', enabled_modes: ['text'] }, extra: 1 } })]);
    const [row] = rows(path, 'SELECT metadata FROM audit_logs');
    expect(JSON.parse(row!.metadata as string)).toEqual({ ai_provider: 'openai', enabled_modes: ['text'], extra: 1 });
  });

  it('never stores prompt or response content, in any column, nested map or body, even without redaction', async () => {
    const { logger, lines } = captureLogger();
    e = new SqliteExporter({ path }, { logger });
    await exportAll(e, [
      record({
        body: { prompt: 'SECRET-PROMPT-1', note: 'kept' },
        attrs: {
          prompt: 'SECRET-PROMPT-2',
          'gen_ai.prompt': 'SECRET-PROMPT-3',
          'gen_ai.input.messages': 'SECRET-PROMPT-4',
          response: 'SECRET-RESPONSE-1',
          'gen_ai.completion': 'SECRET-RESPONSE-2',
          output: 'SECRET-RESPONSE-3',
          request: { messages: ['SECRET-PROMPT-5'], temperature: 0.2 },
          metadata: { completion: 'SECRET-RESPONSE-4', ok: 1 },
          'gen_ai.usage.input_tokens': 5,
          'http.response.status_code': 200,
        },
      }),
      record({ attrs: { 'job.id': 'j1', input: 'SECRET-PROMPT-6', content: 'SECRET-RESPONSE-5' } }),
    ]);
    await e.shutdown();
    const [row] = rows(path, 'SELECT message, metadata, prompt_tokens, status_code FROM audit_logs');
    expect(JSON.parse(row!.message as string)).toEqual({ note: 'kept' });
    expect(JSON.parse(row!.metadata as string)).toEqual({ request: { temperature: 0.2 }, ok: 1 });
    expect(row!.prompt_tokens).toBe(5);
    expect(row!.status_code).toBe(200);
    for (const f of readdirSync(t.dir)) {
      const bytes = readFileSync(join(t.dir, f)).toString('latin1');
      expect(bytes).not.toMatch(/SECRET-(PROMPT|RESPONSE)/);
    }
    expect(lines.some((l) => l.includes('Dropped prompt or response content keys'))).toBe(true);
  });

  it('sends records carrying job.id to job_logs only, with progress fields', async () => {
    e = new SqliteExporter({ path });
    await exportAll(e, [
      record({
        body: 'Track 5/100 downloaded',
        attrs: {
          'job.id': 'sync-42',
          'job.progress.current': 5,
          'job.progress.total': 100,
          component: 'downloader',
          track: 'a.flac',
          model: 'not-a-job-column',
        },
      }),
      record({ body: 'not a job', attrs: { 'job.id': '' } }),
    ]);
    expect(
      rows(path, 'SELECT job_id, level, message, component, progress_current, progress_total, metadata FROM job_logs'),
    ).toEqual([
      {
        job_id: 'sync-42',
        level: 'INFO',
        message: 'Track 5/100 downloaded',
        component: 'downloader',
        progress_current: 5,
        progress_total: 100,
        metadata: JSON.stringify({ track: 'a.flac', model: 'not-a-job-column' }),
      },
    ]);
    expect(rows(path, 'SELECT message FROM audit_logs')).toEqual([{ message: 'not a job' }]);
  });

  it('lets config add promotions that take precedence, and demote a default back to metadata', async () => {
    e = new SqliteExporter({
      path,
      promote: { 'tenant.user': 'user_id', 'url.path': 'metadata', 'http.route': 'metadata' },
    });
    await exportAll(e, [
      record({ attrs: { 'user.id': 'u1', 'tenant.user': 't1', 'http.route': '/a', 'url.path': '/a/1' } }),
    ]);
    expect(rows(path, 'SELECT user_id, endpoint, metadata FROM audit_logs')).toEqual([
      {
        user_id: 't1',
        endpoint: null,
        metadata: JSON.stringify({ 'user.id': 'u1', 'http.route': '/a', 'url.path': '/a/1' }),
      },
    ]);
  });

  it('writes each export in one transaction: a record that cannot be written leaves none of its batch behind', async () => {
    e = new SqliteExporter({ path });
    await exportAll(e, [record({ body: 'before' })]);
    const attrs = { a: 1 };
    Object.defineProperty(attrs, 'broken', {
      enumerable: true,
      get() {
        throw new Error('unreadable attribute');
      },
    });
    const res = await new Promise<{ code: number; error?: Error }>((r) =>
      e.export([record({ body: 'same batch' }), record({ attrs })], r),
    );
    expect(res.code).toBe(1);
    expect(res.error?.name).toBe('PermanentError');
    expect(rows(path, 'SELECT message FROM audit_logs')).toEqual([{ message: 'before' }]);
    // A batch whose first record fails leaves nothing half-written for the next one either.
    const first = await new Promise<{ code: number }>((r) =>
      e.export([record({ attrs }), record({ body: 'dropped' })], r),
    );
    expect(first.code).toBe(1);
    await exportAll(e, [record({ body: 'after' })]);
    expect(rows(path, 'SELECT message FROM audit_logs ORDER BY id')).toEqual([
      { message: 'before' },
      { message: 'after' },
    ]);
  });

  it('keeps the order of records within a large batch', async () => {
    e = new SqliteExporter({ path });
    const batch = Array.from({ length: 5000 }, (_, i) =>
      record({ body: `m${i}`, attrs: { 'session.id': `s${i % 7}` } }),
    );
    await exportAll(e, batch);
    const got = rows(path, 'SELECT id, message FROM audit_logs ORDER BY id');
    expect(got.length).toBe(5000);
    expect(got[4999]).toEqual({ id: 5000, message: 'm4999' });
  });

  it('fails exports after shutdown with a permanent error', async () => {
    e = new SqliteExporter({ path });
    await e.shutdown();
    const res = await new Promise<{ code: number; error?: Error }>((r) => e.export([record()], r));
    expect(res.code).toBe(1);
    expect(res.error?.name).toBe('PermanentError');
  });

  it('works in-process under the SDK LoggerProvider and BatchLogRecordProcessor', async () => {
    e = new SqliteExporter({ path });
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: e })] });
    const logger = provider.getLogger('app');
    logger.emit({
      severityNumber: SEV.ERROR,
      body: 'Payment failed.',
      attributes: { component: 'billing', 'user.id': 'u9' },
    });
    logger.emit({ body: 'Track 1/3 downloaded', attributes: { 'job.id': 'j-1' } });
    await provider.shutdown();
    expect(rows(path, 'SELECT level, component, message, user_id FROM audit_logs')).toEqual([
      { level: 'ERROR', component: 'billing', message: 'Payment failed.', user_id: 'u9' },
    ]);
    expect(rows(path, 'SELECT job_id, message FROM job_logs')).toEqual([
      { job_id: 'j-1', message: 'Track 1/3 downloaded' },
    ]);
  });
});

describe('sqlite exporter – config', () => {
  it('reports retention_days problems with their YAML path', () => {
    const { errors } = parseConfig({ path: 'x.db', retention_days: { audit_logs: 0, job_logs: 'soon' } });
    expect(errors).toEqual([
      'exporters::sqlite/jobs::retention_days::audit_logs: must be a positive integer',
      'exporters::sqlite/jobs::retention_days::job_logs: must be a positive integer',
    ]);
  });

  it('requires path, refuses unknown keys and unknown promote columns, and refuses promoting content', () => {
    expect(parseConfig({ journal: 'x' }).errors).toEqual([
      'exporters::sqlite/jobs::journal: unknown key (expected one of: path, promote, retention_days, retention_interval, retention_batch_size, synchronous, busy_timeout, file_mode, dir_mode, integrity, sending_queue, retry_on_failure, timeout)',
      'exporters::sqlite/jobs::path: is required',
    ]);
    expect(parseConfig({ path: 'x.db', promote: { a: 'nope' } }).errors[0]).toMatch(
      /^exporters::sqlite\/jobs::promote::a: must be one of component, /,
    );
    expect(parseConfig({ path: 'x.db', promote: { 'gen_ai.prompt': 'error_message' } }).errors).toEqual([
      'exporters::sqlite/jobs::promote: "gen_ai.prompt" names prompt or response content, which is never stored',
    ]);
  });

  it('applies defaults: 30 days of audit logs, hourly retention, synchronous normal, a 5 s busy timeout', () => {
    const { config, errors } = parseConfig({ path: 'x.db' });
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      retention_days: { audit_logs: 30, job_logs: 90 },
      retention_interval: 3_600_000,
      synchronous: 'normal',
      busy_timeout: 5000,
      promote: {},
    });
  });

  it('refuses bad in-process options with a readable error', () => {
    expect(() => new SqliteExporter({ path: '' })).toThrow(/Invalid SQLite exporter options: path: must not be empty/);
  });
});

describe('sqlite exporter – lifecycle in a collector pipeline', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  it('shuts down without start, runs start → consume one record → shutdown, and survives a double shutdown', async () => {
    const settings = (id: string) => ({ id, logger: captureLogger().logger, telemetry: new Telemetry() });
    const parsed = (p: string) => parseConfig({ path: p }).config as never;
    const idle = sqliteExporterFactory.create(settings('sqlite/idle'), parsed(join(t.dir, 'idle.db')));
    await idle.shutdown();

    const path = join(t.dir, 'live.db');
    const exp = sqliteExporterFactory.create(settings('sqlite'), parsed(path));
    await exp.start(testHost());
    await exp.consume([record({ body: 'one' })]);
    await exp.shutdown();
    await exp.shutdown();
    expect(rows(path, 'SELECT message FROM audit_logs')).toEqual([{ message: 'one' }]);
  });
});
