// Schema history. Each step upgrades a database from version i to i+1 and is
// run inside one IMMEDIATE transaction together with the new
// `PRAGMA user_version`, so a crash mid-upgrade leaves the old version intact.
// A fresh file runs every step, which keeps new and upgraded files identical.
import type Database from 'better-sqlite3';
import { PermanentError } from '../../src/component/errors.js';
import { INTEGRITY_TABLE_SQL } from '../../src/integrity/row-chain.js';
import { POSITIONS_TABLE, SCHEMA_VERSION } from './schema.js';

type Db = Database.Database;

const MIGRATIONS: ReadonlyArray<(db: Db) => void> = [
  // 0 → 1: the original audit and job tables (docs/sqlite-schema.md).
  (db) => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS audit_logs (
        id INTEGER PRIMARY KEY,
        timestamp TEXT NOT NULL,
        level TEXT NOT NULL,
        component TEXT,
        operation TEXT,
        message TEXT,
        session_id TEXT,
        user_id TEXT,
        metadata TEXT
      );
      CREATE TABLE IF NOT EXISTS job_logs (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        level TEXT NOT NULL,
        message TEXT,
        metadata TEXT
      );
      CREATE INDEX IF NOT EXISTS audit_logs_session ON audit_logs (session_id, timestamp);
      CREATE INDEX IF NOT EXISTS job_logs_job ON job_logs (job_id, id);`);
  },
  // 1 → 2: request-audit and trace columns (sqlite-request-audit.md), job progress, query indexes.
  (db) => {
    addColumns(db, 'audit_logs', [
      ['event', 'TEXT'],
      ['request_id', 'TEXT'],
      ['trace_id', 'TEXT'],
      ['span_id', 'TEXT'],
      ['service', 'TEXT'],
      ['endpoint', 'TEXT'],
      ['model', 'TEXT'],
      ['duration_ms', 'REAL'],
      ['status', 'TEXT'],
      ['status_code', 'INTEGER'],
      ['prompt_tokens', 'INTEGER'],
      ['completion_tokens', 'INTEGER'],
      ['total_tokens', 'INTEGER'],
      ['error_type', 'TEXT'],
      ['error_message', 'TEXT'],
      ['error_stack', 'TEXT'],
    ]);
    addColumns(db, 'job_logs', [
      ['event', 'TEXT'],
      ['component', 'TEXT'],
      ['operation', 'TEXT'],
      ['session_id', 'TEXT'],
      ['user_id', 'TEXT'],
      ['trace_id', 'TEXT'],
      ['span_id', 'TEXT'],
      ['status', 'TEXT'],
      ['progress_current', 'NUMERIC'],
      ['progress_total', 'NUMERIC'],
    ]);
    db.exec(`
      CREATE INDEX IF NOT EXISTS audit_logs_timestamp ON audit_logs (timestamp);
      CREATE INDEX IF NOT EXISTS audit_logs_user ON audit_logs (user_id, timestamp);
      CREATE INDEX IF NOT EXISTS audit_logs_level ON audit_logs (level, timestamp);
      CREATE INDEX IF NOT EXISTS audit_logs_event ON audit_logs (event, timestamp);
      CREATE INDEX IF NOT EXISTS audit_logs_component ON audit_logs (component, timestamp);
      CREATE INDEX IF NOT EXISTS job_logs_timestamp ON job_logs (timestamp);`);
  },
  // 2 → 3: each delivery log's applied position, kept with the rows (idempotent retries and replays).
  (db) => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${POSITIONS_TABLE} (log TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID`,
    );
  },
  // 3 → 4: the integrity table (signed hash chain of committed batches; empty unless `integrity` is set).
  (db) => {
    db.exec(INTEGRITY_TABLE_SQL);
  },
];

if (MIGRATIONS.length !== SCHEMA_VERSION) throw new Error('SQLite exporter: migrations and SCHEMA_VERSION disagree.');

/** Adds missing columns only, so a table someone created by hand with some of them still upgrades. */
function addColumns(db: Db, table: string, cols: [string, string][]): void {
  const have = new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name));
  for (const [name, type] of cols) {
    if (!have.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
  }
}

/** Brings the database to SCHEMA_VERSION. Returns the version it had before. */
export function migrate(db: Db): number {
  const from = assertKnownVersion(db);
  // The version is re-read inside each write transaction: another process may have upgraded meanwhile.
  const step = db.transaction(() => {
    const v = version(db);
    if (v >= SCHEMA_VERSION) return false;
    MIGRATIONS[v]!(db);
    db.pragma(`user_version = ${v + 1}`);
    return true;
  });
  while (step.immediate()) {
    /* one version per transaction */
  }
  return from;
}

/** Refuses a file from a newer Auditline before anything is changed in it. Returns its version. */
export function assertKnownVersion(db: Db): number {
  const v = version(db);
  if (v > SCHEMA_VERSION) {
    throw new PermanentError(
      `Database "${db.name}" has schema version ${v}, newer than this Auditline supports (${SCHEMA_VERSION}).`,
    );
  }
  return v;
}

function version(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}
