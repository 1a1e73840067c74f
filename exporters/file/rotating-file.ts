// An append-only file that rotates by size, named and pruned the way the
// Collector's file exporter (lumberjack) does it: when the next write would
// take the file past `maxBytes`, it is renamed to `<name>-<timestamp><ext>`
// (e.g. `logs-2024-01-15T10-30-45.123.jsonl`, UTC unless `localtime`) and a
// new file is started; then backups beyond `maxBackups`, or older than
// `maxDays`, are deleted. A single line longer than `maxBytes` gets a file of
// its own rather than being split. One caller at a time (the exporter runs
// its writes one after another).
//
// Each part of a write going to one file records its intent first (sizes
// before and after, see ../msgpack-audit/sink-state.ts), so a failed write
// (ENOSPC, EIO) is cut back to the last confirmed size before it is reported
// and a crash's torn tail is cut back at the next start: no torn line, no
// duplicate. Before each write the open file is compared with the one at the
// path; a file moved or deleted by another tool is replaced by a new one.
import fs from 'node:fs';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { OWNER_ONLY, type FileModes } from '../../src/config/file-mode.js';
import { truncateFd, truncatePath, type FileMark, type SinkState } from '../msgpack-audit/sink-state.js';

export interface RotationOptions {
  maxBytes: number;
  maxBackups: number;
  maxDays: number;
  localtime: boolean;
  /** Truncate an existing file at open instead of appending. */
  truncate: boolean;
  /** Modes of the file and of the directories created (default owner only). */
  modes?: FileModes;
}

/** Where the lines of one writeLines() call sit in a delivery log: the first line is record `first`. */
export interface LinePosition {
  log: string;
  first: number;
}

const DAY_MS = 86_400_000;

export class RotatingFile {
  private fd: number | null = null;
  /** Identity of the open file, to notice it was moved or deleted. */
  private dev = 0;
  private ino = 0;
  /** Truncation (append: false) applies to the first open only, never to a reopen after an error. */
  private truncateNext: boolean;
  /** A failed segment that could not be cut back; retried before anything else is written. */
  private undoLeft: FileMark | null = null;
  private readonly dir: string;
  private readonly prefix: string;
  private readonly ext: string;
  private readonly backupPattern: RegExp;
  /** Stamp (ms) of this file's latest backup: stamps only move forward, see freeBackupName. */
  private lastStampMs = 0;

  /**
   * `state` records each segment's intent and the positions applied; `moved` is told once each time
   * the open file is found moved or deleted.
   */
  constructor(
    readonly path: string,
    private readonly opts: RotationOptions,
    private readonly state: SinkState,
    private readonly moved: (how: 'missing' | 'replaced') => void = () => {},
  ) {
    this.dir = dirname(path);
    this.ext = extname(path);
    this.prefix = basename(path, this.ext);
    this.truncateNext = opts.truncate;
    this.backupPattern = new RegExp(
      `^${escape(this.prefix)}-(\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{3})${escape(this.ext)}$`,
    );
  }

  /** Opens (creating) the file in append mode; returns its size. */
  async open(): Promise<number> {
    if (this.fd === null) {
      const modes = this.opts.modes ?? OWNER_ONLY;
      await mkdir(this.dir, { recursive: true, mode: modes.dir });
      // Always O_APPEND (append: false truncates explicitly): a cut-back tail never leaves a hole.
      const fd = await new Promise<number>((res, rej) =>
        fs.open(this.path, 'a', modes.file, (e, n) => (e ? rej(e) : res(n))),
      );
      try {
        if (this.truncateNext) await truncateFd(fd, 0);
        const st = await fstat(fd);
        this.dev = st.dev;
        this.ino = st.ino;
      } catch (err) {
        fs.close(fd, () => {});
        throw err;
      }
      this.fd = fd;
      this.truncateNext = false;
    }
    return (await fstat(this.fd)).size;
  }

  /**
   * Appends lines (each ending in "\n"), rotating between lines as needed. The part of the lines going
   * to one file is a segment: its intent is recorded, it is written with one write, and if that fails the
   * file is cut back to its size before. `landed(n)` is told after each segment that the first n lines
   * are in files (with `pos`, the state also holds that as the log's applied position).
   */
  async writeLines(lines: readonly string[], pos: LinePosition | null, landed: (n: number) => void): Promise<void> {
    if (this.undoLeft !== null) await this.undo(this.undoLeft);
    let size = await this.check();
    const max = this.opts.maxBytes;
    let chunk = '';
    let chunkBytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const n = max === Infinity ? 0 : Buffer.byteLength(line);
      if (max !== Infinity && size + chunkBytes + n > max && size + chunkBytes > 0) {
        if (chunk !== '') {
          await this.segment(chunk, size, pos, i);
          landed(i);
        }
        chunk = '';
        chunkBytes = 0;
        // No intent may name the file being renamed: a crash after the rename could not check it.
        await this.state.settle();
        await this.rotate();
        size = 0;
      }
      chunk += line;
      chunkBytes += n;
    }
    if (chunk !== '') {
      await this.segment(chunk, size, pos, lines.length);
      landed(lines.length);
    }
  }

  /** Closes the file; the next write reopens the file at the path (SIGHUP, logrotate). */
  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) await new Promise<void>((res) => fs.close(fd, () => res()));
  }

  /** The size of the file at the path, reopening it first if the open one was moved or deleted. */
  private async check(): Promise<number> {
    if (this.fd !== null) {
      // Synchronous: far cheaper than a trip through the libuv pool, once per write.
      const st = fs.statSync(this.path, { throwIfNoEntry: false });
      if (st !== undefined && st.dev === this.dev && st.ino === this.ino) return st.size;
      this.moved(st === undefined ? 'missing' : 'replaced');
      await this.close();
    }
    return this.open();
  }

  private async segment(chunk: string, before: number, pos: LinePosition | null, end: number): Promise<void> {
    const buf = Buffer.from(chunk, 'utf8');
    const mark: FileMark = { before, after: before + buf.length, dev: this.dev, ino: this.ino };
    const ends = pos === null ? null : new Map([[pos.log, pos.first + end]]);
    await this.state.intend(new Map([[this.path, mark]]), ends);
    try {
      await writeAll(this.fd!, buf);
    } catch (err) {
      await this.undo(mark);
      throw err;
    }
    this.state.landed(ends);
  }

  /** Cuts the file back to the segment's size before, and closes it (check() reopens it). */
  private async undo(mark: FileMark): Promise<void> {
    try {
      if (this.fd !== null && this.dev === mark.dev && this.ino === mark.ino) await truncateFd(this.fd, mark.before);
      else await truncatePath(this.path, mark.before, mark);
      this.undoLeft = null;
    } catch (err) {
      this.undoLeft = mark;
      throw new Error(
        `Cannot cut a failed write back in "${this.path}"; nothing more is written until it can be: ${(err as Error).message}`,
        { cause: err },
      );
    } finally {
      await this.close();
    }
  }

  private async rotate(): Promise<void> {
    await this.close();
    await rename(this.path, await this.freeBackupName(Date.now()));
    await this.open();
    await this.prune();
  }

  /**
   * A backup name not yet taken, stamped later than every earlier backup: several
   * rotations in one millisecond get consecutive stamps, and a stamp freed by
   * pruning is never reused (a newer backup with an older stamp would be pruned
   * first, losing the newest lines).
   */
  private async freeBackupName(now: number): Promise<string> {
    let ms = Math.max(now, this.lastStampMs + 1);
    for (;;) {
      const name = join(this.dir, `${this.prefix}-${this.stamp(ms)}${this.ext}`);
      if (!(await exists(name))) {
        this.lastStampMs = ms;
        return name;
      }
      ms++;
    }
  }

  private stamp(ms: number): string {
    const d = new Date(this.opts.localtime ? ms - new Date(ms).getTimezoneOffset() * 60_000 : ms);
    return d.toISOString().slice(0, 23).replace(/:/g, '-');
  }

  /** Deletes backups beyond maxBackups (oldest first) and older than maxDays. */
  private async prune(): Promise<void> {
    const { maxBackups, maxDays } = this.opts;
    if (maxBackups === 0 && maxDays === 0) return;
    const backups = (await readdir(this.dir))
      .map((name) => ({ name, stamp: this.backupPattern.exec(name)?.[1] }))
      .filter((b): b is { name: string; stamp: string } => b.stamp !== undefined)
      .sort((a, b) => (a.stamp < b.stamp ? 1 : a.stamp > b.stamp ? -1 : 0));
    const cutoff = maxDays > 0 ? this.stamp(Date.now() - maxDays * DAY_MS) : '';
    for (let i = 0; i < backups.length; i++) {
      const b = backups[i]!;
      if ((maxBackups > 0 && i >= maxBackups) || (cutoff !== '' && b.stamp < cutoff)) {
        await unlink(join(this.dir, b.name)).catch(() => undefined);
      }
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

function fstat(fd: number): Promise<fs.Stats> {
  return new Promise((res, rej) => fs.fstat(fd, (e, st) => (e ? rej(e) : res(st))));
}

/** Writes all of `buf` at the end of the file; a short write continues where it stopped. */
async function writeAll(fd: number, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    off += await new Promise<number>((res, rej) =>
      fs.write(fd, buf, off, buf.length - off, null, (e, n) => {
        if (e) rej(e);
        else if (n === 0) rej(new Error('Write made no progress.'));
        else res(n);
      }),
    );
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
