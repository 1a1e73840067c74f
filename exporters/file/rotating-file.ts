// An append-only file that rotates by size, named and pruned the way the
// Collector's file exporter (lumberjack) does it: when the next write would
// take the file past `maxBytes`, it is renamed to `<name>-<timestamp><ext>`
// (e.g. `logs-2024-01-15T10-30-45.123.jsonl`, UTC unless `localtime`) and a
// new file is started; then backups beyond `maxBackups`, or older than
// `maxDays`, are deleted. A single line longer than `maxBytes` gets a file of
// its own rather than being split. One caller at a time (the exporter runs
// with maxConcurrency 1).
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

export interface RotationOptions {
  maxBytes: number;
  maxBackups: number;
  maxDays: number;
  localtime: boolean;
  /** Truncate an existing file at open instead of appending. */
  truncate: boolean;
}

const DAY_MS = 86_400_000;

export class RotatingFile {
  private fd?: FileHandle;
  private size = 0;
  /** Truncation (append: false) applies to the first open only, never to a reopen after an error. */
  private truncateNext: boolean;
  private readonly dir: string;
  private readonly prefix: string;
  private readonly ext: string;
  private readonly backupPattern: RegExp;
  /** Stamp (ms) of this file's latest backup: stamps only move forward, see freeBackupName. */
  private lastStampMs = 0;

  constructor(readonly path: string, private readonly opts: RotationOptions) {
    this.dir = dirname(path);
    this.ext = extname(path);
    this.prefix = basename(path, this.ext);
    this.truncateNext = opts.truncate;
    this.backupPattern = new RegExp(`^${escape(this.prefix)}-(\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{3})${escape(this.ext)}$`);
  }

  async open(): Promise<void> {
    if (this.fd) return;
    await mkdir(this.dir, { recursive: true });
    this.fd = await open(this.path, this.truncateNext ? 'w' : 'a', 0o600);
    this.truncateNext = false;
    this.size = (await this.fd.stat()).size;
  }

  /** Appends lines (each ending in "\n"), rotating between lines as needed; one write per file touched. */
  async writeLines(lines: readonly string[]): Promise<void> {
    // After a failed rotation (e.g. a full disk) the next attempt reopens the file.
    if (!this.fd) await this.open();
    const max = this.opts.maxBytes;
    let chunk = '';
    let chunkBytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const n = max === Infinity ? 0 : Buffer.byteLength(line);
      if (max !== Infinity && this.size + chunkBytes + n > max && this.size + chunkBytes > 0) {
        await this.append(chunk);
        chunk = '';
        chunkBytes = 0;
        await this.rotate();
      }
      chunk += line;
      chunkBytes += n;
    }
    if (chunk !== '') await this.append(chunk);
  }

  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    await fd?.close();
  }

  private async append(s: string): Promise<void> {
    const buf = Buffer.from(s, 'utf8');
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fd!.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
    this.size += buf.length;
  }

  private async rotate(): Promise<void> {
    await this.fd!.close();
    this.fd = undefined;
    await rename(this.path, await this.freeBackupName(Date.now()));
    this.fd = await open(this.path, 'a', 0o600);
    this.size = 0;
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
  try { await stat(p); return true; } catch { return false; }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
