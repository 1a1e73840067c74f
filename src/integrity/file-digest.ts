// The writer's side of one audit file's digest. Bytes are hashed as they are
// appended (after their write group landed, so a group that was cut back is
// never covered); a checkpoint of what was hashed since the last one is
// appended to the digest file at the interval, when the file changes under the
// writer, and at shutdown. Appends are synchronous and small, so a checkpoint
// never interleaves with the writes it describes.
//
// At open the digest's last checkpoint is read: the chain continues from it.
// After a crash (the last checkpoint is not `closed`) the audit bytes after it,
// which the writer appended before dying, are read and hashed; after a clean
// shutdown any bytes there were written by someone else and stay uncovered.
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import {
  GENESIS,
  fileCheckpointHash,
  parseFileCheckpoint,
  signFileCheckpoint,
  type FileCheckpoint,
  type GenerationReason,
} from './checkpoint.js';
import type { Signer } from './keys.js';

/** Entries counted in a run of bytes, with their time range (`minTs` > `maxTs` when none). */
export interface EntryStats {
  count: number;
  minTs: number;
  maxTs: number;
}

/** Reads whole entries from the start of `bytes`: their stats and where the last one ends. */
export type EntryScanner = (bytes: Buffer) => EntryStats & { end: number };

export interface FileDigestOptions {
  signer: Signer;
  /** Mode of a new digest file. */
  mode: number;
  fsync: boolean;
  scan: EntryScanner;
  /** Told when a generation starts for a reason other than `new`. */
  onGeneration?: (reason: GenerationReason, file: string, at: number) => void;
}

export class FileDigest {
  private seq = 0;
  private gen = -1;
  private prev = GENESIS;
  /** Where the bytes not yet checkpointed start, and where they end (the file's covered end). */
  private start = 0;
  private end = 0;
  private hash: Hash = createHash('sha256');
  private records = 0;
  private minTs = Infinity;
  private maxTs = -Infinity;
  /** Set while the next checkpoint starts a generation. */
  private reason: GenerationReason | undefined;
  private ino = -1;
  private lastClosed = false;
  private opened = false;

  constructor(
    readonly auditFile: string,
    readonly digestFile: string,
    private readonly opts: FileDigestOptions,
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  /** Loads the chain and settles it against the audit file as it is now (`size`, inode `ino`). Call once, before append(). */
  open(size: number, ino: number): void {
    const last = this.load();
    this.opened = true;
    this.ino = ino;
    if (last === undefined) {
      this.restart('new', size);
      return;
    }
    this.seq = last.seq + 1;
    this.gen = last.gen;
    this.prev = fileCheckpointHash(last);
    this.lastClosed = last.closed === true;
    this.start = this.end = last.end;
    if (size < last.end) this.restart('truncated', size);
    else if (size > last.end && this.lastClosed) this.restart('foreign', size);
    else if (size > last.end) this.recoverTail(size);
  }

  /** Hashes a landed write: `slices` went to [before, before + their length) of the file with inode `ino`. */
  append(slices: readonly Buffer[], before: number, ino: number, stats: EntryStats): void {
    if (ino !== this.ino || before !== this.end) {
      this.checkpoint(false);
      this.restart(ino !== this.ino ? 'replaced' : before < this.end ? 'truncated' : 'foreign', before);
      this.ino = ino;
    }
    for (const s of slices) {
      this.hash.update(s);
      this.end += s.length;
    }
    this.records += stats.count;
    if (stats.minTs < this.minTs) this.minTs = stats.minTs;
    if (stats.maxTs > this.maxTs) this.maxTs = stats.maxTs;
  }

  /**
   * Appends a checkpoint of the bytes hashed since the last one (none when there are none, unless
   * `closed`: the shutdown checkpoint is written so the next start knows nothing else followed).
   */
  checkpoint(closed: boolean): void {
    if (!this.opened) return;
    const empty = this.end === this.start && this.reason === undefined;
    if (empty && (!closed || this.lastClosed)) return;
    const c: FileCheckpoint = {
      v: 1,
      seq: this.seq,
      gen: this.gen,
      start: this.start,
      end: this.end,
      records: this.records,
      min_ts: this.records > 0 ? this.minTs : null,
      max_ts: this.records > 0 ? this.maxTs : null,
      sha256: this.hash.copy().digest('hex'),
      prev: this.prev,
      time: Date.now(),
      alg: this.opts.signer.algorithm,
      key_id: this.opts.signer.keyId,
    };
    if (this.reason !== undefined) c.reason = this.reason;
    if (closed) c.closed = true;
    const { line, hash } = signFileCheckpoint(c, this.opts.signer);
    this.write(Buffer.from(line));
    this.seq++;
    this.prev = hash;
    this.reason = undefined;
    this.lastClosed = closed;
    this.reset(this.end);
  }

  private reset(at: number): void {
    this.start = this.end = at;
    this.hash = createHash('sha256');
    this.records = 0;
    this.minTs = Infinity;
    this.maxTs = -Infinity;
  }

  private restart(reason: GenerationReason, at: number): void {
    this.gen++;
    this.reason = reason;
    this.reset(at);
    if (reason !== 'new') this.opts.onGeneration?.(reason, this.auditFile, at);
  }

  /** After a crash: hashes the whole entries the writer appended after the last checkpoint. */
  private recoverTail(size: number): void {
    const fd = fs.openSync(this.auditFile, 'r');
    let bytes: Buffer;
    try {
      bytes = Buffer.alloc(size - this.end);
      let got = 0;
      while (got < bytes.length) {
        const n = fs.readSync(fd, bytes, got, bytes.length - got, this.end + got);
        if (n === 0) break;
        got += n;
      }
      bytes = bytes.subarray(0, got);
    } finally {
      fs.closeSync(fd);
    }
    let stats: EntryStats & { end: number };
    try {
      stats = this.opts.scan(bytes);
    } catch {
      stats = { count: 0, minTs: Infinity, maxTs: -Infinity, end: 0 };
    }
    if (stats.end !== bytes.length) {
      this.restart('foreign', size);
      return;
    }
    this.append([bytes], this.end, this.ino, stats);
  }

  /** The last checkpoint in the digest file; a torn last line (crash mid-append) is cut off. */
  private load(): FileCheckpoint | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.digestFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const cut = text.lastIndexOf('\n') + 1;
    if (cut < text.length) fs.truncateSync(this.digestFile, Buffer.byteLength(text.slice(0, cut)));
    const lines = text.slice(0, cut).split('\n');
    for (let i = lines.length - 2; i >= 0; i--) {
      try {
        return parseFileCheckpoint(lines[i]!);
      } catch {
        /* a bad line: verify reports it; continue from the last good one */
      }
    }
    return undefined;
  }

  /** Opened per checkpoint: checkpoints are rare, and a templated directory may have thousands of files. */
  private write(line: Buffer): void {
    const fd = fs.openSync(this.digestFile, 'a', this.opts.mode);
    try {
      const size = fs.fstatSync(fd).size;
      try {
        const n = fs.writeSync(fd, line);
        if (n < line.length)
          throw Object.assign(new Error('No space left for the whole checkpoint.'), { code: 'ENOSPC' });
      } catch (err) {
        // A partial line must not stay: the next checkpoint would follow it on the same line.
        fs.ftruncateSync(fd, size);
        throw err;
      }
      if (this.opts.fsync) fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
