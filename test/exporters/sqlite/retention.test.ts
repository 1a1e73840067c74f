import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteExporter } from '../../../exporters/sqlite/exporter.js';
import { captureLogger, record, tempDir } from './fixtures.js';

const DAY = 86_400_000;

function exportAll(e: SqliteExporter, records: ReturnType<typeof record>[]): Promise<void> {
  return new Promise((resolve, reject) => e.export(records, (r) => (r.code === 0 ? resolve() : reject(r.error))));
}

function count(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('sqlite exporter – retention', () => {
  let t: ReturnType<typeof tempDir>;
  let path: string;
  const exporters: SqliteExporter[] = [];
  beforeEach(() => {
    t = tempDir();
    path = join(t.dir, 'r.db');
  });
  afterEach(async () => {
    for (const e of exporters.splice(0)) await e.shutdown();
    t.cleanup();
  });

  const make = (
    opts: Partial<ConstructorParameters<typeof SqliteExporter>[0]> = {},
    logger = captureLogger().logger,
  ) => {
    const e = new SqliteExporter({ path, retention_batch_size: 1000, ...opts }, { logger });
    exporters.push(e);
    return e;
  };

  it("deletes rows older than each table's retention in batches of retention_batch_size, keeping the rest", async () => {
    const e = make({ retention_days: { audit_logs: 30, job_logs: 7 } });
    const now = Date.now();
    await exportAll(e, [
      ...Array.from({ length: 2500 }, (_, i) => record({ time: now - 31 * DAY - i, body: `old ${i}` })),
      record({ time: now - 29 * DAY, body: 'young enough' }),
      record({ time: now, body: 'new' }),
      ...Array.from({ length: 1200 }, (_, i) => record({ time: now - 8 * DAY - i, attrs: { 'job.id': 'j-old' } })),
      record({ time: now - 6 * DAY, attrs: { 'job.id': 'j-new' } }),
    ]);
    const result = await e.enforceRetention();
    expect(result.deleted).toEqual({ audit_logs: 2500, job_logs: 1200 });
    // 1000 + 1000 + 500 for audit_logs, 1000 + 200 for job_logs.
    expect(result.statements).toBe(5);
    expect(count(path, 'audit_logs')).toBe(2);
    expect(count(path, 'job_logs')).toBe(1);
  });

  it('yields between batches so an export issued during a long purge is committed before the purge ends', async () => {
    const e = make();
    const now = Date.now();
    await exportAll(
      e,
      Array.from({ length: 5000 }, (_, i) => record({ time: now - 40 * DAY - i })),
    );
    let purgeDone = false;
    const purge = e.enforceRetention().then((r) => {
      purgeDone = true;
      return r;
    });
    let doneWhenExported: boolean | undefined;
    await exportAll(e, [record({ body: 'during purge' })]).then(() => {
      doneWhenExported = purgeDone;
    });
    expect(doneWhenExported).toBe(false);
    expect((await purge).deleted.audit_logs).toBe(5000);
    expect(count(path, 'audit_logs')).toBe(1);
  });

  it('runs a pass at start against rows already in the file', async () => {
    const first = make({ retention_days: { audit_logs: 3650, job_logs: 3650 } });
    await exportAll(first, [record({ time: Date.now() - 100 * DAY }), record({ time: Date.now() })]);
    await first.shutdown();
    const { logger, lines } = captureLogger();
    const second = make({}, logger);
    await second.start();
    await vi.waitFor(() =>
      expect(lines.some((l) => l.includes('Deleted expired rows.') && l.includes('audit_logs=1'))).toBe(true),
    );
    expect(count(path, 'audit_logs')).toBe(1);
  });
});
