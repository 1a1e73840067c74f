// The `file` exporter: JSON lines, one record per line, written in one chunk
// per batch to a size-rotated file. Writes run one at a time (several delivery
// logs may feed one instance) so lines never interleave and rotation sees a
// consistent size. Idempotent by delivery-log position: one record is one
// line, so the position applied per log is kept per line written (in the
// state file `<path>.state`); a batch already applied is acknowledged without
// writing, and a retry after part of a batch landed (before a rotation)
// writes only the rest.
import path from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Host } from '../../src/component/types.js';
import type { LogSpan, PushExporter } from '../../src/exporterhelper/queued-exporter.js';
import { modesOf } from '../../src/config/file-mode.js';
import { silentLogger, type InternalLogger } from '../../src/telemetry/logger.js';
import { SinkState } from '../msgpack-audit/sink-state.js';
import { maxFileBytes, type FileConfig } from './config.js';
import { RecordJson } from './record-json.js';
import { RotatingFile, type LinePosition } from './rotating-file.js';

const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };
const ignore = () => {};

export class FileLogExporter implements PushExporter {
  readonly maxConcurrency = 1;
  private readonly file: RotatingFile;
  private readonly state: SinkState;
  private readonly json = new RecordJson();
  private opened = false;
  /** The last write queued; each write starts when the one before has finished. */
  private tail: Promise<void> = Promise.resolve();
  /** Without a span: a failed batch and how many of its lines are in files, so its retry skips them. */
  private partial: { records: ReadableLogRecord[]; lines: number } | null = null;

  constructor(cfg: FileConfig, settings: { logger?: InternalLogger } = {}) {
    const logger = settings.logger ?? silentLogger;
    const file = path.resolve(cfg.path);
    const modes = modesOf(cfg);
    this.state = new SinkState(`${file}.state`, { fsync: false, mode: modes.file, dirMode: modes.dir, logger });
    this.file = new RotatingFile(file, {
      maxBytes: maxFileBytes(cfg.rotation),
      maxBackups: cfg.rotation.max_backups,
      maxDays: cfg.rotation.max_days,
      localtime: cfg.rotation.localtime,
      truncate: !cfg.append,
      modes,
    }, this.state, (how) => logger.warn('The output file was moved or deleted while open; writing a new file at its path.', { file, path_now: how }));
  }

  async start(_host?: Host): Promise<void> {
    if (this.opened) return;
    // Settles a write a crash interrupted before the file is opened (and, with append: false, truncated).
    await this.state.load();
    await this.file.open();
    this.opened = true;
  }

  export(records: ReadableLogRecord[], done: (r: ExportResult) => void): void {
    this.run(records, undefined, done);
  }

  /** Like export(); a span already applied is acknowledged without writing. */
  exportSpan(records: ReadableLogRecord[], span: LogSpan, done: (r: ExportResult) => void): void {
    this.run(records, span, done);
  }

  /** The end of the last span of `log` whose lines are in the files (0 when none). */
  async appliedPosition(log: string): Promise<number> {
    await this.state.load();
    return this.state.applied(log);
  }

  /** Closes the file after the write in progress; the next write reopens the file at the path (SIGHUP). */
  reopen(): Promise<void> {
    return this.serial(() => { this.state.close(); return this.file.close(); });
  }

  async forceFlush(): Promise<void> {
    await this.tail;
  }

  async shutdown(): Promise<void> {
    const wasOpen = this.opened;
    this.opened = false;
    await this.tail;
    // Failing here loses nothing: the next start settles the last intent.
    if (wasOpen) {
      await this.state.settle().catch(ignore);
      this.state.close();
    }
    await this.file.close();
  }

  private run(records: ReadableLogRecord[], span: LogSpan | undefined, done: (r: ExportResult) => void): void {
    if (!this.opened) { done({ code: ExportResultCode.FAILED, error: new Error(`File ${this.file.path} is not open.`) }); return; }
    this.serial(() => this.write(records, span)).then(
      () => done(SUCCESS),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const p = this.tail.then(fn);
    this.tail = p.then(ignore, ignore);
    return p;
  }

  private async write(records: ReadableLogRecord[], span: LogSpan | undefined): Promise<void> {
    // Lines already in the files: a whole span applied, or the part written before a later part failed.
    let from = 0;
    if (span !== undefined) {
      const applied = this.state.applied(span.log);
      if (span.end <= applied) return;
      if (applied > span.first) from = applied - span.first;
    } else if (this.partial !== null && this.partial.records === records) {
      from = this.partial.lines;
    }
    this.partial = null;
    const lines = new Array<string>(records.length - from);
    for (let i = from; i < records.length; i++) lines[i - from] = this.json.line(records[i]!);
    const pos: LinePosition | null = span === undefined ? null : { log: span.log, first: span.first + from };
    let landed = from;
    try {
      await this.file.writeLines(lines, pos, (n) => { landed = from + n; });
    } catch (err) {
      if (span === undefined && landed > 0) this.partial = { records, lines: landed };
      throw err;
    }
  }
}
