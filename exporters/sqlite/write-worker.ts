// The SQLite write thread (started by writer.ts from this file's compiled
// form). Inserts and retention deletes run here, off the collector's event
// loop, so a large transaction or purge never delays receivers, other
// exporters or queries. The main thread posts each batch as one UTF-8 JSON
// text per table in a transferred buffer, and one
// INSERT … SELECT FROM jsonb_each(?) writes it: no structured clone on either
// thread, and SQLite costs no more than binding row by row (measured).
//
// A batch may carry its span of a delivery log: the transaction then reads
// that log's stored position, skips a span already applied and stores the new
// end with the rows (see exporter.ts), so a retry or replay never writes twice.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { RowIntegrity } from './row-integrity.js';
import type { DoneReply, TableSql, WorkerError, WorkerInit, WorkerRequest, WriteRequest } from './write-messages.js';

type Table = keyof TableSql;
const TABLES: readonly Table[] = ['audit_logs', 'job_logs'];
const BUSY = /^SQLITE_(BUSY|LOCKED)/;

/** A write waiting for the next transaction; `skipped` is set inside it. */
interface QueuedWrite extends WriteRequest {
  skipped?: boolean;
}

const port = parentPort!;
const init = workerData as WorkerInit;

function asWorkerError(err: unknown): WorkerError {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  return { code, message: String((e && e.message) || err) };
}

function reply(m: DoneReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

// A write's buffers go back with its reply, for the main thread to fill again
// (no fresh multi-megabyte allocation per batch there, no free here).
function buffers(m: WriteRequest): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (m.audit_logs !== null) out.push(m.audit_logs.buffer as ArrayBuffer);
  if (m.job_logs !== null) out.push(m.job_logs.buffer as ArrayBuffer);
  return out;
}

function fail(id: number, err: unknown, m?: WriteRequest): void {
  const back = m ? buffers(m) : [];
  reply({ t: 'done', id, error: asWorkerError(err), back }, back);
}

function done(m: QueuedWrite): void {
  const back = buffers(m);
  reply({ t: 'done', id: m.id, back, skipped: m.skipped }, back);
}

function openDatabase(): Database.Database {
  const db = new Database(init.path);
  db.pragma(`busy_timeout = ${init.busyTimeout}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${init.synchronous}`);
  // A 128 MiB cache keeps a large file's hot index pages in memory. The WAL autocheckpoint stays at its
  // default: a larger one saved insert CPU but raised query p99 (the reader then reads the WAL by syscall).
  db.pragma('cache_size = -131072');
  return db;
}

class Writer {
  private readonly inserts: Record<Table, Database.Statement<[Uint8Array]>>;
  private readonly deletes: Record<Table, Database.Statement<[string, number]>>;
  private readonly positionGet: Database.Statement<[string], number>;
  private readonly positionSet: Database.Statement<[string, number]>;
  private readonly writeMany: Database.Transaction<(batches: QueuedWrite[]) => void>;
  private readonly integrity: RowIntegrity | undefined;
  private readonly pruneTx: Database.Transaction<(table: Table, cutoff: string, batch: number) => number> | undefined;
  private queued: QueuedWrite[] = [];
  private scheduled = false;
  private closing = false;

  constructor(private readonly db: Database.Database) {
    const prep = <A extends unknown[]>(sql: string) => db.prepare<A>(sql);
    this.inserts = { audit_logs: prep(init.inserts.audit_logs), job_logs: prep(init.inserts.job_logs) };
    this.deletes = { audit_logs: prep(init.deletes.audit_logs), job_logs: prep(init.deletes.job_logs) };
    this.positionGet = db.prepare<[string], number>(init.positionGet).pluck();
    this.positionSet = prep(init.positionSet);
    this.writeMany = db.transaction((batches: QueuedWrite[]) => this.apply(batches));
    this.integrity = init.integrity ? new RowIntegrity(db, init.integrity, TABLES) : undefined;
    const integrity = this.integrity;
    this.pruneTx =
      integrity &&
      db.transaction((table: Table, cutoff: string, batch: number) => integrity.prune(table, cutoff, batch));
  }

  /**
   * Inside the transaction: per log with a span in it, one read of the stored position, and one write of
   * the new end if any span advanced it. A span ending at or before the position is skipped (already applied).
   */
  private apply(batches: QueuedWrite[]): void {
    let at: Map<string, { stored: number; end: number }> | null = null;
    const ids: Record<Table, [number, number]> | undefined = this.integrity
      ? { audit_logs: [0, 0], job_logs: [0, 0] }
      : undefined;
    for (const m of batches) {
      m.skipped = false;
      if (m.log !== null) {
        at ??= new Map();
        let pos = at.get(m.log);
        if (pos === undefined) at.set(m.log, (pos = { stored: this.storedPosition(m.log), end: -1 }));
        if (m.end <= Math.max(pos.stored, pos.end)) {
          m.skipped = true;
          continue;
        }
        pos.end = m.end;
      }
      for (const table of TABLES) {
        const rows = m[table];
        if (rows === null) continue;
        const r = this.inserts[table].run(rows);
        // Ids of one transaction's inserts are consecutive: it holds the write lock, and ids are max + 1.
        if (ids && r.changes > 0) {
          const last = Number(r.lastInsertRowid);
          if (ids[table][0] === 0) ids[table][0] = last - r.changes + 1;
          ids[table][1] = last;
        }
      }
    }
    if (ids)
      for (const table of TABLES) if (ids[table][1] > 0) this.integrity?.record(table, ids[table][0], ids[table][1]);
    if (at !== null) for (const [log, pos] of at) if (pos.end > pos.stored) this.positionSet.run(log, pos.end);
  }

  private storedPosition(log: string): number {
    return this.positionGet.get(log) ?? 0;
  }

  write(m: WriteRequest): void {
    this.queued.push(m);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushWrites());
    }
  }

  /**
   * One transaction for every batch that arrived since the last one, so a busy collector commits fewer,
   * larger transactions (each touched index page is then written to the WAL once, not once per batch).
   * If that fails for a reason one batch can cause, each batch is retried alone so one bad batch cannot
   * fail the others. A lock held elsewhere fails them all at once instead: retried alone, each would
   * wait the busy timeout again. IMMEDIATE: the write lock is taken before the positions are read.
   */
  flushWrites(): void {
    this.scheduled = false;
    const batches = this.queued;
    this.queued = [];
    if (batches.length === 0) return;
    try {
      this.writeMany.immediate(batches);
      for (const m of batches) done(m);
      return;
    } catch (err) {
      if (batches.length === 1 || BUSY.test(asWorkerError(err).code ?? '')) {
        for (const m of batches) fail(m.id, err, m);
        return;
      }
    }
    for (const m of batches) {
      try {
        this.writeMany.immediate([m]);
        done(m);
      } catch (err) {
        fail(m.id, err, m);
      }
    }
  }

  async retention(id: number, cutoffs: Record<string, string>, batch: number): Promise<void> {
    const deleted: Record<string, number> = {};
    let statements = 0;
    try {
      for (const table of TABLES) {
        const cutoff = cutoffs[table];
        if (cutoff === undefined) continue;
        deleted[table] = 0;
        while (!this.closing) {
          const changes = this.pruneTx
            ? this.pruneTx.immediate(table, cutoff, batch)
            : this.deletes[table].run(cutoff, batch).changes;
          statements++;
          deleted[table] += changes;
          if (this.pruneTx ? changes === 0 : changes < batch) break;
          // Writes queued meanwhile run before the next DELETE.
          await yieldToLoop();
        }
      }
      if (!this.closing && Object.values(deleted).some((n) => n > 0)) this.db.pragma('optimize');
      reply({ t: 'done', id, deleted, statements });
    } catch (err) {
      fail(id, err);
    }
  }

  /** After the writes sent before it, so the answer includes them. */
  position(id: number, log: string): void {
    this.flushWrites();
    try {
      reply({ t: 'done', id, position: this.storedPosition(log) });
    } catch (err) {
      fail(id, err);
    }
  }

  close(id: number): void {
    this.flushWrites();
    this.closing = true;
    try {
      this.db.pragma('optimize');
    } catch {
      // Best effort: the connection closes either way.
    }
    this.db.close();
    reply({ t: 'done', id });
    port.close();
  }
}

let writer: Writer;
try {
  writer = new Writer(openDatabase());
} catch (err) {
  fail(-1, err);
  process.exit(1);
}

port.on('message', (m: WorkerRequest) => {
  switch (m.t) {
    case 'write':
      writer.write(m);
      break;
    case 'retention':
      void writer.retention(m.id, m.cutoffs, m.batch);
      break;
    case 'position':
      writer.position(m.id, m.log);
      break;
    case 'close':
      writer.close(m.id);
      break;
  }
});

port.postMessage({ t: 'ready' });
