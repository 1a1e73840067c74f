// What the SQLite exporter (writer.ts, main thread) and its write thread
// (write-worker.ts) say to each other. The thread knows nothing of records:
// it runs the SQL it is given on the bytes it is sent.

/** Sent once when the thread starts (as workerData). */
import type { IntegrityKey } from './row-integrity.js';

export interface WorkerInit {
  path: string;
  synchronous: 'NORMAL' | 'FULL';
  /** Milliseconds a write waits for another connection's lock. */
  busyTimeout: number;
  /** `(log)` → stored position, and the upsert `(log, position)`. */
  positionGet: string;
  positionSet: string;
  /** INSERT statements by table, each taking one batch's JSON array of rows. */
  inserts: TableSql;
  /** Retention DELETE statements by table: `(cutoff ISO time, batch size)`. */
  deletes: TableSql;
  /** With `integrity`: the signing key; each transaction then appends a signed entry per table. */
  integrity?: IntegrityKey;
}

export interface TableSql {
  audit_logs: string;
  job_logs: string;
}

/** `log` null: no span (in-process use), always written. Else written only if `end` is past the log's position. */
export interface WriteRequest {
  t: 'write';
  id: number;
  audit_logs: Uint8Array | null;
  job_logs: Uint8Array | null;
  log: string | null;
  end: number;
}

export type WorkerRequest =
  | WriteRequest
  | { t: 'retention'; id: number; cutoffs: Record<string, string>; batch: number }
  | { t: 'position'; id: number; log: string }
  | { t: 'close'; id: number };

export interface WorkerError {
  code?: string;
  message: string;
}

export interface DoneReply {
  t: 'done';
  /** -1: the thread failed to start. */
  id: number;
  error?: WorkerError;
  deleted?: Record<string, number>;
  statements?: number;
  /** A write's buffers, handed back for the row builder to fill again. */
  back?: ArrayBuffer[];
  /** A write whose span was already applied: nothing was written. */
  skipped?: boolean;
  /** Answer to 'position'. */
  position?: number;
}

export type WorkerReply = { t: 'ready' } | DoneReply;
