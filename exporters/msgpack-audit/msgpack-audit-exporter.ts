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
import type { PushExporter } from '../../src/exporterhelper/queued-exporter.js';
import { silentLogger, type InternalLogger } from '../../src/telemetry/logger.js';
import { AuditEncoder } from './audit-encoder.js';
import { AuditFiles, type AuditTarget } from './audit-files.js';
import { parseMsgpackAuditOptions, type MsgpackAuditConfig, type MsgpackAuditOptions } from './config.js';

/** Encode buffers larger than this are dropped after a write, so one burst does not pin memory. */
const MAX_RETAINED_BUFFER = 16 * 1024 * 1024;
const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };

type Callback = (result: ExportResult) => void;

/** A batch's entries as bytes, and per run of entries the file it goes to and where the run ends. */
export interface AuditPayload {
  bytes: Buffer;
  targets: AuditTarget[];
  ends: number[];
}

export class MsgpackAuditExporter implements PushExporter {
  /** One append-only file must see its batches in order. */
  readonly maxConcurrency = 1;
  readonly config: MsgpackAuditConfig;
  private readonly files: AuditFiles;
  private readonly logger: InternalLogger;

  /** Scratch space a batch is encoded into before its bytes are copied out exactly sized. */
  private readonly enc = new AuditEncoder();
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
    const bytes = Buffer.from(enc.bytes());
    enc.reset();
    enc.shrink(MAX_RETAINED_BUFFER);
    return { bytes, targets, ends };
  }

  /** Appends a prepared batch. Called again with the same payload on retry. */
  exportPrepared(payload: unknown, resultCallback: Callback): void {
    if (this.closed) {
      resultCallback({ code: ExportResultCode.FAILED, error: new PermanentError('The MessagePack audit exporter is shut down.') });
      return;
    }
    this.waiting.push({ payload: payload as AuditPayload, cb: resultCallback });
    if (!this.writing) this.drain();
  }

  export(records: ReadableLogRecord[], resultCallback: Callback): void {
    if (records.length === 0 && !this.closed) {
      resultCallback(SUCCESS);
      return;
    }
    let payload: AuditPayload;
    try {
      payload = this.prepare(records);
    } catch (err) {
      resultCallback({ code: ExportResultCode.FAILED, error: err as Error });
      return;
    }
    this.exportPrepared(payload, resultCallback);
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

  private drain(): void {
    this.writing = true;
    const batch = this.waiting;
    this.waiting = [];
    this.writeOut(batch.map((w) => w.payload)).then(
      () => this.written(batch, SUCCESS),
      (err: unknown) => this.written(batch, { code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) }),
    );
  }

  private written(batch: { cb: Callback }[], result: ExportResult): void {
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
    const first = payloads[0]!;
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
