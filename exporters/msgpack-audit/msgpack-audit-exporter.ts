// The `msgpack_audit` exporter as an SDK LogRecordExporter. A batch is encoded
// into its own compact Buffer as soon as it is handed over (`prepare`, which
// the sending queue calls on enqueue), so queues and retries hold bytes rather
// than records: records die young, which keeps garbage collection cheap under
// load. Payloads that arrive while a write is in flight go out together in the
// next write (one writev per file), in order; callbacks fire only once their
// bytes are in the file.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { PermanentError, errorMessage } from '../../src/component/errors.js';
import { exportByPreparing, type PushExporter } from '../../src/exporterhelper/queued-exporter.js';
import { silentLogger, type InternalLogger } from '../../src/telemetry/logger.js';
import { AuditEncoder } from './audit-encoder.js';
import { AuditFiles, type AuditTarget } from './audit-files.js';
import { parseMsgpackAuditOptions, type MsgpackAuditConfig, type MsgpackAuditOptions } from './config.js';

/** The encoder's scratch buffer is dropped after a batch larger than this, so one burst does not pin memory. */
const MAX_RETAINED_BUFFER = 16 * 1024 * 1024;
/** Written payload buffers kept for reuse (a few are in flight at a time; see `slab`). */
const SPARE_SLABS = 4;
/** Payloads smaller than this are plain copies, not worth pooling. */
const MIN_SLAB = 64 * 1024;
const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };

type Callback = (result: ExportResult) => void;

/** A batch's entries as bytes, and per run of entries the file it goes to and where the run ends. */
export interface AuditPayload {
  bytes: Buffer;
  targets: AuditTarget[];
  ends: number[];
  /** The pooled buffer `bytes` lives in, returned for reuse once written. */
  slab?: Buffer;
  /** Set once its bytes are in the file. */
  written: boolean;
}

export class MsgpackAuditExporter implements PushExporter {
  /** One append-only file must see its batches in order. */
  readonly maxConcurrency = 1;
  readonly config: MsgpackAuditConfig;
  private readonly files: AuditFiles;
  private readonly logger: InternalLogger;

  /** Scratch space a batch is encoded into before its bytes are copied out exactly sized. */
  private readonly enc = new AuditEncoder();
  /**
   * Payload buffers already written, for reuse. A fresh off-heap buffer per batch counts
   * as external memory, which makes V8 run full GCs far more often under load.
   */
  private readonly spare: Buffer[] = [];
  /** Payloads waiting for the next write, with their callbacks. */
  private waiting: { payload: AuditPayload; cb: Callback }[] = [];

  private writing = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private shutdownPromise?: Promise<void>;

  /** Takes the YAML-shaped options (`directory`, `file_name`, `max_open_files`, `fsync`). */
  constructor(options: MsgpackAuditOptions, settings: { logger?: InternalLogger } = {}) {
    this.config = parseMsgpackAuditOptions(options);
    this.logger = settings.logger ?? silentLogger;
    this.files = new AuditFiles(this.config.directory, this.config.file_name, this.config.max_open_files);
  }

  /** Opens the fixed file (or creates the template's base directory) so a bad path fails at start-up. */
  async start(): Promise<void> {
    try {
      await this.files.prepare();
    } catch (err) {
      throw new Error(`Cannot open the MessagePack audit file under "${this.files.template.base}": ${errorMessage(err)}`, { cause: err });
    }
    const fixed = this.files.fixedTarget;
    this.logger.info('Appending audit entries.', fixed ? { file: fixed.file } : { directory: this.config.directory, base: this.files.template.base });
  }

  /**
   * Encodes a batch into one Buffer of whole entries, with the file each run of
   * entries goes to. Throws (a permanent failure) on a value it cannot encode.
   */
  prepare(records: ReadableLogRecord[]): AuditPayload {
    const enc = this.enc;
    const targets: AuditTarget[] = [];
    const ends: number[] = [];
    enc.reset();
    try {
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        const t = this.files.resolve(r);
        enc.encodeRecord(r);
        const last = targets.length - 1;
        if (last >= 0 && targets[last] === t) ends[last] = enc.pos;
        else { targets.push(t); ends.push(enc.pos); }
      }
    } catch (err) {
      throw new PermanentError(`Cannot encode audit entries: ${errorMessage(err)}`);
    }
    const n = enc.pos;
    const slab = n >= MIN_SLAB ? this.slab(n) : undefined;
    const bytes = slab ? slab.subarray(0, n) : Buffer.allocUnsafe(n);
    enc.buf.copy(bytes, 0, 0, n);
    enc.reset();
    enc.shrink(MAX_RETAINED_BUFFER);
    return { bytes, targets, ends, slab, written: false };
  }

  /** Appends a prepared batch. Called again with the same payload on retry. */
  exportPrepared(payload: unknown, resultCallback: Callback): void {
    if (this.closed) {
      resultCallback({ code: ExportResultCode.FAILED, error: new PermanentError('The MessagePack audit exporter is shut down.') });
      return;
    }
    const p = payload as AuditPayload;
    // A retry of an attempt that timed out but then landed: the bytes are in the file already.
    if (p.written) {
      resultCallback(SUCCESS);
      return;
    }
    this.waiting.push({ payload: p, cb: resultCallback });
    if (!this.writing) this.drain();
  }

  export(records: ReadableLogRecord[], resultCallback: Callback): void {
    if (records.length === 0 && !this.closed) {
      resultCallback(SUCCESS);
      return;
    }
    exportByPreparing(this, records, resultCallback);
  }

  /** Resolves once everything handed to export() is written. */
  forceFlush(): Promise<void> {
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Writes what is pending and closes the files. Later exports fail permanently. Safe to call twice. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.closed = true;
      await this.forceFlush();
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
    // A retry queued behind its own timed-out attempt is written once (a Set keeps call order).
    const payloads = new Set<AuditPayload>();
    for (const w of batch) if (!w.payload.written) payloads.add(w.payload);
    this.writeOut([...payloads]).then(
      () => this.written(batch, SUCCESS),
      (err: unknown) => this.written(batch, { code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) }),
    );
  }

  private written(batch: { payload: AuditPayload; cb: Callback }[], result: ExportResult): void {
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
      try { cb(result); } catch (err) { this.logger.error('An export callback threw.', { error: errorMessage(err) }); }
    }
    if (this.waiting.length > 0) {
      this.drain();
      return;
    }
    this.writing = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** One write per target file. A failing file does not stop the others; the first error is reported. */
  private async writeOut(payloads: AuditPayload[]): Promise<void> {
    const sync = this.config.fsync;
    const first = payloads[0];
    if (first === undefined) return;
    if (payloads.length === 1 && first.targets.length === 1) {
      await this.append(first.targets[0]!, [first.bytes], sync);
      return;
    }
    // Map keeps the order targets were first seen; each file gets its slices in order.
    const groups = new Map<AuditTarget, Buffer[]>();
    for (const { bytes, targets, ends } of payloads) {
      let start = 0;
      for (let i = 0; i < targets.length; i++) {
        const slice = bytes.subarray(start, ends[i]!);
        start = ends[i]!;
        const g = groups.get(targets[i]!);
        if (g) g.push(slice);
        else groups.set(targets[i]!, [slice]);
      }
    }
    let failure: unknown;
    for (const [t, slices] of groups) {
      try { await this.append(t, slices, sync); } catch (err) { failure ??= err; }
    }
    if (failure !== undefined) throw failure;
  }

  private async append(t: AuditTarget, slices: Buffer[], sync: boolean): Promise<void> {
    try {
      await this.files.append(t, slices, sync);
    } catch (err) {
      throw new Error(`Cannot append to audit file "${t.file}": ${errorMessage(err)}`, { cause: err });
    }
  }
}
