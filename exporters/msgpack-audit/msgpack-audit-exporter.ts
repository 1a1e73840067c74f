// The `msgpack_audit` exporter as an SDK LogRecordExporter: each export batch
// is encoded into one reused Buffer and appended with one write per target
// file. While a write is in flight, later batches are encoded into a second
// buffer and go out together in the next write (double buffering), so order
// is kept and callbacks fire only once their bytes are in the file.
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

export class MsgpackAuditExporter implements PushExporter {
  /** One append-only file must see its batches in order. */
  readonly maxConcurrency = 1;
  readonly config: MsgpackAuditConfig;
  private readonly files: AuditFiles;
  private readonly logger: InternalLogger;

  // Batches waiting for the next write: bytes, and per run of records the target and end offset.
  private enc = new AuditEncoder();
  private targets: AuditTarget[] = [];
  private ends: number[] = [];
  private callbacks: Callback[] = [];
  // The same for the write in flight.
  private spare = new AuditEncoder();
  private spareTargets: AuditTarget[] = [];
  private spareEnds: number[] = [];

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

  export(records: ReadableLogRecord[], resultCallback: Callback): void {
    if (this.closed) {
      resultCallback({ code: ExportResultCode.FAILED, error: new PermanentError('The MessagePack audit exporter is shut down.') });
      return;
    }
    if (records.length === 0) {
      resultCallback(SUCCESS);
      return;
    }
    const enc = this.enc;
    const targets = this.targets;
    const ends = this.ends;
    const mark = enc.pos;
    const segMark = targets.length;
    const endMark = segMark > 0 ? ends[segMark - 1]! : 0;
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
      // Roll back this batch's partial bytes so the file only ever gets whole entries.
      enc.pos = mark;
      targets.length = segMark;
      ends.length = segMark;
      if (segMark > 0) ends[segMark - 1] = endMark;
      resultCallback({ code: ExportResultCode.FAILED, error: new PermanentError(`Cannot encode audit entries: ${errorMessage(err)}`) });
      return;
    }
    this.callbacks.push(resultCallback);
    if (!this.writing) this.drain();
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
    const enc = this.enc;
    const targets = this.targets;
    const ends = this.ends;
    const callbacks = this.callbacks;
    this.enc = this.spare;
    this.targets = this.spareTargets;
    this.ends = this.spareEnds;
    this.callbacks = [];
    this.spare = enc;
    this.spareTargets = targets;
    this.spareEnds = ends;
    this.writeOut(enc.buf, targets, ends).then(
      () => this.written(callbacks, SUCCESS),
      (err: unknown) => this.written(callbacks, { code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) }),
    );
  }

  private written(callbacks: Callback[], result: ExportResult): void {
    this.spare.reset();
    this.spare.shrink(MAX_RETAINED_BUFFER);
    this.spareTargets.length = 0;
    this.spareEnds.length = 0;
    for (const cb of callbacks) {
      try { cb(result); } catch (err) { this.logger.error('An export callback threw.', { error: errorMessage(err) }); }
    }
    if (this.callbacks.length > 0) {
      this.drain();
      return;
    }
    this.writing = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** One write per target file. A failing file does not stop the others; the first error is reported. */
  private async writeOut(buf: Buffer, targets: AuditTarget[], ends: number[]): Promise<void> {
    const sync = this.config.fsync;
    if (targets.length === 1) {
      await this.append(targets[0]!, [buf.subarray(0, ends[0]!)], sync);
      return;
    }
    const groups = new Map<AuditTarget, Buffer[]>();
    let start = 0;
    for (let i = 0; i < targets.length; i++) {
      const slice = buf.subarray(start, ends[i]!);
      start = ends[i]!;
      const g = groups.get(targets[i]!);
      if (g) g.push(slice);
      else groups.set(targets[i]!, [slice]);
    }
    let first: unknown;
    for (const [t, slices] of groups) {
      try { await this.append(t, slices, sync); } catch (err) { first ??= err; }
    }
    if (first !== undefined) throw first;
  }

  private async append(t: AuditTarget, slices: Buffer[], sync: boolean): Promise<void> {
    try {
      await this.files.append(t, slices, sync);
    } catch (err) {
      throw new Error(`Cannot append to audit file "${t.file}": ${errorMessage(err)}`, { cause: err });
    }
  }
}
