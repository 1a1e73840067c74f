// auditline/log (issue #13 item 4): the seeds' fire-and-forget functions on the
// OTel logs API, written through useAuditline() to real sinks (a SQLite file, a
// MessagePack audit file read back with Python, the console exporter), and
// against the global LoggerProvider without setup. A call never throws, even
// when a processor, an exporter, the provider or the caller's fields do.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { logs, type LoggerProvider as ApiLoggerProvider } from '@opentelemetry/api-logs';
import {
  LoggerProvider,
  type LogRecordExporter,
  type LogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleExporter } from '../../exporters/console/console-exporter.js';
import { MsgpackAuditExporter } from '../../exporters/msgpack-audit/msgpack-audit-exporter.js';
import { FieldMapper } from '../../exporters/redis/field-mapping.js';
import { SqliteExporter } from '../../exporters/sqlite/exporter.js';
import { SqliteQueries } from '../../exporters/sqlite/queries.js';
import {
  flushLogs,
  log,
  logCritical,
  logDebug,
  logError,
  logEvent,
  logFailureCount,
  logInfo,
  logOperation,
  logRequest,
  logResponse,
  logTrace,
  logWarning,
  resetLogFailureCount,
  setLogErrorHandler,
  setLogProvider,
  useAuditline,
  type AuditlineLogging,
} from '../../src/log/index.js';
import { ROOT } from '../helpers/collector.js';

let dir: string;
let failures: string[];
let active: AuditlineLogging | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditline-log-'));
  failures = [];
  resetLogFailureCount();
  setLogErrorHandler((e) => failures.push(e.message));
});
afterEach(async () => {
  await active?.shutdown();
  active = undefined;
  setLogProvider(undefined);
  setLogErrorHandler(undefined);
  logs.disable();
  rmSync(dir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;

function sqliteRows(path: string): Row[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM audit_logs ORDER BY id').all() as Row[];
  } finally {
    db.close();
  }
}

/** Entries of a MessagePack audit file, read with Python's msgpack (an independent reader). */
function msgpackEntries(file: string): { action: string; session: string; data: Record<string, unknown> }[] {
  const out = execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      `
import json, msgpack, sys
with open(sys.argv[1], "rb") as f:
    print(json.dumps([e for e in msgpack.Unpacker(f, raw=False)], default=str))
`,
      file,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  return JSON.parse(out);
}

function withSinks(
  extra: { processors?: LogRecordProcessor[]; exporters?: LogRecordExporter[]; flushTimeoutMillis?: number } = {},
) {
  const db = join(dir, 'audit.db');
  const audit = join(dir, 'audit');
  active = useAuditline({
    exporters: [
      new SqliteExporter({ path: db }),
      new MsgpackAuditExporter({ directory: audit }),
      ...(extra.exporters ?? []),
    ],
    processors: extra.processors,
    serviceName: 'checkout',
    batch: {
      scheduledDelayMillis: 10,
      ...(extra.flushTimeoutMillis ? { flushTimeoutMillis: extra.flushTimeoutMillis } : {}),
    },
  });
  return { db, msgpack: join(audit, 'audit.log'), handle: active };
}

/**
 * A global SDK provider (what an application's own OTel setup looks like) with a processor that
 * keeps each record as it is emitted (the SDK's SimpleLogRecordProcessor exports a tick later).
 */
function globalMemory(): { getFinishedLogRecords(): ReadableLogRecord[] } {
  const records: ReadableLogRecord[] = [];
  const keep: LogRecordProcessor = {
    onEmit: (r) => {
      records.push(r);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  logs.setGlobalLoggerProvider(new LoggerProvider({ processors: [keep] }));
  return { getFinishedLogRecords: () => records };
}

describe('auditline/log – through useAuditline to real sinks', () => {
  it('a TRACE record lands as TRACE in sqlite and msgpack_audit (severity 1–4 end to end, through redaction)', async () => {
    const { db, msgpack, handle } = withSinks();
    logTrace('Cache probe for alice@example.com', { component: 'cache', key: 'user:42', session_id: 's-1' });
    logDebug('Debug line', { component: 'cache' });
    await handle.flush();
    const rows = sqliteRows(db);
    expect(rows.map((r) => [r.level, r.component])).toEqual([
      ['TRACE', 'cache'],
      ['DEBUG', 'cache'],
    ]);
    expect(rows[0]!.message).not.toContain('alice@example.com'); // redaction ran
    expect(rows[0]!.session_id).toBe('s-1');
    expect(rows[0]!.service).toBe('checkout');
    // The query behind `GET /api/logs/audit?level=TRACE` and `auditline logs audit --level TRACE`.
    const q = new SqliteQueries(db);
    try {
      expect(q.audit({ levels: ['TRACE'], limit: 10 }).logs.map((r) => r.message)).toEqual([rows[0]!.message]);
    } finally {
      q.close();
    }
    const entries = msgpackEntries(msgpack);
    expect(entries.map((e) => e.data.severity)).toEqual(['TRACE', 'DEBUG']);
    expect(entries[0]!.session).toBe('s-1'); // session_id written as session.id, which msgpack_audit reads
    expect(entries[0]!.data.component).toBe('cache');
    expect(failures).toEqual([]);
  });

  it('the console exporter prints TRACE records as TRACE', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (c: Buffer) => {
      out += c.toString();
    });
    active = useAuditline({
      exporters: [new ConsoleExporter({ stream, color: 'never' })],
      batch: { scheduledDelayMillis: 10 },
    });
    logTrace('Very verbose', { component: 'debugger' });
    await active.flush();
    expect(out).toMatch(/\[TRACE\] debugger: Very verbose/);
  });

  it('every level function writes its level; log() takes one by name', async () => {
    const { db, handle } = withSinks();
    logTrace('t', { component: 'c' });
    logDebug('d', { component: 'c' });
    logInfo('i', { component: 'c' });
    logWarning('w', { component: 'c' });
    logError('e', { component: 'c' });
    logCritical('x', { component: 'c' });
    log('WARNING', 'lw', { component: 'c' });
    await handle.flush();
    expect(sqliteRows(db).map((r) => r.level)).toEqual([
      'TRACE',
      'DEBUG',
      'INFO',
      'WARNING',
      'ERROR',
      'CRITICAL',
      'WARNING',
    ]);
  });

  it('writes from `level` up (default: LOG_LEVEL, else everything); shutdown() restores the global provider and all levels', async () => {
    const db = join(dir, 'levels.db');
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'warning';
    try {
      active = useAuditline({ exporters: [new SqliteExporter({ path: db })] });
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
    logTrace('t', { component: 'c' });
    logInfo('i', { component: 'c' });
    logWarning('w', { component: 'c' });
    expect(() =>
      logOperation('op', { component: 'c', operation: 'o', level: 'DEBUG' }, () => {
        throw new Error('failed');
      }),
    ).toThrow('failed');
    await active.shutdown();
    expect(sqliteRows(db).map((r) => [r.level, r.message])).toEqual([
      ['WARNING', 'w'],
      ['ERROR', 'op'],
    ]);
    const memory = globalMemory();
    logTrace('after shutdown', { component: 'c' });
    expect(memory.getFinishedLogRecords().map((r) => r.body)).toEqual(['after shutdown']);
  });

  it('logError records the error type, message and stack (sqlite error columns, msgpack attributes)', async () => {
    const { db, msgpack, handle } = withSinks();
    class QuotaError extends Error {}
    const e = new QuotaError('Quota exceeded for tenant 7');
    try {
      JSON.parse('{');
    } catch (syntax) {
      logError('Connection failed', { component: 'proxy', error: syntax, session_id: 'abc123' });
    }
    logError('Quota', { component: 'billing', operation: 'charge', error: e });
    logError('Odd throw', { component: 'proxy', error: 'plain string thrown' });
    await handle.flush();
    const rows = sqliteRows(db);
    expect(rows[0]).toMatchObject({
      level: 'ERROR',
      component: 'proxy',
      error_type: 'SyntaxError',
      session_id: 'abc123',
    });
    expect(String(rows[0]!.error_message)).toMatch(/JSON/);
    expect(String(rows[0]!.error_stack)).toMatch(/^SyntaxError: .*\n\s+at /);
    expect(rows[1]).toMatchObject({
      component: 'billing',
      operation: 'charge',
      error_type: 'QuotaError',
      error_message: 'Quota exceeded for tenant 7',
    });
    expect(String(rows[1]!.error_stack)).toContain('log.test.ts');
    expect(rows[2]).toMatchObject({ error_type: 'string', error_message: 'plain string thrown', error_stack: null });
    const entries = msgpackEntries(msgpack);
    expect(entries[1]!.data).toMatchObject({
      'exception.type': 'QuotaError',
      'exception.message': 'Quota exceeded for tenant 7',
      severity: 'ERROR',
    });
    expect(String(entries[1]!.data['exception.stacktrace'])).toContain('Quota exceeded for tenant 7');
  });

  it('logOperation records duration and outcome: sync and async, success and failure, and returns or rethrows what fn does', async () => {
    const { db, handle } = withSinks();
    logOperation('Session created successfully', {
      component: 'session_manager',
      operation: 'create_session',
      session_id: 'abc123',
      metadata: { enabled_modes: ['text', 'whiteboard'] },
    });
    expect(logOperation('sum', { component: 'math', operation: 'add' }, () => 1 + 2)).toBe(3);
    const slow = await logOperation(
      'fetch',
      { component: 'http', operation: 'fetch' },
      () => new Promise<string>((r) => setTimeout(() => r('ok'), 30)),
    );
    expect(slow).toBe('ok');
    const boom = new RangeError('out of range');
    expect(() =>
      logOperation('parse', { component: 'parser', operation: 'parse' }, () => {
        throw boom;
      }),
    ).toThrow(boom);
    await expect(
      logOperation('load', { component: 'loader', operation: 'load', level: 'DEBUG' }, async () => {
        throw new TypeError('no file');
      }),
    ).rejects.toThrow('no file');
    logOperation('trace op', { component: 'loader', operation: 'scan', level: 'TRACE' }, () => undefined);
    await handle.flush();
    const rows = sqliteRows(db);
    expect(rows.map((r) => [r.component, r.operation, r.level, r.status])).toEqual([
      ['session_manager', 'create_session', 'INFO', null],
      ['math', 'add', 'INFO', 'success'],
      ['http', 'fetch', 'INFO', 'success'],
      ['parser', 'parse', 'ERROR', 'error'],
      ['loader', 'load', 'ERROR', 'error'],
      ['loader', 'scan', 'TRACE', 'success'],
    ]);
    expect(rows[0]!.duration_ms).toBeNull();
    expect(JSON.parse(String(rows[0]!.metadata))).toMatchObject({ enabled_modes: ['text', 'whiteboard'] });
    for (const r of rows.slice(1)) expect(typeof r.duration_ms).toBe('number');
    expect(rows[2]!.duration_ms as number).toBeGreaterThan(0); // it waited for the promise
    expect(rows[3]).toMatchObject({ error_type: 'RangeError', error_message: 'out of range' });
    expect(rows[4]).toMatchObject({ error_type: 'TypeError', error_message: 'no file' });
    expect(failures).toEqual([]);
  });

  it('logEvent sets the OTel event name (sqlite event, msgpack action); logRequest/logResponse write the names the redis exporter indexes', async () => {
    const { db, msgpack, handle } = withSinks();
    logEvent('proxy_created', { component: 'proxy_manager', hostname: 'example.com', trace_id: 'evt-456' });
    logRequest('get', '/api/health', { component: 'api', client_ip: '192.168.1.1', proxy_hostname: 'api.example.com' });
    logResponse(503, 45.3, {
      component: 'api',
      method: 'GET',
      path: '/api/health',
      client_ip: '192.168.1.1',
      proxy_hostname: 'api.example.com',
      trace_id: 'req-123',
    });
    await handle.flush();
    const rows = sqliteRows(db);
    expect(rows[0]).toMatchObject({
      event: 'proxy_created',
      message: 'proxy_created',
      component: 'proxy_manager',
      level: 'INFO',
    });
    expect(rows[1]).toMatchObject({ message: 'GET /api/health', endpoint: '/api/health', level: 'INFO' });
    expect(rows[2]).toMatchObject({
      message: 'GET /api/health 503 in 45.3 ms',
      status_code: 503,
      duration_ms: 45.3,
      level: 'ERROR',
    });
    expect(msgpackEntries(msgpack)[0]!.action).toBe('proxy_created');
  });

  it("maps requests and responses onto the redis exporter's entry fields", () => {
    const memory = globalMemory();
    logRequest('GET', '/users/42', {
      component: 'api',
      client_ip: '10.0.0.1',
      proxy_hostname: 'api.example.com:8443',
      user_id: 'github-123',
    });
    logResponse(200, 12.5, {
      component: 'api',
      method: 'get',
      path: '/users/42',
      client_ip: '10.0.0.1',
      proxy_hostname: 'api.example.com',
      user_agent: 'curl/8',
      bytes_sent: 1234,
    });
    const mapper = new FieldMapper();
    const [req, res] = memory.getFinishedLogRecords().map((r) => mapper.map(r));
    expect(req!.entry).toMatchObject({
      client_ip: '10.0.0.1',
      proxy_hostname: 'api.example.com',
      method: 'GET',
      path: '/users/42',
      user_id: 'github-123',
    });
    expect(res!.isRequest).toBe(true);
    expect(res!.route).toBe('/users/:id');
    expect(res!.entry).toMatchObject({
      client_ip: '10.0.0.1',
      method: 'GET',
      status_code: 200,
      response_time_ms: 12.5,
      user_agent: 'curl/8',
      bytes_sent: 1234,
      level: 'INFO',
    });
  });
});

describe('auditline/log – component per call', () => {
  it('is required by the type, and at run time a call without one is written as "unknown" and reported', async () => {
    const memory = globalMemory();
    // @ts-expect-error component is required
    logInfo('no component', {});
    // @ts-expect-error fields (with component) are required
    logInfo('no fields');
    // @ts-expect-error component must be a string
    logWarning('numeric', { component: 7 });
    const recs = memory.getFinishedLogRecords();
    expect(recs.map((r) => r.attributes.component)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(logFailureCount()).toBe(3);
    expect(failures[0]).toBe(
      'logInfo() was called without a component; the record is written with component "unknown".',
    );
  });

  it("is fixed per call: no call changes another's, and changing the fields object afterwards changes nothing", () => {
    const memory = globalMemory();
    const fields = { component: 'billing', nested: { tier: 'gold' } };
    logInfo('first', fields);
    fields.component = 'tampered';
    fields.nested.tier = 'tampered';
    logInfo('second', { component: 'shipping' });
    const recs = memory.getFinishedLogRecords();
    expect(recs.map((r) => [r.body, r.attributes.component])).toEqual([
      ['first', 'billing'],
      ['second', 'shipping'],
    ]);
    expect(recs[0]!.attributes.nested).toEqual({ tier: 'gold' });
    expect(recs[0]!.instrumentationScope.name).toBe('auditline/log');
  });
});

describe('auditline/log – without setup', () => {
  it('writes to the global LoggerProvider, including one registered after the first call', () => {
    logInfo('before any provider', { component: 'boot' }); // the API's no-op/proxy provider: nothing, no failure
    const memory = globalMemory();
    logTrace('now recorded', { component: 'boot', n: 1 });
    const [r] = memory.getFinishedLogRecords();
    expect(r).toMatchObject({
      body: 'now recorded',
      severityNumber: 1,
      severityText: 'TRACE',
      attributes: { component: 'boot', n: 1 },
    });
    expect(logFailureCount()).toBe(0);
  });

  it('flushLogs() never rejects, with or without a provider that flushes', async () => {
    await expect(flushLogs()).resolves.toBeUndefined();
    globalMemory();
    await expect(flushLogs()).resolves.toBeUndefined();
  });
});

describe('auditline/log – never throws', () => {
  it('when a processor throws: the call returns, the failure is counted, and the sinks still get the record', async () => {
    const bad: LogRecordProcessor = {
      onEmit: () => {
        throw new Error('processor exploded');
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const { db, handle } = withSinks({ processors: [bad] });
    expect(() => logInfo('still stored', { component: 'orders' })).not.toThrow();
    await handle.flush();
    expect(sqliteRows(db).map((r) => r.message)).toEqual(['still stored']);
    expect(failures).toEqual(['processor exploded']);
    expect(logFailureCount()).toBe(1);
  });

  it('when an exporter throws in export(): reported through the same handler, the other sinks unaffected', async () => {
    const throwing: LogRecordExporter = {
      export: () => {
        throw new Error('exporter exploded');
      },
      shutdown: () => Promise.resolve(),
      forceFlush: () => Promise.resolve(),
    };
    const { db, handle } = withSinks({ exporters: [throwing], flushTimeoutMillis: 200 });
    expect(() => logError('x', { component: 'orders', error: new Error('e') })).not.toThrow();
    for (let i = 0; i < 200 && failures.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(failures.join('\n')).toMatch(/exporter exploded/);
    expect(logFailureCount()).toBeGreaterThan(0);
    // The sqlite exporter still stores it (the throwing exporter's batch processor keeps retrying).
    const stored = () => existsSync(db) && sqliteRows(db).length > 0;
    for (let i = 0; i < 500 && !stored(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(sqliteRows(db).map((r) => r.message)).toEqual(['x']);
    await handle.shutdown();
  }, 60_000);

  it('when the provider, the logger, the fields, the message or the handler throw', () => {
    const hostile = {
      getLogger: () => ({
        emit: () => {
          throw new Error('emit exploded');
        },
      }),
    } as unknown as ApiLoggerProvider;
    setLogProvider(hostile);
    expect(() => logInfo('a', { component: 'c' })).not.toThrow();
    setLogProvider({
      getLogger: () => {
        throw new Error('getLogger exploded');
      },
    } as unknown as ApiLoggerProvider);
    expect(() => logInfo('b', { component: 'c' })).not.toThrow();
    expect(failures).toEqual(['emit exploded', 'getLogger exploded']);

    setLogProvider(undefined);
    const memory = globalMemory();
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const getterThrows = {
      component: 'c',
      get secret(): string {
        throw new Error('getter exploded');
      },
    };
    const message = {
      toString() {
        throw new Error('toString exploded');
      },
    } as unknown as string;
    expect(() =>
      logInfo('circular', {
        component: 'c',
        circular,
        big: 2n ** 70n,
        when: new Date(0),
        fn: () => 1,
        sym: Symbol('s'),
      }),
    ).not.toThrow();
    expect(() => logInfo('getter', getterThrows)).not.toThrow();
    expect(() => logInfo(message, { component: 'c' })).not.toThrow();
    setLogErrorHandler(() => {
      throw new Error('handler exploded');
    });
    expect(() => logInfo('handler', getterThrows)).not.toThrow();
    expect(() => logOperation('op', { component: 'c', operation: 'o' }, 42 as unknown as () => void)).not.toThrow();

    const recs = memory.getFinishedLogRecords();
    expect(recs[0]!.attributes).toMatchObject({
      circular: { a: 1, self: '[circular]' },
      big: '1180591620717411303424',
      when: '1970-01-01T00:00:00.000Z',
      fn: '[function fn]',
      sym: 'Symbol(s)',
    });
    expect(recs[1]!.attributes).toMatchObject({ component: 'c', secret: '[unreadable]' });
    expect(recs[2]!.body).toBe('[unreadable message]');
    expect(recs).toHaveLength(5);
    expect(failures).toEqual(['emit exploded', 'getLogger exploded', 'getter exploded']);
    expect(logFailureCount()).toBe(5); // + the getter again and the bad fn, seen by the throwing handler
  });

  it('returns before anything is written: an exporter that never answers does not hold the caller', async () => {
    let calls = 0;
    const never: LogRecordExporter = {
      export: () => {
        calls++;
      },
      shutdown: () => Promise.resolve(),
      forceFlush: () => Promise.resolve(),
    };
    active = useAuditline({ exporters: [never], batch: { scheduledDelayMillis: 0, flushTimeoutMillis: 50 } });
    for (let i = 0; i < 1000; i++) logInfo('queued', { component: 'c', i });
    expect(calls).toBe(0); // nothing exported synchronously
    for (let i = 0; i < 500 && calls === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(calls).toBe(1); // the batch went out later, and is still unanswered
  });
});

describe('auditline/log – package export', () => {
  it('package.json exports ./log at the compiled module, next to "."', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, { default: string; types: string }>;
    };
    expect(pkg.exports['.']!.default).toBe('./dist/src/index.js');
    expect(pkg.exports['./log']).toEqual({ types: './dist/src/log/index.d.ts', default: './dist/src/log/index.js' });
    if (existsSync(join(ROOT, 'dist/src/log/index.js'))) {
      const out = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `
import * as m from 'auditline/log';
console.log(Object.keys(m).filter((k) => k.startsWith('log') || k === 'useAuditline').sort().join(','));
m.logInfo('no setup', { component: 'x' });
`,
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
      expect(out.trim().split(',')).toEqual(
        expect.arrayContaining([
          'logInfo',
          'logError',
          'logTrace',
          'logRequest',
          'logResponse',
          'logEvent',
          'logOperation',
          'useAuditline',
        ]),
      );
    }
  });
});
