// The audit files one exporter writes: maps a record to its target file
// (one fixed file, or one per templated directory), opens files lazily in
// append mode (creating directories), keeps at most `max_open_files` handles
// (least recently used closed first), checks before each write group that the
// open file still is the one at its path (logrotate may have moved or deleted
// it), writes a group's slices to a file with one write/writev call, and cuts
// a file back to its size before a failed group. A templated directory is
// capped at `max_directories` distinct directories (those found at start
// count); records for another go to the `_overflow` directory, and each is counted.
import fs from 'node:fs';
import path from 'node:path';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { OWNER_ONLY, type FileModes } from '../../src/config/file-mode.js';
import {
  DEFAULT_SEGMENT,
  existingDirectories,
  OVERFLOW_SEGMENT,
  parseDirectoryTemplate,
  placeholderValue,
  sanitizeSegment,
  type DirectoryTemplate,
} from './path-template.js';
import { truncateFd, truncatePath, type FileMark } from './sink-state.js';

export interface AuditTarget {
  readonly file: string;
  fd: number | null;
  /** Identity of the open file (fstat at open). */
  dev: number;
  ino: number;
}

/** Distinct templated values remembered; the cache is cleared beyond this (targets are cheap to rebuild). */
const MAX_CACHED_TARGETS = 10_000;

/** Records sent to the `_overflow` directory because `max_directories` were in use, labelled `exporter`. */
export const OVERFLOW_RECORDS = 'auditline_exporter_overflow_log_records_total';

export class AuditFiles {
  readonly template: DirectoryTemplate;
  private readonly fileName: string;
  private readonly maxOpen: number;
  private readonly fixed: AuditTarget | null;
  private absent: AuditTarget | undefined;
  private readonly byValue = new Map<string, AuditTarget>();
  private readonly byFile = new Map<string, AuditTarget>();
  /** Open targets in least-recently-used order (Map keeps insertion order). */
  private readonly open = new Map<AuditTarget, true>();
  private readonly opening = new Map<AuditTarget, Promise<number>>();
  /** Templated directories in use, at most `maxDirectories` (`_default` and `_overflow` not counted). */
  private readonly dirs = new Set<string>();
  private readonly uncounted = new Set<string>();
  private maxDirectories = Infinity;
  private overflowed: (records: number) => void = () => {};
  private overflowTarget: AuditTarget | undefined;

  /** `moved` is told once each time an open file is found moved or deleted; `modes` apply to files and directories created. */
  constructor(
    directory: string,
    fileName: string,
    maxOpenFiles: number,
    private readonly moved: (file: string, how: 'missing' | 'replaced') => void = () => {},
    private readonly modes: FileModes = OWNER_ONLY,
  ) {
    this.template = parseDirectoryTemplate(directory);
    this.fileName = fileName;
    this.maxOpen = maxOpenFiles;
    this.fixed = this.template.names.length === 0 ? this.targetFor([]) : null;
  }

  /** The fixed file, or null when the directory is templated. */
  get fixedTarget(): AuditTarget | null {
    return this.fixed;
  }

  /**
   * Caps the distinct templated directories at `max`; records for another go to `_overflow` and
   * `overflowed` is told how many (per record; per run of records for a payload built in another
   * thread, which was already capped there). Call before prepare().
   */
  limitDirectories(max: number, overflowed: (records: number) => void): void {
    if (this.fixed !== null) return;
    this.maxDirectories = max;
    this.overflowed = overflowed;
    for (const seg of [DEFAULT_SEGMENT, OVERFLOW_SEGMENT])
      this.uncounted.add(this.template.render(this.template.names.map(() => seg)));
  }

  /** The directory records go to beyond `max_directories` (templated directories only). */
  get overflowDirectory(): string {
    return this.template.render(this.template.names.map(() => OVERFLOW_SEGMENT));
  }

  /** The target of a record. Hot path: one attribute read and one map lookup for a single placeholder. */
  resolve(r: ReadableLogRecord): AuditTarget {
    if (this.fixed !== null) return this.fixed;
    const names = this.template.names;
    let key: string;
    if (names.length === 1) {
      const v = placeholderValue(r, names[0]!);
      if (v === undefined) return (this.absent ??= this.targetFor([undefined]));
      key = v;
    } else {
      key = JSON.stringify(names.map((n) => placeholderValue(r, n) ?? null));
    }
    let t = this.byValue.get(key);
    if (t === undefined) {
      if (this.byValue.size >= MAX_CACHED_TARGETS) this.forgetClosed();
      t = this.targetFor(names.map((n) => placeholderValue(r, n)));
      this.byValue.set(key, t);
    }
    if (t === this.overflowTarget) this.overflowed(1);
    return t;
  }

  /** The target for a file path (a payload prepared in another thread names its targets by path). */
  targetAt(file: string): AuditTarget {
    return this.lookup(file, true);
  }

  /** `counted`: a refused directory counts one overflow here (else the caller counts per record). */
  private lookup(file: string, counted: boolean): AuditTarget {
    let t = this.byFile.get(file);
    if (t === undefined) {
      if (!this.admit(path.dirname(file))) {
        if (counted) this.overflowed(1);
        return (this.overflowTarget ??= this.lookup(path.join(this.overflowDirectory, this.fileName), false));
      }
      t = { file, fd: null, dev: 0, ino: 0 };
      this.byFile.set(file, t);
    }
    return t;
  }

  /** Creates the fixed file, or the base directory of a template, so bad paths fail at start. */
  async prepare(): Promise<void> {
    if (this.fixed) await this.fdOf(this.fixed);
    else await fs.promises.mkdir(this.template.base, { recursive: true, mode: this.modes.dir });
    if (this.fixed === null && this.maxDirectories !== Infinity) {
      const room = this.maxDirectories - this.dirs.size;
      if (room > 0) for (const d of await existingDirectories(this.template, room, this.uncounted)) this.dirs.add(d);
    }
  }

  /**
   * Before a write group: opens the target if needed, or, if the open file is no longer the one at its
   * path (moved or deleted), closes it and opens a new one there. Returns the file's size and identity.
   */
  async check(t: AuditTarget): Promise<{ size: number; dev: number; ino: number }> {
    if (t.fd !== null) {
      // Synchronous: measured ~3 µs here, against ~60 µs through the libuv pool, once per file per group.
      const st = fs.statSync(t.file, { throwIfNoEntry: false });
      if (st !== undefined && st.dev === t.dev && st.ino === t.ino) {
        if (this.fixed === null) {
          this.open.delete(t);
          this.open.set(t, true);
        }
        return st;
      }
      this.moved(t.file, st === undefined ? 'missing' : 'replaced');
      this.open.delete(t);
      await closeTarget(t);
    }
    const fd = await this.fdOf(t);
    return fstat(fd);
  }

  /**
   * Appends the slices to the target's file with one write (or writev) call; loops only on a short write.
   * `mark` is the file check() saw: if the handle was closed meanwhile (max_open_files) and the path now
   * holds another file, nothing is written.
   */
  async append(t: AuditTarget, slices: Buffer[], sync: boolean, mark: FileMark): Promise<void> {
    const fd = await this.fdOf(t);
    if (t.dev !== mark.dev || t.ino !== mark.ino) throw new Error('The file was replaced during the write.');
    let total = 0;
    for (const s of slices) total += s.length;
    let written = slices.length === 1 ? await write(fd, slices[0]!) : await writev(fd, slices);
    if (written < total) {
      const all = slices.length === 1 ? slices[0]! : Buffer.concat(slices);
      while (written < total) written += await write(fd, all.subarray(written));
    }
    if (sync) await new Promise<void>((res, rej) => fs.fdatasync(fd, (e) => (e ? rej(e) : res())));
  }

  /** Cuts the file `mark` describes back to `mark.before` (after a failed group). */
  async truncate(t: AuditTarget, mark: FileMark): Promise<void> {
    if (t.fd !== null && t.dev === mark.dev && t.ino === mark.ino) await truncateFd(t.fd, mark.before);
    else await truncatePath(t.file, mark.before, mark);
  }

  /** Closes one target's file (it reopens on next use). */
  async close(t: AuditTarget): Promise<void> {
    this.open.delete(t);
    await closeTarget(t);
  }

  /** Closes every open file; targets reopen lazily if used again. */
  async closeAll(): Promise<void> {
    const targets = [...this.open.keys()];
    this.open.clear();
    await Promise.all(targets.map((t) => closeTarget(t)));
  }

  private forgetClosed(): void {
    this.byValue.clear();
    this.absent = undefined;
    for (const [f, t] of this.byFile) if (t.fd === null) this.byFile.delete(f);
    if (this.overflowTarget !== undefined && !this.byFile.has(this.overflowTarget.file))
      this.overflowTarget = undefined;
  }

  /** Whether records may go to `dir` (a directory already in use, or room for one more). */
  private admit(dir: string): boolean {
    if (this.maxDirectories === Infinity || this.dirs.has(dir) || this.uncounted.has(dir)) return true;
    if (this.dirs.size >= this.maxDirectories) return false;
    this.dirs.add(dir);
    return true;
  }

  private targetFor(values: (string | undefined)[]): AuditTarget {
    const segments = values.map((v) => (v === undefined ? DEFAULT_SEGMENT : sanitizeSegment(v)));
    // Different raw values can sanitise to the same file; they must share one handle.
    return this.lookup(path.join(this.template.render(segments), this.fileName), false);
  }

  private fdOf(t: AuditTarget): Promise<number> {
    if (t.fd !== null) {
      if (this.fixed === null) {
        this.open.delete(t);
        this.open.set(t, true);
      }
      return Promise.resolve(t.fd);
    }
    // One open per target even if start() and a first export race.
    let p = this.opening.get(t);
    if (p === undefined) {
      p = this.openTarget(t).finally(() => this.opening.delete(t));
      this.opening.set(t, p);
    }
    return p;
  }

  private async openTarget(t: AuditTarget): Promise<number> {
    while (this.open.size >= this.maxOpen) {
      const lru = this.open.keys().next().value!;
      this.open.delete(lru);
      await closeTarget(lru);
    }
    await fs.promises.mkdir(path.dirname(t.file), { recursive: true, mode: this.modes.dir });
    // 'a': O_APPEND|O_CREAT; the file is never truncated.
    const fd = await new Promise<number>((res, rej) =>
      fs.open(t.file, 'a', this.modes.file, (e, fd) => (e ? rej(e) : res(fd))),
    );
    try {
      const st = await fstat(fd);
      t.dev = st.dev;
      t.ino = st.ino;
    } catch (err) {
      fs.close(fd, () => {});
      throw err;
    }
    t.fd = fd;
    this.open.set(t, true);
    return fd;
  }
}

function closeTarget(t: AuditTarget): Promise<void> {
  const fd = t.fd;
  t.fd = null;
  if (fd === null) return Promise.resolve();
  return new Promise((res) => fs.close(fd, () => res()));
}

function fstat(fd: number): Promise<fs.Stats> {
  return new Promise((res, rej) => fs.fstat(fd, (e, st) => (e ? rej(e) : res(st))));
}

function write(fd: number, b: Buffer): Promise<number> {
  return new Promise((res, rej) =>
    fs.write(fd, b, 0, b.length, null, (e, n) => {
      if (e) rej(e);
      else if (n === 0 && b.length > 0) rej(new Error('Write made no progress.'));
      else res(n);
    }),
  );
}

function writev(fd: number, bs: Buffer[]): Promise<number> {
  return new Promise((res, rej) => fs.writev(fd, bs, null, (e, n) => (e ? rej(e) : res(n))));
}
