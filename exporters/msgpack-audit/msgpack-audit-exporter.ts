// The `msgpack_audit` exporter as an SDK LogRecordExporter. A batch is encoded
// into its own compact Buffer as soon as it is handed over (`prepare`, which
// the sending queue calls on enqueue), so queues and retries hold bytes rather
// than records: records die young, which keeps garbage collection cheap under
// load. Payloads that arrive while a write is in flight go out together in the
// next write (one writev per file), in order; callbacks fire only once their
// bytes are in the file.
//
// Idempotent by delivery-log position: each write group first records its
// intent in a small state file (every file's size before and after, and the
// spans it applies; see sink-state.ts), so a failed group (ENOSPC, EIO) is cut
// back before it is reported, a crash's unconfirmed tail is cut back at the
// next start, and a span already applied is acknowledged without writing.
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { PermanentError, errorMessage } from '../../src/component/errors.js';
import { modesOf } from '../../src/config/file-mode.js';
import { exportByPreparing, type LogSpan, type PushExporter } from '../../src/exporterhelper/push-exporter.js';
import { silentLogger, type InternalLogger } from '../../src/telemetry/logger.js';
import type { Telemetry } from '../../src/telemetry/metrics.js';
import { AuditEncoder } from './audit-encoder.js';
import { AuditFiles, OVERFLOW_RECORDS, type AuditTarget } from './audit-files.js';
import { AuditIntegrity, addRunStats } from './audit-integrity.js';
import { parseMsgpackAuditOptions, type MsgpackAuditConfig, type MsgpackAuditOptions } from './config.js';
import { SinkState, type FileMark } from './sink-state.js';

/** The encoder's scratch buffer is dropped after a batch larger than this, so one burst does not pin memory. */
const MAX_RETAINED_BUFFER = 16 * 1024 * 1024;
/** Written payload buffers kept for reuse (a few are in flight at a time; see `slab`). */
const SPARE_SLABS = 4;
/** Payloads smaller than this are plain copies, not worth pooling. */
const MIN_SLAB = 64 * 1024;
/**
 * A payload built in a pipeline worker is copied to the main thread whole, buffer included: there it
 * gets a buffer of exactly its size, never a pooled one (which would make the copy larger).
 */
const POOLED = isMainThread;
const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };

type Callback = (result: ExportResult) => void;
/** One file's share of a write group, with its entries' count and time range (kept with `integrity` only). */
interface Group {
  slices: Buffer[];
  bytes: number;
  count: number;
  minTs: number;
  maxTs: number;
}
interface Waiting {
  payload: AuditPayload;
  cb: Callback;
  span: LogSpan | undefined;
}

/**
 * A batch's entries as bytes, and per run of entries the file it goes to and where the run ends.
 * It may come from another thread (a structured clone: `bytes` a Uint8Array, targets plain objects
 * known by their `file`).
 */
export interface AuditPayload {
  bytes: Buffer;
  targets: AuditTarget[];
  ends: number[];
  /** The pooled buffer `bytes` lives in, returned for reuse once written. */
  slab?: Buffer;
  /** Set once its bytes are in the file. */
  written: boolean;
  /** With `integrity`: per run, its entry count and smallest and largest timestamp. */
  stats?: number[];
}

export class MsgpackAuditExporter implements PushExporter<AuditPayload> {
  /** One append-only file must see its batches in order. */
  readonly maxConcurrency = 1;
  readonly config: MsgpackAuditConfig;
  private readonly files: AuditFiles;
  private readonly logger: InternalLogger;
  private readonly integrity: AuditIntegrity | undefined;

  /** Scratch space a batch is encoded into before its bytes are copied out exactly sized. */
  private readonly enc = new AuditEncoder();
  /**
   * Payload buffers already written, for reuse. A fresh off-heap buffer per batch counts
   * as external memory, which makes V8 run full GCs far more often under load.
   */
  private readonly spare: Buffer[] = [];
  /** Payloads waiting for the next write, with their callbacks. */
  private waiting: Waiting[] = [];
  /** Positions applied per delivery log, and the intent of the write group in progress. */
  private readonly state: SinkState;
  /** Files a failed group could not be cut back on (retried before the next group writes). */
  private undoLeft: Map<AuditTarget, FileMark> | null = null;
  /** reopen() callers waiting for the files to close. */
  private reopenWaiters: (() => void)[] = [];

  private writing = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private shutdownPromise?: Promise<void>;

  /** Takes the YAML-shaped options (`directory`, `file_name`, `max_open_files`, `fsync`, `file_mode`, `dir_mode`). */
  constructor(
    options: MsgpackAuditOptions,
    settings: { logger?: InternalLogger; telemetry?: Telemetry; id?: string } = {},
  ) {
    this.config = parseMsgpackAuditOptions(options);
    this.logger = settings.logger ?? silentLogger;
    const modes = modesOf(this.config);
    this.files = new AuditFiles(
      this.config.directory,
      this.config.file_name,
      this.config.max_open_files,
      (file, how) => {
        this.logger.warn('An audit file was moved or deleted while open; writing a new file at its path.', {
          file,
          path_now: how,
        });
      },
      modes,
    );
    const labels = { exporter: settings.id ?? 'msgpack_audit' };
    settings.telemetry?.describe(
      OVERFLOW_RECORDS,
      'Records written to the _overflow directory because max_directories directories were in use.',
    );
    this.files.limitDirectories(this.config.max_directories, (records) => {
      settings.telemetry?.add(OVERFLOW_RECORDS, records, labels);
      this.logger.burst(
        'warn',
        'overflow',
        `More than max_directories (${this.config.max_directories}) directories; records for new ones go to the overflow directory.`,
        { directory: this.files.overflowDirectory },
      );
    });
    // Beside a fixed file; in the template's base directory (hidden, so it is never taken for a collection).
    const base = this.files.template.base;
    const stateFile = this.files.fixedTarget
      ? `${this.files.fixedTarget.file}.state`
      : path.join(base, `.${this.config.file_name}.state`);
    const ic = this.config.integrity;
    this.integrity = ic
      ? new AuditIntegrity(ic, { mode: modes.file, fsync: this.config.fsync, logger: this.logger })
      : undefined;
    this.state = new SinkState(stateFile, {
      fsync: this.config.fsync,
      mode: modes.file,
      dirMode: modes.dir,
      logger: this.logger,
    });
  }

  /** Opens the fixed file (or creates the template's base directory) so a bad path fails at start-up. */
  async start(): Promise<void> {
    try {
      await this.state.load();
      await this.files.prepare();
    } catch (err) {
      throw new Error(
        `Cannot open the MessagePack audit file under "${this.files.template.base}": ${errorMessage(err)}`,
        { cause: err },
      );
    }
    try {
      this.integrity?.start();
    } catch (err) {
      throw new Error(`Cannot start msgpack_audit integrity: ${errorMessage(err)}`, { cause: err });
    }
    const fixed = this.files.fixedTarget;
    this.logger.info(
      'Appending audit entries.',
      fixed ? { file: fixed.file } : { directory: this.config.directory, base: this.files.template.base },
    );
  }

  /**
   * Encodes a batch into one Buffer of whole entries, with the file each run of
   * entries goes to. Throws (a permanent failure) on a value it cannot encode.
   */
  prepare(records: ReadableLogRecord[]): AuditPayload {
    const enc = this.enc;
    const targets: AuditTarget[] = [];
    const ends: number[] = [];
    const stats = this.integrity ? [] : undefined;
    enc.reset();
    try {
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        const t = this.files.resolve(r);
        enc.encodeRecord(r);
        const last = targets.length - 1;
        if (last >= 0 && targets[last] === t) ends[last] = enc.pos;
        else {
          targets.push(t);
          ends.push(enc.pos);
        }
        if (stats) addRunStats(stats, targets.length - 1, enc.timestamp);
      }
    } catch (err) {
      throw new PermanentError(`Cannot encode audit entries: ${errorMessage(err)}`);
    }
    const n = enc.pos;
    const slab = POOLED && n >= MIN_SLAB ? this.slab(n) : undefined;
    const bytes = slab ? slab.subarray(0, n) : POOLED ? Buffer.allocUnsafe(n) : Buffer.allocUnsafeSlow(n);
    enc.buf.copy(bytes, 0, 0, n);
    enc.reset();
    enc.shrink(MAX_RETAINED_BUFFER);
    return { bytes, targets, ends, slab, written: false, stats };
  }

  /**
   * Appends a prepared batch. Called again with the same payload (and span) on retry. With a span,
   * a batch whose span was already applied to the files is acknowledged without writing.
   */
  exportPrepared(p: AuditPayload, resultCallback: Callback, span?: LogSpan): void {
    if (this.closed) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new PermanentError('The MessagePack audit exporter is shut down.'),
      });
      return;
    }
    if (!Buffer.isBuffer(p.bytes)) {
      // Built in a pipeline worker: a Uint8Array view; its targets are found by file in writeGroup().
      const b = p.bytes as Uint8Array;
      p.bytes = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      p.slab = undefined;
    }
    // Already in the file: a retry of an attempt that timed out but then landed, or a span applied before.
    if (p.written || (span !== undefined && this.state.isLoaded && span.end <= this.state.applied(span.log))) {
      resultCallback(SUCCESS);
      return;
    }
    this.waiting.push({ payload: p, cb: resultCallback, span });
    if (!this.writing) this.drain();
  }

  export(records: ReadableLogRecord[], resultCallback: Callback): void {
    if (records.length === 0 && !this.closed) {
      resultCallback(SUCCESS);
      return;
    }
    exportByPreparing(this, records, resultCallback);
  }

  /** The end of the last span of `log` whose entries are in the files (0 when none). */
  async appliedPosition(log: string): Promise<number> {
    await this.state.load();
    return this.state.applied(log);
  }

  /** Closes every open file between two write groups; the next group reopens them at their paths (SIGHUP, logrotate). */
  reopen(): Promise<void> {
    return new Promise((resolve) => {
      this.reopenWaiters.push(resolve);
      if (!this.writing) this.drain();
    });
  }

  /** Resolves once everything handed to export() is written. */
  forceFlush(): Promise<void> {
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** With `integrity`: once what was handed over is written, checkpoints it now rather than at the next interval. */
  async checkpoint(): Promise<void> {
    await this.forceFlush();
    this.integrity?.checkpointAll(false);
  }

  /** Writes what is pending and closes the files. Later exports fail permanently. Safe to call twice. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.closed = true;
      await this.forceFlush();
      this.integrity?.shutdown();
      // A state without an intent; failing here loses nothing (the next start settles the intent).
      if (this.state.isLoaded) {
        await this.state
          .settle()
          .catch((err: unknown) =>
            this.logger.warn('Could not record the final positions.', { error: errorMessage(err) }),
          );
        this.state.close();
      }
      await this.files.closeAll();
    })();
    return this.shutdownPromise;
  }

  /** A spare buffer of at least n bytes (and not far more), or a new one. */
  private slab(n: number): Buffer {
    const spare = this.spare;
    for (let i = 0; i < spare.length; i++) {
      const b = spare[i]!;
      if (b.length >= n && b.length <= n * 4) {
        spare.splice(i, 1);
        return b;
      }
    }
    return Buffer.allocUnsafeSlow(Math.max(n, MIN_SLAB));
  }

  private drain(): void {
    this.writing = true;
    const batch = this.waiting;
    this.waiting = [];
    this.writeGroup(batch).then(
      () => this.written(batch, SUCCESS),
      (err: unknown) =>
        this.written(batch, {
          code: ExportResultCode.FAILED,
          error: err instanceof Error ? err : new Error(String(err)),
        }),
    );
  }

  private written(batch: Waiting[], result: ExportResult): void {
    // Writes are one at a time and a written payload is never written again (see exportPrepared),
    // so once written its buffer is free, even if a retry of it is still waiting; a failed one
    // may be retried, so it keeps its buffer.
    if (result.code === ExportResultCode.SUCCESS) {
      for (const { payload } of batch) {
        payload.written = true;
        if (payload.slab && this.spare.length < SPARE_SLABS) this.spare.push(payload.slab);
        payload.slab = undefined;
      }
    }
    for (const { cb } of batch) {
      try {
        cb(result);
      } catch (err) {
        this.logger.error('An export callback threw.', { error: errorMessage(err) });
      }
    }
    if (this.waiting.length > 0 || this.reopenWaiters.length > 0) {
      this.drain();
      return;
    }
    this.writing = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * One write group: the payloads not yet applied, one write per target file. The intent is recorded
   * first; if any file fails, every file of the group is cut back to its size before, then the group fails.
   */
  private async writeGroup(batch: Waiting[]): Promise<void> {
    if (this.reopenWaiters.length > 0) {
      const waiters = this.reopenWaiters.splice(0);
      this.state.close();
      await this.files.closeAll();
      for (const w of waiters) w();
    }
    if (batch.length === 0) return;
    await this.state.load();
    if (this.undoLeft !== null) await this.undo(this.undoLeft);

    // A Set keeps call order and writes a retry queued behind its own timed-out attempt once.
    const payloads = new Set<AuditPayload>();
    let ends: Map<string, number> | null = null;
    for (const { payload, span } of batch) {
      if (payload.written) continue;
      if (span !== undefined) {
        if (span.end <= this.state.applied(span.log)) continue;
        ends ??= new Map();
        if (span.end > (ends.get(span.log) ?? 0)) ends.set(span.log, span.end);
      }
      payloads.add(payload);
    }
    if (payloads.size === 0) return;

    // Map keeps the order targets were first seen; each file gets its slices in order. Targets are
    // looked up by file: a payload from another thread, or one older than a cache reset, has its own objects.
    const groups = new Map<AuditTarget, Group>();
    for (const { bytes, targets, ends: runEnds, stats } of payloads) {
      let start = 0;
      for (let i = 0; i < targets.length; i++) {
        const slice = bytes.subarray(start, runEnds[i]!);
        start = runEnds[i]!;
        const t = this.files.targetAt(targets[i]!.file);
        let g = groups.get(t);
        if (g) {
          g.slices.push(slice);
          g.bytes += slice.length;
        } else
          groups.set(t, (g = { slices: [slice], bytes: slice.length, count: 0, minTs: Infinity, maxTs: -Infinity }));
        if (stats) {
          g.count += stats[i * 3]!;
          if (stats[i * 3 + 1]! < g.minTs) g.minTs = stats[i * 3 + 1]!;
          if (stats[i * 3 + 2]! > g.maxTs) g.maxTs = stats[i * 3 + 2]!;
        }
      }
    }

    const marks = new Map<AuditTarget, FileMark>();
    const byFile = new Map<string, FileMark>();
    for (const [t, g] of groups) {
      let st;
      try {
        st = await this.files.check(t);
      } catch (err) {
        throw new Error(`Cannot open audit file "${t.file}": ${errorMessage(err)}`, { cause: err });
      }
      const mark = { before: st.size, after: st.size + g.bytes, dev: st.dev, ino: st.ino };
      this.integrity?.ready(t.file, st.size, st.ino);
      marks.set(t, mark);
      byFile.set(t.file, mark);
    }
    await this.state.intend(byFile, ends);
    const sync = this.config.fsync;
    for (const [t, g] of groups) {
      try {
        await this.files.append(t, g.slices, sync, marks.get(t)!);
      } catch (err) {
        await this.undo(marks);
        throw new Error(`Cannot append to audit file "${t.file}": ${errorMessage(err)}`, { cause: err });
      }
    }
    this.state.landed(ends);
    if (this.integrity)
      for (const [t, g] of groups) this.integrity.landed(t.file, g.slices, marks.get(t)!.before, marks.get(t)!.ino, g);
  }

  /**
   * Cuts every file of a failed group back to its size before, and closes it (the handle may have gone
   * bad; check() reopens it). A file that cannot be cut is retried before the next group writes anything.
   */
  private async undo(marks: Map<AuditTarget, FileMark>): Promise<void> {
    let left: Map<AuditTarget, FileMark> | null = null;
    let error: unknown;
    for (const [t, mark] of marks) {
      try {
        await this.files.truncate(t, mark);
      } catch (err) {
        (left ??= new Map()).set(t, mark);
        error ??= err;
      }
      await this.files.close(t);
    }
    this.undoLeft = left;
    if (left !== null) {
      this.logger.error('Could not cut a failed write back; no more is written until it can be.', {
        files: [...left.keys()].map((t) => t.file),
        error: errorMessage(error),
      });
      throw new Error(`Cannot cut a failed write back: ${errorMessage(error)}`, { cause: error });
    }
  }
}
