// In-process delivery: a synchronous burst through LoggerProvider must reach
// real sinks (a SQLite file, a MessagePack audit file read by Python) exactly
// once. The SDK's BatchLogRecordProcessor, the README's old advice, drops all
// but 2,048 of the same burst, which shows the test can fail.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  BatchLogRecordProcessor,
  InMemoryLogRecordExporter,
  LoggerProvider,
  type LogRecordExporter,
  type LogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MsgpackAuditExporter } from '../../exporters/msgpack-audit/msgpack-audit-exporter.js';
import { SqliteExporter } from '../../exporters/sqlite/exporter.js';
import { createRedactionProcessor } from '../../processors/redaction/redaction-processor.js';
import { PermanentError } from '../../src/component/errors.js';
import { AuditlineBatchProcessor } from '../../src/index.js';

const BURST = 50_000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditline-inprocess-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Emits `n` records synchronously, each with a unique request.id and an email the redaction processor masks. */
function burst(provider: LoggerProvider, n: number): void {
  const logger = provider.getLogger('checkout');
  for (let i = 0; i < n; i++) {
    logger.emit({
      eventName: 'order_placed',
      severityNumber: SeverityNumber.INFO,
      body: `Order ${i} placed by alice@example.com`,
      attributes: { 'request.id': `r-${i}`, 'session.id': 's-1', 'user.email': 'alice@example.com', seq: i },
    });
  }
}

/** Rows in the sqlite file: total, distinct request ids, and rows where the email survived redaction. */
function sqliteCounts(path: string): { rows: number; distinct: number; leaked: number } {
  const db = new Database(path, { readonly: true });
  try {
    const c = db
      .prepare('SELECT COUNT(*) AS rows, COUNT(DISTINCT request_id) AS distinct_ids FROM audit_logs')
      .get() as { rows: number; distinct_ids: number };
    const leaked = (
      db
        .prepare(
          "SELECT COUNT(*) AS n FROM audit_logs WHERE message LIKE '%alice@example.com%' OR metadata LIKE '%alice@example.com%'",
        )
        .get() as { n: number }
    ).n;
    return { rows: c.rows, distinct: c.distinct_ids, leaked };
  } finally {
    db.close();
  }
}

/** Entries in audit.log read with Python's msgpack: total and distinct request ids. */
function msgpackCounts(file: string): { rows: number; distinct: number } {
  const out = execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      `
import json, msgpack, sys
n = 0
ids = set()
with open(sys.argv[1], "rb") as f:
    for entry in msgpack.Unpacker(f, raw=False):
        n += 1
        ids.add(entry["data"].get("request.id"))
print(json.dumps({"rows": n, "distinct": len(ids)}))
`,
      file,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out) as { rows: number; distinct: number };
}

async function runBurst(makeProcessor: (exporter: LogRecordExporter) => LogRecordProcessor) {
  const dbPath = join(dir, 'audit.db');
  const audit = join(dir, 'audit');
  const provider = new LoggerProvider({
    processors: [
      createRedactionProcessor(),
      makeProcessor(new SqliteExporter({ path: dbPath })),
      makeProcessor(new MsgpackAuditExporter({ directory: audit })),
    ],
  });
  burst(provider, BURST);
  await provider.forceFlush({ timeoutMillis: 120_000 });
  const sqlite = sqliteCounts(dbPath);
  const msgpack = msgpackCounts(join(audit, 'audit.log'));
  await provider.shutdown();
  return { sqlite, msgpack };
}

/** A test exporter: fails its first `failures` calls (retryable, or permanent), then stores in the SDK's in-memory exporter. */
class Flaky implements LogRecordExporter {
  readonly memory = new InMemoryLogRecordExporter();
  calls = 0;
  constructor(
    private failures: number,
    private readonly error: () => Error = () => new Error('Sink unavailable.'),
  ) {}
  export(records: ReadableLogRecord[], done: (r: ExportResult) => void): void {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      setImmediate(() => done({ code: ExportResultCode.FAILED, error: this.error() }));
      return;
    }
    // Answers later, as a real sink does, so a synchronous burst meets a busy exporter.
    setImmediate(() => this.memory.export(records, done));
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  stored(): number[] {
    return this.memory.getFinishedLogRecords().map((r) => r.attributes.seq as number);
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('in-process – AuditlineBatchProcessor', () => {
  it('stores a synchronous burst of 50,000 records in sqlite and msgpack_audit exactly once, redacted', async () => {
    const { sqlite, msgpack } = await runBurst((exporter) => new AuditlineBatchProcessor({ exporter }));
    expect(sqlite).toEqual({ rows: BURST, distinct: BURST, leaked: 0 });
    expect(msgpack).toEqual({ rows: BURST, distinct: BURST });
  }, 180_000);

  it("the SDK's default BatchLogRecordProcessor loses most of the same burst (the test above can fail)", async () => {
    const { sqlite, msgpack } = await runBurst((exporter) => new BatchLogRecordProcessor({ exporter }));
    expect(sqlite.rows).toBeLessThan(BURST);
    expect(msgpack.rows).toBeLessThan(BURST);
  }, 180_000);

  it('keeps a failed batch and sends it again until the exporter takes it, in emit order', async () => {
    const errors: string[] = [];
    const exporter = new Flaky(3);
    const p = new AuditlineBatchProcessor({
      exporter,
      maxExportBatchSize: 100,
      retryDelayMillis: 1,
      onError: (e) => errors.push(e.message),
    });
    const provider = new LoggerProvider({ processors: [p] });
    burst(provider, 1000);
    await provider.forceFlush();
    expect(exporter.stored()).toEqual(range(1000));
    expect(p.stats()).toEqual({ queued: 0, exported: 1000, dropped: 0, failedExports: 3 });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^Export failed \(Sink unavailable\.\); \d+ log records are kept and retried\.$/);
    expect(errors[1]).toBe('Export recovered after 3 failed attempts; no log records were lost.');
    await provider.shutdown();
  });

  it('after an attempt times out, waits for its answer before sending the batch again', async () => {
    const errors: string[] = [];
    const memory = new InMemoryLogRecordExporter();
    let calls = 0;
    let held: ((r: ExportResult) => void) | undefined;
    const exporter: LogRecordExporter = {
      export: (records, done) => {
        calls++;
        if (calls === 1) {
          held = done;
          return;
        } // the first attempt hangs until released below
        memory.export(records, done);
      },
      shutdown: () => Promise.resolve(),
      forceFlush: () => Promise.resolve(),
    };
    const p = new AuditlineBatchProcessor({
      exporter,
      exportTimeoutMillis: 5,
      retryDelayMillis: 1,
      onError: (e) => errors.push(e.message),
    });
    const provider = new LoggerProvider({ processors: [p] });
    burst(provider, 10);
    const flushed = provider.forceFlush();
    for (let i = 0; i < 500 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(errors[0]).toMatch(/has not answered within 5 ms; it is retried once it does/);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
    held!({ code: ExportResultCode.FAILED, error: new Error('Timed out.') });
    await flushed;
    expect(calls).toBe(2);
    expect(memory.getFinishedLogRecords().map((r) => r.attributes.seq)).toEqual(range(10));
    await provider.shutdown();
  });

  it('drops records beyond maxQueueSize, counts them and reports the burst, never silently', async () => {
    const errors: string[] = [];
    const exporter = new Flaky(0);
    const p = new AuditlineBatchProcessor({
      exporter,
      maxQueueSize: 300,
      maxExportBatchSize: 100,
      onError: (e) => errors.push(e.message),
    });
    const provider = new LoggerProvider({ processors: [p] });
    burst(provider, 1000);
    expect(p.stats().dropped).toBe(700);
    await provider.forceFlush();
    expect(exporter.stored()).toEqual(range(300));
    expect(p.stats()).toMatchObject({ queued: 0, exported: 300, dropped: 700 });
    expect(errors).toEqual([
      'The queue is full (300 records): dropping log records until it drains. Raise maxQueueSize or emit less at once.',
      'Dropped 700 log records while the queue was full (300 records).',
    ]);
    await provider.shutdown();
  });

  it('drops and reports a batch the exporter refuses for good, and goes on with the next', async () => {
    const errors: string[] = [];
    const exporter = new Flaky(1, () => new PermanentError('Record too large.'));
    const p = new AuditlineBatchProcessor({ exporter, maxExportBatchSize: 10, onError: (e) => errors.push(e.message) });
    const provider = new LoggerProvider({ processors: [p] });
    burst(provider, 30);
    await provider.forceFlush();
    expect(exporter.stored()).toEqual(range(30).slice(10));
    expect(p.stats()).toMatchObject({ queued: 0, exported: 20, dropped: 10 });
    expect(errors).toEqual(['The exporter refused 10 log records for good; they are dropped: Record too large.']);
    await provider.shutdown();
  });

  it('exports a partial batch once scheduledDelayMillis has passed, without forceFlush()', async () => {
    const exporter = new Flaky(0);
    const p = new AuditlineBatchProcessor({ exporter, scheduledDelayMillis: 10 });
    const provider = new LoggerProvider({ processors: [p] });
    burst(provider, 3);
    // Polls (no time is asserted): before the fix the timer only re-armed itself and nothing was exported until a flush.
    for (let i = 0; i < 500 && p.stats().exported < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(exporter.stored()).toEqual(range(3));
    expect(p.stats()).toMatchObject({ queued: 0, exported: 3 });
    await provider.shutdown();
  });

  it('at shutdown, drops and reports what an exporter that keeps failing still holds after flushTimeoutMillis', async () => {
    const errors: string[] = [];
    const exporter = new Flaky(Infinity);
    const p = new AuditlineBatchProcessor({
      exporter,
      flushTimeoutMillis: 200,
      retryDelayMillis: 5,
      maxRetryDelayMillis: 20,
      onError: (e) => errors.push(e.message),
    });
    const provider = new LoggerProvider({ processors: [p] });
    burst(provider, 50);
    await provider.shutdown();
    expect(p.stats()).toMatchObject({ queued: 0, exported: 0, dropped: 50 });
    expect(errors.at(-1)).toBe('Shutdown: 50 log records were not exported within 200 ms and are dropped.');
  });

  it('shuts down without records, twice with one promise, and counts and reports a record emitted afterwards', async () => {
    const errors: string[] = [];
    const exporter = new Flaky(0);
    const p = new AuditlineBatchProcessor({ exporter, onError: (e) => errors.push(e.message) });
    const first = p.shutdown();
    expect(p.shutdown()).toBe(first);
    await first;
    await p.forceFlush();
    const provider = new LoggerProvider({ processors: [p] });
    burst(provider, 1);
    expect(p.stats()).toMatchObject({ exported: 0, dropped: 1 });
    expect(errors).toEqual(['A log record was emitted after shutdown and dropped.']);
  });

  it('flushes a partial batch on forceFlush without waiting for the schedule', async () => {
    const exporter = new Flaky(0);
    const p = new AuditlineBatchProcessor({ exporter, scheduledDelayMillis: 3_600_000 });
    const provider = new LoggerProvider({ processors: [p] });
    burst(provider, 5);
    await provider.forceFlush();
    expect(exporter.stored()).toEqual(range(5));
    await provider.shutdown();
  });
});
