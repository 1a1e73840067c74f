// A pipeline's delivery log: the one place acknowledged records live until
// every exporter of the pipeline has them. Each request's redacted records are
// appended as one entry and get consecutive positions; each exporter reads
// through a named cursor at its own pace and commits how far it got; an entry
// is released once every cursor has passed it. In memory mode entries are the
// decoded records; in durable mode (a SegmentStore) they are also framed on
// disk, and past the memory budget only the disk copy is kept.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { FrameRef, SegmentStore } from './segment-store.js';

interface Entry {
  first: number;
  count: number;
  /** Null once evicted from memory (durable mode only: read back from `ref`). */
  records: ReadableLogRecord[] | null;
  /** Estimated heap bytes while `records` is held. */
  bytes: number;
  ref?: FrameRef;
}

/** Bytes of records held in memory, shared by every log of one thread so one bound covers them all. */
export class MemoryBudget {
  used = 0;
  constructor(readonly limit: number) {}
}

export interface AppendTicket {
  log: DeliveryLog;
  entry: Entry;
}

export class DeliveryLog {
  private entries: Entry[] = [];
  /** Index of the oldest live entry in `entries` (shifting a big array per release would be quadratic). */
  private head = 0;
  private endPos = 0;
  private readonly cursors = new Map<string, number>();
  private waiters: { pos: number; wake(): void }[] = [];
  private closed = false;
  private cursorsDirty = false;
  private saveTimer?: NodeJS.Timeout;

  constructor(
    readonly name: string,
    private readonly budget: MemoryBudget,
    private readonly store?: SegmentStore,
    /** Disk bound in durable mode. */
    private readonly diskLimit = Infinity,
  ) {}

  get durable(): boolean {
    return this.store !== undefined;
  }
  /** Position the next record will get. */
  get end(): number {
    return this.endPos;
  }
  /** Position of the oldest record still held. */
  get start(): number {
    return this.head < this.entries.length ? this.entries[this.head]!.first : this.endPos;
  }
  get diskBytes(): number {
    return this.store?.diskBytes ?? 0;
  }

  /**
   * Durable mode: loads what a previous run left and returns the cursors it had committed.
   * `floor`: positions never go below it (the sinks' own applied positions), so a sink that
   * remembers position N never mistakes a new record for one it already has.
   */
  open(floor: number): Record<string, number> {
    let saved: Record<string, number> = {};
    if (this.store) {
      const r = this.store.recover(this.budget.limit);
      saved = r.cursors;
      for (const e of r.entries) {
        const bytes = e.records ? estimateBytes(e.records, e.ref.length) : 0;
        this.budget.used += bytes;
        this.entries.push({ first: e.first, count: e.count, records: e.records, bytes, ref: e.ref });
        this.endPos = e.first + e.count;
      }
      this.endPos = Math.max(this.endPos, saved['@end'] ?? 0);
      delete saved['@end'];
    }
    this.endPos = Math.max(this.endPos, floor);
    return saved;
  }

  /** Registers a cursor at `pos` (clamped into the held range). */
  addCursor(id: string, pos: number): number {
    const p = Math.min(Math.max(pos, this.start), this.endPos);
    this.cursors.set(id, p);
    return p;
  }

  /** True when `bytes` more fit under the memory bound (memory mode) or the disk bound (durable mode). */
  hasRoom(bytes: number): boolean {
    if (this.closed) return false;
    if (this.store) return this.store.diskBytes + bytes <= this.diskLimit;
    return this.budget.used + bytes <= this.budget.limit || this.budget.used === 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Appends one request's records. Throws on I/O failure (durable mode), leaving the log as it was. */
  append(records: ReadableLogRecord[], wireBytes: number): AppendTicket {
    const first = this.endPos;
    const ref = this.store?.append(first, records);
    let bytes = estimateBytes(records, wireBytes);
    let held: ReadableLogRecord[] | null = records;
    if (this.store && this.budget.used + bytes > this.budget.limit) {
      held = null;
      bytes = 0;
    }
    const entry: Entry = { first, count: records.length, records: held, bytes, ref };
    this.budget.used += bytes;
    this.entries.push(entry);
    this.endPos = first + records.length;
    return { log: this, entry };
  }

  /** Takes back the newest entry (another log of the same request failed to append). */
  unappend(t: AppendTicket): void {
    const last = this.entries[this.entries.length - 1];
    if (last !== t.entry) throw new Error('Only the newest entry of a delivery log can be taken back.');
    this.entries.pop();
    this.budget.used -= last.bytes;
    this.endPos = last.first;
    if (last.ref) this.store!.unappend(last.ref);
  }

  /** Resolves once appended entries are on stable storage (durable mode with fsync; else at once). */
  flush(): Promise<void> {
    return this.store ? this.store.flush() : Promise.resolve();
  }

  /** Makes appended records visible to cursors. Called once a request is acknowledged. */
  publish(): void {
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) w.pos < this.endPos ? w.wake() : still.push(w);
    this.waiters = still;
  }

  /**
   * Resolves when the log holds a record at `pos` or beyond, it is closed, `wakeAll` is called,
   * or `timeoutMs` passes (the waiter is then removed, so idle waits never pile up).
   */
  waitFor(pos: number, timeoutMs?: number): Promise<void> {
    if (pos < this.endPos || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const w = {
        pos,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => {
            this.waiters = this.waiters.filter((x) => x !== w);
            resolve();
          },
          Math.max(0, timeoutMs),
        );
        timer.unref();
      }
      this.waiters.push(w);
    });
  }

  /** Wakes every waiter without adding records (a cursor stopping, or the log closing). */
  wakeAll(): void {
    for (const w of this.waiters.splice(0)) w.wake();
  }

  /**
   * Up to `max` records from `pos` on (never crossing into records not yet appended), and the
   * position of the first one: positions may jump (a new run starts above every sink's record).
   */
  read(pos: number, max: number): { first: number; records: ReadableLogRecord[] } {
    const out: ReadableLogRecord[] = [];
    let first = pos;
    let i = this.indexOf(pos);
    while (i < this.entries.length && out.length < max) {
      const e = this.entries[i]!;
      if (e.first + e.count <= pos) {
        i++;
        continue;
      }
      if (out.length === 0) first = Math.max(pos, e.first);
      else if (e.first !== first + out.length) break; // a jump: the next batch starts there
      const recs = e.records ?? this.store!.read(e.ref!);
      const from = Math.max(0, first + out.length - e.first);
      const to = Math.min(e.count, from + (max - out.length));
      for (let k = from; k < to; k++) out.push(recs[k]!);
      i++;
    }
    return { first, records: out };
  }

  /** Records a cursor's committed position and releases what every cursor has passed. */
  commit(id: string, pos: number): void {
    this.cursors.set(id, pos);
    let min = Infinity;
    for (const p of this.cursors.values()) if (p < min) min = p;
    if (min === Infinity) min = this.endPos;
    while (this.head < this.entries.length) {
      const e = this.entries[this.head]!;
      if (e.first + e.count > min) break;
      this.budget.used -= e.bytes;
      e.records = null;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    if (this.store) {
      this.store.trim(min);
      this.cursorsDirty = true;
      // Saved at most every 200 ms: a lost save only means a replay, which the sinks skip by position.
      this.saveTimer ??= setTimeout(() => {
        this.saveTimer = undefined;
        this.saveCursors();
      }, 200).unref();
    }
  }

  /** Records held (not yet passed by every cursor). */
  backlogTotal(): number {
    let n = 0;
    for (let i = this.head; i < this.entries.length; i++) n += this.entries[i]!.count;
    return n;
  }

  /** Records behind cursor `id`. */
  backlog(id: string): number {
    return this.available(this.cursors.get(id) ?? this.endPos);
  }

  /** Records at `pos` or beyond. */
  available(pos: number): number {
    let n = 0;
    for (let i = this.indexOf(pos); i < this.entries.length; i++) {
      const e = this.entries[i]!;
      n += Math.max(0, e.first + e.count - Math.max(pos, e.first));
    }
    return n;
  }

  /** Stops taking records; cursors still read what is held. */
  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  /** Releases files (durable mode), saving the cursors. */
  dispose(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.store) {
      this.saveCursors();
      this.store.close();
    }
  }

  private saveCursors(): void {
    if (!this.store || !this.cursorsDirty) return;
    this.cursorsDirty = false;
    try {
      this.store.saveCursors({ ...Object.fromEntries(this.cursors), '@end': this.endPos });
    } catch {
      /* the next save retries; a stale file only causes a replay the sinks skip */
    }
  }

  private indexOf(pos: number): number {
    let lo = this.head;
    let hi = this.entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.entries[mid]!.first <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * Heap bytes a request's decoded records take, from their wire size. Decoded OTLP records are
 * several times their protobuf size (objects, strings as UTF-16, shared resource per request).
 */
const HEAP_PER_WIRE_BYTE = 4;
const MIN_RECORD_BYTES = 256;

export function estimateBytes(records: readonly ReadableLogRecord[], wireBytes: number): number {
  return Math.max(wireBytes * HEAP_PER_WIRE_BYTE, records.length * MIN_RECORD_BYTES);
}
