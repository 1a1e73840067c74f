// Idempotency by log position (issue #10): the exporter stores each log's
// position in the same transaction as the rows, so a retried or replayed span
// is written once. Real SQLite files; a second connection holds the lock.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExportResult } from '@opentelemetry/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteExporter } from '../../../exporters/sqlite/exporter.js';
import type { LogSpan } from '../../../src/exporterhelper/push-exporter.js';
import { record, tempDir } from './fixtures.js';

function send(e: SqliteExporter, payload: unknown, span?: LogSpan): Promise<ExportResult> {
  return new Promise((resolve) => e.exportPrepared(payload, resolve, span));
}

async function sendOk(e: SqliteExporter, payload: unknown, span?: LogSpan): Promise<void> {
  const r = await send(e, payload, span);
  if (r.code !== 0) throw r.error ?? new Error('export failed');
}

/** Records [first, end) of a log, with bodies that say where they came from. */
function batch(
  log: string,
  first: number,
  end: number,
  attrs: Record<string, string | number> = {},
): ReturnType<typeof record>[] {
  return Array.from({ length: end - first }, (_, i) => record({ body: `${log}:${first + i}`, attrs }));
}

function span(log: string, first: number, end: number): LogSpan {
  return { log, first, end };
}

function messages(path: string, table = 'audit_logs'): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT message FROM ${table} ORDER BY id`).pluck().all() as string[];
  } finally {
    db.close();
  }
}

function positions(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT log, position FROM auditline_positions ORDER BY log').all() as {
      log: string;
      position: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.log, r.position]));
  } finally {
    db.close();
  }
}

const range = (log: string, first: number, end: number) =>
  Array.from({ length: end - first }, (_, i) => `${log}:${first + i}`);

describe('sqlite exporter – idempotent by log position', () => {
  let t: ReturnType<typeof tempDir>;
  let path: string;
  let e: SqliteExporter | undefined;
  let other: Database.Database | undefined;
  beforeEach(() => {
    t = tempDir();
    path = join(t.dir, 'auditline.db');
  });
  afterEach(async () => {
    if (other?.inTransaction) other.exec('ROLLBACK');
    other?.close();
    other = undefined;
    await e?.shutdown();
    e = undefined;
    t.cleanup();
  });

  it('writes a span exported twice once, and a replay of it prepared afresh not at all', async () => {
    e = new SqliteExporter({ path });
    const records = batch('logs', 0, 3);
    const payload = e.prepare(records);
    await sendOk(e, payload, span('logs', 0, 3));
    await sendOk(e, payload, span('logs', 0, 3));
    // After a crash the collector replays from the log: new payload, same span.
    await sendOk(e, e.prepare(records), span('logs', 0, 3));
    expect(messages(path)).toEqual(range('logs', 0, 3));
    expect(await e.appliedPosition('logs')).toBe(3);
  });

  it('answers 0 for a log it has never written', async () => {
    e = new SqliteExporter({ path });
    expect(await e.appliedPosition('logs')).toBe(0);
    await sendOk(e, e.prepare(batch('logs', 0, 1)), span('logs', 0, 1));
    expect(await e.appliedPosition('logs#w1')).toBe(0);
  });

  it('commits a write the lock outlasted the timeout of once, though it was retried while still waiting and after', async () => {
    e = new SqliteExporter({ path });
    await e.start();
    const payload = e.prepare(batch('logs', 0, 4));
    other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    const first = send(e, payload, span('logs', 0, 4));
    // The export timeout fires; an eager runtime retries at once while the first attempt still waits for the lock.
    await sleep(100);
    const retry = send(e, payload, span('logs', 0, 4));
    await sleep(100);
    other.exec('COMMIT');
    expect((await first).code).toBe(0);
    expect((await retry).code).toBe(0);
    // And once more after both answered, as a runtime that waited for the late callback would.
    await sendOk(e, payload, span('logs', 0, 4));
    expect(messages(path)).toEqual(range('logs', 0, 4));
    expect(positions(path)).toEqual({ logs: 4 });
  });

  it('writes once a span whose first attempt failed on a lock held beyond the busy timeout, then was retried', async () => {
    e = new SqliteExporter({ path, busy_timeout: '50ms' });
    await e.start();
    await sendOk(e, e.prepare(batch('logs', 0, 2)), span('logs', 0, 2));
    const payload = e.prepare(batch('logs', 2, 5));
    other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    const first = send(e, payload, span('logs', 2, 5));
    const retry = send(e, payload, span('logs', 2, 5)); // started before the first answered
    await sleep(300);
    other.exec('COMMIT');
    const results = [await first, await retry];
    for (const r of results) if (r.code !== 0) expect((r.error as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
    // Whatever the timing, a retry after the lock is gone succeeds and adds nothing twice.
    await sendOk(e, payload, span('logs', 2, 5));
    await sendOk(e, payload, span('logs', 2, 5));
    expect(messages(path)).toEqual(range('logs', 0, 5));
    expect(await e.appliedPosition('logs')).toBe(5);
  });

  it('writes nothing for a payload retried after it committed and after later batches reused the row buffers', async () => {
    e = new SqliteExporter({ path });
    const big = { 'session.id': 'x'.repeat(200) };
    const p1 = e.prepare(batch('a', 0, 50, big));
    await sendOk(e, p1); // no span: in-process use
    const p2 = e.prepare(batch('b', 0, 50, big));
    const p3 = e.prepare(batch('c', 0, 50, big));
    await sendOk(e, p2);
    const again = await send(e, p1);
    expect(again.code).toBe(0);
    await sendOk(e, p3);
    expect(messages(path)).toEqual([...range('a', 0, 50), ...range('b', 0, 50), ...range('c', 0, 50)]);
  });

  it('tracks positions per log when spans of two logs interleave and share transactions', async () => {
    e = new SqliteExporter({ path });
    await e.start();
    const spans = [
      span('logs', 0, 2),
      span('logs#w1', 0, 3),
      span('logs', 2, 5),
      span('logs#w1', 3, 4),
      span('audit', 0, 1),
    ];
    // All in flight at once: the writer commits them together.
    const results = await Promise.all(spans.map((s) => send(e!, e!.prepare(batch(s.log, s.first, s.end)), s)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    // Replays of every span, of both logs, again in one go, plus one new span.
    const replays = [...spans, span('logs#w1', 4, 6)];
    await Promise.all(replays.map((s) => sendOk(e!, e!.prepare(batch(s.log, s.first, s.end)), s)));
    expect(messages(path).sort()).toEqual(
      [...range('logs', 0, 5), ...range('logs#w1', 0, 6), ...range('audit', 0, 1)].sort(),
    );
    expect(positions(path)).toEqual({ audit: 1, logs: 5, 'logs#w1': 6 });
    expect(await e.appliedPosition('logs')).toBe(5);
    expect(await e.appliedPosition('logs#w1')).toBe(6);
  });

  it('keeps positions in the database file: a new exporter instance reads them and skips what is there', async () => {
    const first = new SqliteExporter({ path });
    await sendOk(first, first.prepare(batch('logs', 0, 3)), span('logs', 0, 3));
    await sendOk(first, first.prepare(batch('logs#w1', 0, 2, { 'job.id': 'j1' })), span('logs#w1', 0, 2));
    await first.shutdown();

    e = new SqliteExporter({ path });
    expect(await e.appliedPosition('logs')).toBe(3);
    expect(await e.appliedPosition('logs#w1')).toBe(2);
    await sendOk(e, e.prepare(batch('logs', 0, 3)), span('logs', 0, 3));
    await sendOk(e, e.prepare(batch('logs', 3, 4)), span('logs', 3, 4));
    expect(messages(path)).toEqual(range('logs', 0, 4));
    expect(messages(path, 'job_logs')).toEqual(range('logs#w1', 0, 2));
    expect(await e.appliedPosition('logs')).toBe(4);
  });

  it('leaves the position unchanged when a batch fails, and commits the other logs sharing its transaction', async () => {
    e = new SqliteExporter({ path });
    await e.start();
    await sendOk(e, e.prepare(batch('logs', 0, 2)), span('logs', 0, 2));
    // A real failure inside SQLite, on the last row of the batch.
    const db = new Database(path);
    db.exec(`CREATE TRIGGER poison BEFORE INSERT ON audit_logs WHEN NEW.message = 'logs:4'
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`);
    db.close();
    const [bad, good] = await Promise.all([
      send(e, e.prepare(batch('logs', 2, 5)), span('logs', 2, 5)),
      send(e, e.prepare(batch('logs#w1', 0, 2)), span('logs#w1', 0, 2)),
    ]);
    expect(bad.code).toBe(1);
    expect(good.code).toBe(0);
    expect(messages(path)).toEqual([...range('logs', 0, 2), ...range('logs#w1', 0, 2)]);
    expect(positions(path)).toEqual({ logs: 2, 'logs#w1': 2 });
    expect(await e.appliedPosition('logs')).toBe(2);
  });
});
