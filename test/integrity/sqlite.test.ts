// sqlite with `integrity`: a signed entry per table per committed transaction, and
// `auditline verify DB` failing at the right table and row for every kind of tampering.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteExporter } from '../../exporters/sqlite/exporter.js';
import { record } from '../exporters/sqlite/fixtures.js';
import { makeKey, removeTempDirs, tempDir, verify } from './helpers.js';

const DAY = 86_400_000;

function exportAll(e: SqliteExporter, records: ReturnType<typeof record>[]): Promise<void> {
  return new Promise((resolve, reject) => e.export(records, (r) => (r.code === 0 ? resolve() : reject(r.error))));
}
let dir: string;
let path: string;
let key: { keyFile: string; verifyFile: string };

/** Three transactions: 4 audit rows each (ids 1-12) and one job row each (ids 1-3); the first batch 100 days old. */
async function writeThreeBatches(): Promise<void> {
  const e = new SqliteExporter({ path, integrity: { key_file: key.keyFile } });
  await e.start();
  for (let b = 0; b < 3; b++) {
    const time = b === 0 ? Date.now() - 100 * DAY : Date.now() - (3 - b) * 1000;
    const rows = Array.from({ length: 4 }, (_, i) =>
      record({ time, body: `audit ${b * 4 + i}`, attrs: { n: b * 4 + i } }),
    );
    rows.push(record({ time, body: `job step ${b}`, attrs: { 'job.id': 'job-1' } }));
    await exportAll(e, rows);
  }
  await e.shutdown();
}

function sql(statement: string, ...params: unknown[]): void {
  const db = new Database(path);
  try {
    db.prepare(statement).run(...params);
  } finally {
    db.close();
  }
}

const check = async (pattern: RegExp, code = 1) => {
  const r = await verify([path, '--public-key', key.verifyFile]);
  expect(r.out).toMatch(pattern);
  expect(r.code).toBe(code);
  return r.out;
};

beforeEach(async () => {
  dir = tempDir();
  path = join(dir, 'auditline.db');
  key = makeKey(dir);
  await writeThreeBatches();
});

afterAll(removeTempDirs);

describe('integrity – sqlite', () => {
  it("integrity – an untouched database verifies, naming each table's covered rows", async () => {
    const out = await check(/^OK: 6 signed integrity entries/, 0);
    expect(out).toMatch(/audit_logs: rows id 1–12 \(12 rows, .+\) match 3 batch entries\./);
    expect(out).toMatch(/job_logs: rows id 1–3 \(3 rows, .+\) match 3 batch entries\./);
  });

  it('integrity – an edited row fails at its batch', async () => {
    sql(`UPDATE audit_logs SET message = 'nothing happened' WHERE id = 6`);
    await check(
      /FAILED at audit_logs rows id 5–8 \(auditline_integrity seq 2\): the rows do not match: a row there was changed\./,
    );
  });

  it('integrity – a deleted row fails naming its id', async () => {
    sql(`DELETE FROM job_logs WHERE id = 2`);
    await check(/FAILED at job_logs row id 2: the row is missing/);
  });

  it('integrity – an inserted row fails naming its id', async () => {
    sql(`INSERT INTO audit_logs (timestamp, level, message) VALUES ('2026-01-01T00:00:00.000Z', 'INFO', 'forged')`);
    await check(/FAILED at audit_logs row id 13: no integrity entry covers it/);
  });

  it('integrity – an edited, deleted or forged integrity entry breaks the chain there', async () => {
    sql(`UPDATE auditline_integrity SET rows = 3 WHERE seq = 2`);
    await check(/FAILED at auditline_integrity seq 2: the signature does not match/);
    await writeFresh();
    sql(`DELETE FROM auditline_integrity WHERE seq = 3`);
    await check(/FAILED at auditline_integrity seq 4: it does not follow entry 2/);
    const other = makeKey(dir, 'ed25519', 'other');
    const r = await verify([path, '--public-key', other.verifyFile]);
    expect(r.out).toMatch(
      /FAILED at auditline_integrity seq 0: signed with ed25519 key [0-9a-f]{16}, not with the given/,
    );
    expect(r.code).toBe(1);
  });

  it('integrity – retention removes whole old batches and records it; the database still verifies', async () => {
    const e = new SqliteExporter({ path, integrity: { key_file: key.keyFile } });
    const result = await e.enforceRetention();
    await e.shutdown();
    expect(result.deleted).toEqual({ audit_logs: 4, job_logs: 1 });
    const out = await check(/^OK: 8 signed integrity entries/, 0);
    expect(out).toMatch(
      /audit_logs: rows id 5–12 \(8 rows, .+\) match 3 batch entries; rows id up to 4 were removed by retention \(recorded\)\./,
    );
    sql(
      `INSERT INTO audit_logs (id, timestamp, level, message) VALUES (2, '2026-01-01T00:00:00.000Z', 'INFO', 'forged')`,
    );
    await check(/FAILED at audit_logs row id 2: retention removed audit_logs rows id 1–4/);
  });

  it('integrity – rows deleted before retention ran are still reported once retention removed their batch', async () => {
    sql(`DELETE FROM audit_logs WHERE id = 3`);
    const e = new SqliteExporter({ path, integrity: { key_file: key.keyFile } });
    await e.enforceRetention();
    await e.shutdown();
    await check(
      /FAILED at auditline_integrity seq 6: retention removed audit_logs rows id 1–4, but 3 of their 4 rows were there/,
    );
  });
});

async function writeFresh(): Promise<void> {
  dir = tempDir();
  path = join(dir, 'auditline.db');
  key = makeKey(dir);
  await writeThreeBatches();
}
