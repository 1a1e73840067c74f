// The SQLite write thread. Inserts and retention deletes run here, off the
// collector's event loop, so a large transaction or purge never delays
// receivers, other exporters or queries. The main thread posts each batch as
// one UTF-8 JSON text per table in a transferred buffer, and one
// INSERT … SELECT FROM jsonb_each(?) writes it: measured against flat arrays of
// cells bound row by row, this removes the structured clone on both threads
// and costs SQLite no more than the per-row binding did.
//
// A batch may carry its span of a delivery log: the transaction then reads
// that log's stored position, skips a span already applied and stores the new
// end with the rows (see exporter.ts), so a retry or replay never writes twice.
//
// The source is a string run with `new Worker(source, { eval: true })`: that
// works the same from compiled `dist/` and from TypeScript under the test
// runner. It knows nothing of records; it runs the SQL it is given.

/** Sent once when the thread starts (as workerData). */
export interface WorkerInit {
  /** Resolved path of better-sqlite3, so `require` works from any working directory. */
  driver: string;
  path: string;
  synchronous: 'NORMAL' | 'FULL';
  /** Milliseconds a write waits for another connection's lock. */
  busyTimeout: number;
  /** `(log)` → stored position, and the upsert `(log, position)`. */
  positionGet: string;
  positionSet: string;
  /** INSERT statements by table, each taking one batch's JSON array of rows. */
  inserts: Record<string, string>;
  /** Retention DELETE statements by table: `(cutoff ISO time, batch size)`. */
  deletes: Record<string, string>;
}

export type WorkerRequest =
  /** `log` null: no span (in-process use), always written. Else written only if `end` is past the log's position. */
  | { t: 'write'; id: number; audit_logs: Uint8Array | null; job_logs: Uint8Array | null; log: string | null; end: number }
  | { t: 'retention'; id: number; cutoffs: Record<string, string>; batch: number }
  | { t: 'position'; id: number; log: string }
  | { t: 'close'; id: number };

export type WorkerReply =
  | { t: 'ready' }
  | {
    t: 'done'; id: number; error?: { code?: string; message: string }; deleted?: Record<string, number>; statements?: number;
    back?: ArrayBuffer[];
    /** A write whose span was already applied: nothing was written. */
    skipped?: boolean;
    /** Answer to 'position'. */
    position?: number;
  };

export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData: init } = require('node:worker_threads');
const { setImmediate: yieldToLoop } = require('node:timers/promises');
const Database = require(init.driver);

let db;
let positionGet;
let positionSet;
const inserts = {};
const deletes = {};
let closing = false;

function fail(id, err, m) {
  const back = m ? buffers(m) : [];
  parentPort.postMessage({ t: 'done', id, error: { code: err && err.code, message: String(err && err.message || err) }, back }, back);
}

// A write's buffers go back with its reply, for the main thread to fill again
// (no fresh multi-megabyte allocation per batch there, no free here).
function buffers(m) {
  const out = [];
  if (m.audit_logs !== null) out.push(m.audit_logs.buffer);
  if (m.job_logs !== null) out.push(m.job_logs.buffer);
  return out;
}

function done(m) {
  const back = buffers(m);
  parentPort.postMessage({ t: 'done', id: m.id, back, skipped: m.skipped }, back);
}

try {
  db = new Database(init.path);
  db.pragma('busy_timeout = ' + init.busyTimeout);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = ' + init.synchronous);
  // A 128 MiB cache keeps the hot index pages of a large file in memory (measured with the 1M-row build).
  // A larger wal_autocheckpoint (64 MiB) saved CPU on inserts too, but left the newest pages in the WAL,
  // which the memory-mapped reader reads by syscall: session-query p99 rose past 20 ms; so the default stays.
  db.pragma('cache_size = -131072');
  for (const [table, sql] of Object.entries(init.inserts)) inserts[table] = db.prepare(sql);
  for (const [table, sql] of Object.entries(init.deletes)) deletes[table] = db.prepare(sql);
  positionGet = db.prepare(init.positionGet).pluck();
  positionSet = db.prepare(init.positionSet);
} catch (err) {
  fail(-1, err);
  process.exit(1);
}

// One transaction for every batch that arrived since the last one, so a busy
// collector commits fewer, larger transactions (each touched index page is then
// written to the WAL once, not once per batch); if that fails for a reason one
// batch can cause, each batch is retried alone so one bad batch cannot fail the
// others. A lock held elsewhere fails them all at once instead: retried alone,
// each would wait the busy timeout again.
const writeTables = (m) => {
  if (m.audit_logs !== null) inserts.audit_logs.run(m.audit_logs);
  if (m.job_logs !== null) inserts.job_logs.run(m.job_logs);
};

// Inside the transaction: per log with a span in it, one read of the stored position, and one write of
// the new end if any span advanced it. A span ending at or before the position is skipped (already applied).
const apply = (batches) => {
  let at = null;
  for (const m of batches) {
    m.skipped = false;
    if (m.log !== null) {
      at ??= new Map();
      let pos = at.get(m.log);
      if (pos === undefined) at.set(m.log, pos = { stored: positionGet.get(m.log) ?? 0, end: -1 });
      if (m.end <= Math.max(pos.stored, pos.end)) { m.skipped = true; continue; }
      pos.end = m.end;
    }
    writeTables(m);
  }
  if (at !== null) for (const [log, pos] of at) if (pos.end > pos.stored) positionSet.run(log, pos.end);
};
// IMMEDIATE: the write lock is taken before the positions are read, so no other writer can move them meanwhile.
const writeMany = db.transaction(apply);

let queued = [];
let scheduled = false;

function flushWrites() {
  scheduled = false;
  const batches = queued;
  queued = [];
  if (batches.length === 0) return;
  try {
    writeMany.immediate(batches);
    for (const m of batches) done(m);
    return;
  } catch (err) {
    if (batches.length === 1 || /^SQLITE_(BUSY|LOCKED)/.test(String(err && err.code))) {
      for (const m of batches) fail(m.id, err, m);
      return;
    }
  }
  for (const m of batches) {
    try {
      writeMany.immediate([m]);
      done(m);
    } catch (err) {
      fail(m.id, err, m);
    }
  }
}

async function retention(m) {
  const deleted = {};
  let statements = 0;
  try {
    for (const table in m.cutoffs) {
      deleted[table] = 0;
      for (;;) {
        if (closing) break;
        const { changes } = deletes[table].run(m.cutoffs[table], m.batch);
        statements++;
        deleted[table] += changes;
        if (changes < m.batch) break;
        // Writes queued meanwhile run before the next DELETE.
        await yieldToLoop();
      }
    }
    if (!closing && Object.values(deleted).some((n) => n > 0)) db.pragma('optimize');
    parentPort.postMessage({ t: 'done', id: m.id, deleted, statements });
  } catch (err) {
    fail(m.id, err);
  }
}

parentPort.on('message', (m) => {
  if (m.t === 'write') {
    queued.push(m);
    if (!scheduled) { scheduled = true; setImmediate(flushWrites); }
  } else if (m.t === 'retention') {
    void retention(m);
  } else if (m.t === 'position') {
    // After the writes sent before it, so the answer includes them.
    flushWrites();
    try {
      parentPort.postMessage({ t: 'done', id: m.id, position: positionGet.get(m.log) ?? 0 });
    } catch (err) {
      fail(m.id, err);
    }
  } else if (m.t === 'close') {
    flushWrites();
    closing = true;
    try { db.pragma('optimize'); } catch {}
    db.close();
    parentPort.postMessage({ t: 'done', id: m.id });
    parentPort.close();
  }
});

parentPort.postMessage({ t: 'ready' });
`;
