// The disk half of a durable delivery log: entries appended to segment files,
// each entry one frame, plus the cursors' committed positions. A frame is
//   [u32 payload length][u32 crc32 of payload][f64 first position][u32 record count][payload]
// with the payload an OTLP ExportLogsServiceRequest (protobuf) of the entry's
// redacted records. Appends are synchronous writes (the bytes are in the page
// cache, so they survive kill -9 once the call returns); with `fsync` the
// entries written since the last flush share one fsync (group commit).
import {
  closeSync,
  fsync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { OWNER_ONLY, type FileModes } from '../config/file-mode.js';
import { decodeLogsRequestProtobuf } from '../otlp/decode-protobuf.js';
import { logsRequestProtobuf } from '../otlp/encode-request.js';

const HEADER = 20;
const SUFFIX = '.seg';
/** A segment is closed and a new one started past this size, so fully read segments can be deleted. */
const SEGMENT_BYTES = 32 * 1024 * 1024;

/** Where an entry's frame lives. */
export interface FrameRef {
  segment: Segment;
  offset: number;
  length: number;
}

export interface StoredEntry {
  first: number;
  count: number;
  ref: FrameRef;
  records: ReadableLogRecord[] | null;
}

export interface Segment {
  first: number;
  file: string;
  fd: number;
  size: number;
  last: number;
}

export interface RecoveryReport {
  entries: StoredEntry[];
  cursors: Record<string, number>;
  tornBytes: number;
  corruptFiles: string[];
}

export class SegmentStore {
  private readonly segments: Segment[] = [];
  private syncing = false;
  private syncWaiters: { resolve(): void; reject(e: Error): void }[] = [];
  private nextSyncWaiters: { resolve(): void; reject(e: Error): void }[] = [];
  diskBytes = 0;

  /** `modes`: of the segment and cursor files and the directories created (file_storage's file_mode/dir_mode). */
  constructor(
    readonly directory: string,
    private readonly fsyncEnabled: boolean,
    private readonly modes: FileModes = OWNER_ONLY,
  ) {
    mkdirSync(directory, { recursive: true, mode: modes.dir });
  }

  /**
   * Reads what a previous run left: every whole frame, in order. A torn frame at the tail (a write cut
   * short by a crash) is cut off; a segment that cannot be read is moved aside as `.corrupt`, never
   * deleted. Records are decoded only for the newest `keepBytes` of frames; older ones stay on disk.
   */
  recover(keepBytes: number): RecoveryReport {
    const report: RecoveryReport = { entries: [], cursors: {}, tornBytes: 0, corruptFiles: [] };
    try {
      const raw = JSON.parse(readFileSync(join(this.directory, 'cursors.json'), 'utf8')) as unknown;
      if (raw && typeof raw === 'object') {
        for (const [k, v] of Object.entries(raw))
          if (typeof v === 'number' && Number.isSafeInteger(v)) report.cursors[k] = v;
      }
    } catch {
      /* no cursors yet */
    }
    const names = readdirSync(this.directory)
      .filter((n) => n.endsWith(SUFFIX))
      .sort();
    for (const name of names) {
      const file = join(this.directory, name);
      const buf = readFileSync(file);
      let off = 0;
      const seg: Segment = { first: Number(name.slice(0, -SUFFIX.length)), file, fd: -1, size: 0, last: 0 };
      const found: StoredEntry[] = [];
      let bad = false;
      while (off < buf.length) {
        if (buf.length - off < HEADER) {
          bad = true;
          break;
        }
        const len = buf.readUInt32LE(off);
        const crc = buf.readUInt32LE(off + 4);
        const first = buf.readDoubleLE(off + 8);
        const count = buf.readUInt32LE(off + 16);
        if (off + HEADER + len > buf.length || crc32(buf.subarray(off + HEADER, off + HEADER + len)) !== crc) {
          bad = true;
          break;
        }
        found.push({ first, count, ref: { segment: seg, offset: off, length: HEADER + len }, records: null });
        off += HEADER + len;
      }
      if (bad && name !== names[names.length - 1]) {
        // Damage in the middle of the log is not a torn tail: keep the file for inspection.
        renameSync(file, `${file}.corrupt`);
        report.corruptFiles.push(name);
        continue;
      }
      if (bad) report.tornBytes = buf.length - off;
      seg.fd = openSync(file, 'r+');
      if (bad) ftruncateSync(seg.fd, off);
      seg.size = off;
      seg.last = found.length > 0 ? found[found.length - 1]!.first + found[found.length - 1]!.count : seg.first;
      this.diskBytes += off;
      this.segments.push(seg);
      report.entries.push(...found);
    }
    // Decode the newest entries up to the memory budget; the rest is read from disk when a cursor gets there.
    let budget = keepBytes;
    for (let i = report.entries.length - 1; i >= 0 && budget > 0; i--) {
      const e = report.entries[i]!;
      e.records = this.read(e.ref);
      budget -= e.ref.length;
    }
    return report;
  }

  /** Writes one entry's frame; returns where it is. Throws on I/O failure (nothing is then referenced). */
  append(first: number, records: ReadableLogRecord[]): FrameRef {
    // Our own encoder, not the SDK's: it keeps every value the receiver accepted (NaN, -0, bigints, big doubles).
    const payload = logsRequestProtobuf(records);
    const frame = Buffer.allocUnsafe(HEADER + payload.length);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeUInt32LE(crc32(payload), 4);
    frame.writeDoubleLE(first, 8);
    frame.writeUInt32LE(records.length, 16);
    frame.set(payload, HEADER);
    let seg = this.segments[this.segments.length - 1];
    if (!seg || seg.size >= SEGMENT_BYTES) seg = this.newSegment(first);
    const offset = seg.size;
    try {
      let done = 0;
      while (done < frame.length) done += writeSync(seg.fd, frame, done, frame.length - done, offset + done);
    } catch (err) {
      // A partial frame must not stay: the next append would land after garbage.
      try {
        ftruncateSync(seg.fd, offset);
      } catch {
        /* recovery cuts it at the next start */
      }
      throw err;
    }
    seg.size += frame.length;
    seg.last = first + records.length;
    this.diskBytes += frame.length;
    return { segment: seg, offset, length: frame.length };
  }

  /** Removes the newest frame again (a request refused by another pipeline's log after this one took it). */
  unappend(ref: FrameRef): void {
    const seg = ref.segment;
    ftruncateSync(seg.fd, ref.offset);
    seg.size = ref.offset;
    this.diskBytes -= ref.length;
  }

  /** Resolves once everything appended so far is on stable storage (one fsync for all waiting appends). */
  flush(): Promise<void> {
    if (!this.fsyncEnabled) return Promise.resolve();
    return new Promise((resolve, reject) => {
      (this.syncing ? this.nextSyncWaiters : this.syncWaiters).push({ resolve, reject });
      if (!this.syncing) this.runSync();
    });
  }

  private runSync(): void {
    const seg = this.segments[this.segments.length - 1];
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    if (!seg) {
      for (const w of waiters) w.resolve();
      return;
    }
    this.syncing = true;
    fsync(seg.fd, (err) => {
      this.syncing = false;
      for (const w of waiters) err ? w.reject(err) : w.resolve();
      if (this.nextSyncWaiters.length > 0) {
        this.syncWaiters = this.nextSyncWaiters;
        this.nextSyncWaiters = [];
        this.runSync();
      }
    });
  }

  read(ref: FrameRef): ReadableLogRecord[] {
    const buf = Buffer.allocUnsafe(ref.length);
    let done = 0;
    while (done < ref.length) {
      const n = readSync(ref.segment.fd, buf, done, ref.length - done, ref.offset + done);
      if (n === 0) throw new Error(`Delivery log segment "${ref.segment.file}" ended early.`);
      done += n;
    }
    return decodeLogsRequestProtobuf(buf.subarray(HEADER)).records;
  }

  /** Deletes every closed segment whose records all sit below `position`. */
  trim(position: number): void {
    while (this.segments.length > 1 && this.segments[0]!.last <= position) {
      const seg = this.segments.shift()!;
      closeSync(seg.fd);
      rmSync(seg.file, { force: true });
      this.diskBytes -= seg.size;
    }
  }

  /** Saves the cursors' positions (temp file + rename: a crash leaves the old or the new file whole). */
  saveCursors(cursors: Record<string, number>): void {
    const tmp = join(this.directory, 'cursors.json.tmp');
    writeFileSync(tmp, JSON.stringify(cursors), { mode: this.modes.file });
    renameSync(tmp, join(this.directory, 'cursors.json'));
  }

  close(): void {
    for (const s of this.segments) {
      try {
        closeSync(s.fd);
      } catch {
        /* already closed */
      }
    }
    this.segments.length = 0;
  }

  private newSegment(first: number): Segment {
    const file = join(this.directory, `${String(first).padStart(16, '0')}${SUFFIX}`);
    const fd = openSync(file, 'w+', this.modes.file);
    const seg: Segment = { first, file, fd, size: 0, last: first };
    this.segments.push(seg);
    return seg;
  }
}

/** Bytes a store's directory holds now (for tests and the bench). */
export function directoryBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) {
    try {
      n += statSync(join(dir, f)).size;
    } catch {
      /* removed meanwhile */
    }
  }
  return n;
}
