// The write side: one better-sqlite3 connection in WAL mode, migrated on
// open, with one prepared INSERT per table. A batch is one transaction.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { assertKnownVersion, migrate } from './migrations.js';
import { RowBuilder } from './rows.js';

export interface OpenedDatabase {
  db: Database.Database;
  /** Schema version found in the file before migration (0 for a new file). */
  migratedFrom: number;
}

/** Opens (creating the directory and file) and migrates the database. */
export function openWritable(path: string, synchronous: 'normal' | 'full'): OpenedDatabase {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    assertKnownVersion(db);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') throw new Error(`Database "${path}" could not be switched to WAL mode (got "${mode}").`);
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    const migratedFrom = migrate(db);
    return { db, migratedFrom };
  } catch (err) {
    db.close();
    throw err;
  }
}

export class SqliteWriter {
  private readonly insertAudit: Database.Statement;
  private readonly insertJob: Database.Statement;
  private readonly writeBatch: (records: readonly ReadableLogRecord[]) => void;

  constructor(db: Database.Database, readonly rows: RowBuilder) {
    const insert = (table: string, cols: readonly string[]) =>
      db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    this.insertAudit = insert('audit_logs', rows.audit.columns);
    this.insertJob = insert('job_logs', rows.job.columns);
    const audit = rows.audit;
    this.writeBatch = db.transaction((records: readonly ReadableLogRecord[]) => {
      for (let i = 0; i < records.length; i++) {
        const p = rows.build(records[i]!);
        (p === audit ? this.insertAudit : this.insertJob).run(p.row);
      }
    });
  }

  /** Writes every record in one transaction; on error nothing of the batch is kept. */
  write(records: readonly ReadableLogRecord[]): void {
    this.writeBatch(records);
  }
}
