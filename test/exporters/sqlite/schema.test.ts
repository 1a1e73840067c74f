import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteExporter } from '../../../exporters/sqlite/exporter.js';
import { AUDIT_COLUMNS, JOB_COLUMNS, SCHEMA_VERSION } from '../../../exporters/sqlite/schema.js';
import { record, tempDir } from './fixtures.js';

function exportAll(e: SqliteExporter, records: ReturnType<typeof record>[]): Promise<void> {
  return new Promise((resolve, reject) => e.export(records, (r) => (r.code === 0 ? resolve() : reject(r.error))));
}

function columns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

function indexes(db: Database.Database, table: string): string[] {
  return (
    db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name`).all(table) as {
      name: string;
    }[]
  ).map((r) => r.name);
}

describe('sqlite exporter – schema and migrations', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  it('creates the directory, a WAL database at the current schema version, both tables, the positions table and the query indexes', async () => {
    const path = join(t.dir, 'nested', 'deeper', 'auditline.db');
    const e = new SqliteExporter({ path });
    await e.start();
    await e.shutdown();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(columns(db, 'audit_logs')).toEqual(['id', ...AUDIT_COLUMNS]);
    expect(columns(db, 'job_logs')).toEqual(['id', ...JOB_COLUMNS]);
    expect(indexes(db, 'audit_logs')).toEqual([
      'audit_logs_component',
      'audit_logs_event',
      'audit_logs_level',
      'audit_logs_session',
      'audit_logs_timestamp',
      'audit_logs_user',
    ]);
    expect(indexes(db, 'job_logs')).toEqual(['job_logs_job', 'job_logs_timestamp']);
    expect(columns(db, 'auditline_positions')).toEqual(['log', 'position']);
    db.close();
  });

  it('upgrades a version-1 file made by hand, keeping its rows, and then writes the new columns', async () => {
    const path = join(t.dir, 'old.db');
    // The version-1 layout: the seed's audit table and job table, as an older Auditline wrote them.
    execFileSync('sqlite3', [
      path,
      `
      CREATE TABLE audit_logs (id INTEGER PRIMARY KEY, timestamp TEXT NOT NULL, level TEXT NOT NULL, component TEXT,
        operation TEXT, message TEXT, session_id TEXT, user_id TEXT, metadata TEXT);
      CREATE TABLE job_logs (id INTEGER PRIMARY KEY, job_id TEXT NOT NULL, timestamp TEXT NOT NULL, level TEXT NOT NULL,
        message TEXT, metadata TEXT);
      CREATE INDEX audit_logs_session ON audit_logs (session_id, timestamp);
      CREATE INDEX job_logs_job ON job_logs (job_id, id);
      INSERT INTO audit_logs (timestamp, level, component, operation, message, session_id, metadata)
        VALUES ('2024-01-15T10:30:45.123Z', 'INFO', 'session_manager', 'create_session', 'Session created successfully', 'abc123', '{"ai_provider":"openai"}');
      INSERT INTO job_logs (job_id, timestamp, level, message) VALUES ('job-1', '2024-01-15T10:30:46.000Z', 'INFO', 'Track 1/100 downloaded');
      PRAGMA user_version = 1;`,
    ]);

    const e = new SqliteExporter({ path, retention_days: { audit_logs: 100_000, job_logs: 100_000 } });
    await e.start();
    await exportAll(e, [
      record({
        body: 'Chat completion served.',
        attrs: { 'session.id': 'abc123', 'gen_ai.request.model': 'llama-3', duration_ms: 812 },
      }),
      record({
        body: 'Track 2/100 downloaded',
        attrs: { 'job.id': 'job-1', 'job.progress.current': 2, 'job.progress.total': 100 },
      }),
    ]);
    await e.shutdown();

    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(columns(db, 'audit_logs')).toEqual(['id', ...AUDIT_COLUMNS]);
    expect(columns(db, 'job_logs')).toEqual(['id', ...JOB_COLUMNS]);
    const audit = db
      .prepare('SELECT message, session_id, model, duration_ms, metadata FROM audit_logs ORDER BY id')
      .all();
    expect(audit).toEqual([
      {
        message: 'Session created successfully',
        session_id: 'abc123',
        model: null,
        duration_ms: null,
        metadata: '{"ai_provider":"openai"}',
      },
      { message: 'Chat completion served.', session_id: 'abc123', model: 'llama-3', duration_ms: 812, metadata: null },
    ]);
    const jobs = db
      .prepare('SELECT message, progress_current, progress_total FROM job_logs WHERE job_id = ? ORDER BY id')
      .all('job-1');
    expect(jobs).toEqual([
      { message: 'Track 1/100 downloaded', progress_current: null, progress_total: null },
      { message: 'Track 2/100 downloaded', progress_current: 2, progress_total: 100 },
    ]);
    expect(indexes(db, 'audit_logs')).toContain('audit_logs_user');
    expect(db.prepare('SELECT count(*) FROM auditline_positions').pluck().get()).toBe(0);
    db.close();
  });

  it('upgrades a seed-style table created without a schema version', async () => {
    const path = join(t.dir, 'seed.db');
    execFileSync('sqlite3', [
      path,
      `CREATE TABLE audit_logs (id INTEGER PRIMARY KEY, timestamp TEXT NOT NULL, level TEXT NOT NULL,
      component TEXT, operation TEXT, message TEXT, session_id TEXT, user_id TEXT, metadata TEXT, event TEXT);`,
    ]);
    const e = new SqliteExporter({ path });
    await e.start();
    await e.shutdown();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(columns(db, 'audit_logs')).toContain('error_stack');
    db.close();
  });

  it('refuses a database written by a newer schema version and leaves it untouched', async () => {
    const path = join(t.dir, 'future.db');
    execFileSync('sqlite3', [path, 'CREATE TABLE x (a); PRAGMA user_version = 99;']);
    const e = new SqliteExporter({ path });
    await expect(e.start()).rejects.toThrow(/schema version 99, newer than this Auditline supports/);
    await e.shutdown();
    expect(execFileSync('sqlite3', [path, 'PRAGMA user_version;']).toString().trim()).toBe('99');
  });
});
