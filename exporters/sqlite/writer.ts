// The write side. The database is created and migrated on the calling thread
// (once, at open); inserts and retention deletes then run on a dedicated
// worker thread with its own connection (see write-worker.ts). Each export is
// one message there (batches waiting together share a transaction); replies
// resolve in order.
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { OWNER_ONLY, type FileModes } from '../../src/config/file-mode.js';
import { assertKnownVersion, migrate } from './migrations.js';
import type { BatchText, RowBuilder, TablePlan } from './rows.js';
import { POSITIONS_TABLE, type Table } from './schema.js';
import type { IntegrityKey } from './row-integrity.js';
import type { DoneReply, WorkerInit, WorkerReply, WorkerRequest } from './write-messages.js';

/**
 * The write thread's compiled module. Beside this file when it runs compiled (dist/, a packed install);
 * when it runs from TypeScript sources (the test runner), the copy tsc put in dist/, which must be current.
 */
export function writeWorkerFile(from: string = import.meta.url): URL {
  if (!from.endsWith('.ts')) return new URL('./write-worker.js', from);
  const compiled = new URL('../../dist/exporters/sqlite/write-worker.js', from);
  const source = new URL('./write-worker.ts', from);
  const built = statSync(compiled, { throwIfNoEntry: false });
  if (!built || built.mtimeMs < statSync(source).mtimeMs) {
    throw new Error(
      `The SQLite write thread runs from ${fileURLToPath(compiled)}, which is missing or older than ` +
        'write-worker.ts; build it with `npx tsc -p tsconfig.json`.',
    );
  }
  return compiled;
}

/**
 * Creates the directory and file, switches to WAL and migrates; returns the version found before.
 * A new file is created empty with `modes.file` first: SQLite gives its -wal, -shm and -journal
 * files the database file's mode, so all of them get it.
 */
export function prepareDatabase(path: string, modes: FileModes = OWNER_ONLY): number {
  try {
    return openAndMigrate(path, modes);
  } catch (err) {
    // Name the file: SQLite's own messages ("file is not a database") and fs errors do not always.
    const e = err as NodeJS.ErrnoException;
    const message = e.message?.includes(path)
      ? e.message
      : `cannot open the SQLite database "${path}": ${e.message ?? String(err)}`;
    throw Object.assign(new Error(message, { cause: err }), e.code === undefined ? {} : { code: e.code });
  }
}

function openAndMigrate(path: string, modes: FileModes): number {
  mkdirSync(dirname(resolve(path)), { recursive: true, mode: modes.dir });
  try {
    closeSync(openSync(path, 'wx', modes.file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    assertKnownVersion(db);
    // Only takes effect on a new file. With six indexes per row, 16 KiB pages (and the writer's 64 MiB
    // cache) measured about half the CPU per insert of the 4 KiB / 2 MiB defaults.
    db.pragma('page_size = 16384');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal')
      throw new Error(`Database "${path}" could not be switched to WAL mode (got "${mode}").`);
    return migrate(db);
  } finally {
    db.close();
  }
}

/** An error reported by the write thread, keeping SQLite's code for retry decisions. */
export class SqliteWriteError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface RetentionReply {
  deleted: Record<Table, number>;
  statements: number;
}

interface Pending {
  resolve: (r: DoneReply) => void;
  reject: (e: Error) => void;
}

export class WriteWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;
  private exitError?: Error;
  readonly ready: Promise<void>;
  private closePromise?: Promise<void>;

  constructor(
    path: string,
    synchronous: 'normal' | 'full',
    busyTimeout: number,
    private readonly rows: RowBuilder,
    integrity?: IntegrityKey,
  ) {
    // One statement per batch and table: SQLite walks the batch's JSON array (see RowBuilder.add).
    const insert = (p: TablePlan) =>
      `INSERT INTO ${p.table} (${p.columns.join(', ')}) SELECT ${p.columns.map((_, i) => `value ->> ${i}`).join(', ')} FROM jsonb_each(CAST(? AS TEXT))`;
    const del = (t: Table) =>
      `DELETE FROM ${t} WHERE id IN (SELECT id FROM ${t} WHERE timestamp < ? ORDER BY timestamp LIMIT ?)`;
    const init: WorkerInit = {
      path,
      synchronous: synchronous === 'full' ? 'FULL' : 'NORMAL',
      busyTimeout,
      positionGet: `SELECT position FROM ${POSITIONS_TABLE} WHERE log = ?`,
      positionSet: `INSERT INTO ${POSITIONS_TABLE} (log, position) VALUES (?, ?) ON CONFLICT (log) DO UPDATE SET position = excluded.position`,
      inserts: { audit_logs: insert(rows.audit), job_logs: insert(rows.job) },
      deletes: { audit_logs: del('audit_logs'), job_logs: del('job_logs') },
      integrity,
    };
    this.worker = new Worker(writeWorkerFile(), { workerData: init, name: 'auditline-sqlite-writer' });
    // Idle, the thread does not keep the process alive; it is ref'd while requests are in flight.
    this.worker.unref();
    this.ready = new Promise<void>((resolveReady, rejectReady) => {
      const onMessage = (m: WorkerReply) => {
        if (m.t === 'ready') {
          this.worker.off('message', onMessage);
          resolveReady();
          return;
        }
        if (m.t === 'done' && m.id === -1)
          rejectReady(new SqliteWriteError(m.error?.message ?? 'The SQLite writer failed to start.', m.error?.code));
      };
      this.worker.on('message', onMessage);
      this.worker.once('exit', () =>
        rejectReady(this.exitError ?? new SqliteWriteError('The SQLite writer thread exited.')),
      );
    });
    this.ready.catch(() => undefined);
    this.worker.on('message', (m: WorkerReply) => {
      if (m.t !== 'done' || m.id < 0) return;
      if (m.back) for (let i = 0; i < m.back.length; i++) this.rows.recycle(m.back[i]!);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      p.resolve(m);
    });
    this.worker.on('error', (err) => {
      this.exitError = err;
    });
    this.worker.once('exit', () => {
      this.exited = true;
      const err = this.exitError ?? new SqliteWriteError('The SQLite writer thread exited.', 'SQLITE_IOERR');
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  /**
   * Writes a batch built by RowBuilder in one transaction on the writer thread; with a span, only if
   * its end is past the log's stored position, and the position moves to it in that transaction.
   * Resolves true when written, false when the span was already applied. The bytes are copied to the
   * thread (a memcpy, small beside building them), not transferred, so a failed write can be retried
   * with the same batch even if the thread died; the batch's own buffers stay the caller's (the copies
   * go back to the row builder's pool).
   */
  async writeBatch(batch: BatchText, span?: { log: string; end: number }): Promise<boolean> {
    // Exact-size copies, transferred: one memcpy each (cloning the view would copy its whole buffer).
    const audit = batch.audit_logs?.slice() ?? null;
    const job = batch.job_logs?.slice() ?? null;
    const transfer: ArrayBuffer[] = [];
    if (audit) transfer.push(audit.buffer as ArrayBuffer);
    if (job) transfer.push(job.buffer as ArrayBuffer);
    const reply = await this.request(
      { t: 'write', id: 0, audit_logs: audit, job_logs: job, log: span?.log ?? null, end: span?.end ?? 0 },
      transfer,
    );
    if (reply.error) throw new SqliteWriteError(reply.error.message, reply.error.code);
    return reply.skipped !== true;
  }

  /** The stored position of `log` (0 if none), after the writes sent before this call. */
  async position(log: string): Promise<number> {
    const reply = await this.request({ t: 'position', id: 0, log });
    if (reply.error) throw new SqliteWriteError(reply.error.message, reply.error.code);
    return reply.position ?? 0;
  }

  async retention(cutoffs: Record<Table, string>, batch: number): Promise<RetentionReply> {
    const reply = await this.request({ t: 'retention', id: 0, cutoffs, batch });
    if (reply.error) throw new SqliteWriteError(reply.error.message, reply.error.code);
    return { deleted: reply.deleted as Record<Table, number>, statements: reply.statements ?? 0 };
  }

  /** Finishes queued writes, closes the connection and ends the thread. */
  close(): Promise<void> {
    this.closePromise ??= (async () => {
      if (this.exited) return;
      try {
        await this.ready;
        await this.request({ t: 'close', id: 0 });
      } catch {
        /* already gone */
      }
      await this.worker.terminate();
    })();
    return this.closePromise;
  }

  private async request(m: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<DoneReply> {
    await this.ready;
    if (this.exited) throw this.exitError ?? new SqliteWriteError('The SQLite writer thread exited.', 'SQLITE_IOERR');
    const id = this.nextId++;
    m.id = id;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage(m, transfer);
    });
  }
}
