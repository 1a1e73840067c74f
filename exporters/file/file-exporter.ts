// The `file` exporter: JSON lines, one record per line, written in one chunk
// per batch to a size-rotated file. Writes run one at a time (several delivery
// logs may feed one instance) so lines never interleave and rotation sees a
// consistent size. Idempotent by delivery-log position: one record is one
// line, so the position applied per log is kept per line written (in the
// state file `<path>.state`); a batch already applied is acknowledged without
// writing, and a retry after part of a batch landed (before a rotation)
// writes only the rest. The JSON lines are the prepared payload: with pipeline
// workers they are built on the workers and written by the main thread's instance.
import path from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Host } from '../../src/component/types.js';
import type { LogSpan, PushExporter, ResultCallback } from '../../src/exporterhelper/push-exporter.js';
import { modesOf } from '../../src/config/file-mode.js';
import { silentLogger, type InternalLogger } from '../../src/telemetry/logger.js';
import { SinkState } from '../msgpack-audit/sink-state.js';
import { maxFileBytes, type FileConfig } from './config.js';
import { RecordJson } from './record-json.js';
import { RotatingFile, type LinePosition } from './rotating-file.js';

const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };
const ignore = () => {};

export class FileLogExporter implements PushExporter<string[]> {
  readonly maxConcurrency = 1;
  private readonly file: RotatingFile;
  private readonly state: SinkState;
  private readonly json = new RecordJson();
  private opened = false;
  /** The last write queued; each write starts when the one before has finished. */
  private tail: Promise<void> = Promise.resolve();
  /** Without a span: a failed batch and how many of its lines are in files, so its retry skips them. */
  private partial: { lines: string[]; landed: number } | null = null;
  /** Lines export() prepared, by their records: an in-process retry hands the same records again. */
  private readonly linesOf = new WeakMap<ReadableLogRecord[], string[]>();

  constructor(cfg: FileConfig, settings: { logger?: InternalLogger } = {}) {
    const logger = settings.logger ?? silentLogger;
    const file = path.resolve(cfg.path);
    const modes = modesOf(cfg);
    this.state = new SinkState(`${file}.state`, { fsync: false, mode: modes.file, dirMode: modes.dir, logger });
    this.file = new RotatingFile(
      file,
      {
        maxBytes: maxFileBytes(cfg.rotation),
        maxBackups: cfg.rotation.max_backups,
        maxDays: cfg.rotation.max_days,
        localtime: cfg.rotation.localtime,
        truncate: !cfg.append,
        modes,
      },
      this.state,
      (how) =>
        logger.warn('The output file was moved or deleted while open; writing a new file at its path.', {
          file,
          path_now: how,
        }),
    );
  }

  async start(_host?: Host): Promise<void> {
    if (this.opened) return;
    // Settles a write a crash interrupted before the file is opened (and, with append: false, truncated).
    await this.state.load();
    await this.file.open();
    this.opened = true;
  }

  export(records: ReadableLogRecord[], done: ResultCallback): void {
    let lines = this.linesOf.get(records);
    if (lines === undefined) {
      try {
        lines = this.prepare(records);
      } catch (err) {
        done({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
        return;
      }
      this.linesOf.set(records, lines);
    }
    this.exportPrepared(lines, done);
  }

  /** One JSON line per record. */
  prepare(records: ReadableLogRecord[]): string[] {
    const lines = new Array<string>(records.length);
    for (let i = 0; i < records.length; i++) lines[i] = this.json.line(records[i]!);
    return lines;
  }

  /** Appends the lines; with a span, a span already applied is acknowledged without writing. */
  exportPrepared(lines: string[], done: ResultCallback, span?: LogSpan): void {
    this.run(lines, span, done);
  }

  /** The end of the last span of `log` whose lines are in the files (0 when none). */
  async appliedPosition(log: string): Promise<number> {
    await this.state.load();
    return this.state.applied(log);
  }

  /** Closes the file after the write in progress; the next write reopens the file at the path (SIGHUP). */
  reopen(): Promise<void> {
    return this.serial(() => {
      this.state.close();
      return this.file.close();
    });
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

  private run(lines: string[], span: LogSpan | undefined, done: ResultCallback): void {
    if (!this.opened) {
      done({ code: ExportResultCode.FAILED, error: new Error(`File ${this.file.path} is not open.`) });
      return;
    }
    this.serial(() => this.write(lines, span)).then(
      () => done(SUCCESS),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const p = this.tail.then(fn);
    this.tail = p.then(ignore, ignore);
    return p;
  }

  private async write(all: string[], span: LogSpan | undefined): Promise<void> {
    // Lines already in the files: a whole span applied, or the part written before a later part failed.
    let from = 0;
    if (span !== undefined) {
      const applied = this.state.applied(span.log);
      if (span.end <= applied) return;
      if (applied > span.first) from = applied - span.first;
    } else if (this.partial !== null && this.partial.lines === all) {
      from = this.partial.landed;
    }
    this.partial = null;
    const lines = from === 0 ? all : all.slice(from);
    const pos: LinePosition | null = span === undefined ? null : { log: span.log, first: span.first + from };
    let landed = from;
    try {
      await this.file.writeLines(lines, pos, (n) => {
        landed = from + n;
      });
    } catch (err) {
      if (span === undefined && landed > 0) this.partial = { lines: all, landed };
      throw err;
    }
  }
}
