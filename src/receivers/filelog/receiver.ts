// The `filelog` receiver: tails files matched by globs and sends each line
// (or multiline entry) as a record. Files are known by a fingerprint of their
// first bytes plus device and inode, as in the Collector's fileconsumer, so a
// renamed file is followed under its new name, a copytruncated file is
// recognised in its copy, and a new file under an old name is read from its
// start. An offset only ever points at the start of an entry the pipeline has
// not taken: it advances after `consume` resolved, and stays put when the
// pipeline refuses (backpressure), so nothing is lost or repeated.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { HrTime } from '@opentelemetry/api';
import type { LogAttributes } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BackpressureError, errorMessage, isPermanent } from '../../component/errors.js';
import type { CreateSettings, Host, LogsConsumer, Receiver } from '../../component/types.js';
import { isFileStorage } from '../../extensions/file-storage/factory.js';
import type { GoRegExp } from '../../matching/go-regexp.js';
import { LogRecordData } from '../../model/log-record.js';
import { M } from '../../telemetry/metrics.js';
import type { FilelogReceiverConfig } from './config.js';
import { compileGlob, findFiles, type CompiledGlob } from './glob.js';
import { compileOperators, type Operator } from './operators.js';
import { OffsetStore, type StoredFile } from './offsets.js';

/** A file the receiver follows (open) or remembers (closed, for a copy or a restart). */
interface Tracked {
  path: string;
  /** `dev:ino`. */
  id: string;
  /** The file's first bytes (up to fingerprint_size) when last seen. */
  fp: Buffer;
  /** First byte not yet taken by the pipeline. */
  offset: number;
  fd?: number;
  /** Size at the last poll and when it last changed (for force_flush_period). */
  lastSize: number;
  lastGrowth: number;
  /** Polls since a closed file was last seen. */
  unseen: number;
}

interface Candidate {
  path: string;
  id: string;
  size: number;
  reader?: Tracked;
}

/** Bytes read from a file per step; at least max_log_size + 1 so one entry always fits. */
const CHUNK = 256 * 1024;
/** Records handed to the pipeline per call at most. */
const MAX_BATCH = 1000;
/** Polls a closed file's fingerprint is remembered (a copy of it may appear late). */
const REMEMBER_POLLS = 3;
/** Longest wait between retries after a refusal without Retry-After. */
const MAX_BACKOFF_MS = 5000;

const RESOURCE = resourceFromAttributes({});
const SCOPE = { name: 'auditline/filelog' };

type Flush = 'none' | 'complete' | 'all';

export class FilelogReceiver implements Receiver {
  private readonly include: CompiledGlob[];
  private readonly exclude: CompiledGlob[];
  private readonly operators: Operator[];
  private readonly lineStart?: GoRegExp;
  private readonly chunk: number;
  private readonly labels: Record<string, string>;
  /** Open files, plus closed ones remembered by fingerprint. */
  private files: Tracked[] = [];
  private store?: OffsetStore;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private started = false;
  private stopped = false;
  private failures = 0;
  /** The Retry-After of the last refusal, when it carried one. */
  private lastRetryAfterMs: number | undefined;
  private shutdownPromise?: Promise<void>;

  constructor(
    private readonly settings: CreateSettings,
    private readonly cfg: FilelogReceiverConfig,
    private readonly next: LogsConsumer,
  ) {
    this.include = cfg.include.map((g) => compileGlob(g));
    this.exclude = cfg.exclude.map((g) => compileGlob(g));
    this.lineStart = cfg.multiline?.line_start_pattern;
    this.chunk = Math.max(CHUNK, cfg.max_log_size + 1);
    this.labels = { receiver: settings.id, transport: 'file' };
    this.operators = compileOperators(cfg.operators, (op, reason) => {
      settings.logger.burst('warn', `parse:${op}`, 'A line could not be parsed; it was handled as on_error says.', {
        operator: op,
        reason,
        on_error: cfg.operators.find((o, i) => (o.id ?? `${o.type}/${i}`) === op)?.on_error,
      });
    });
  }

  async start(host: Host): Promise<void> {
    if (this.started || this.stopped) return;
    this.started = true;
    if (this.cfg.storage) {
      const ext = host.getExtension(this.cfg.storage);
      if (!isFileStorage(ext))
        throw new Error(`Storage extension "${this.cfg.storage}" is not enabled in service.extensions.`);
      this.store = new OffsetStore(ext.queueStore(`receiver_${this.settings.id}`).directory, ext.modes);
      const known = this.store.load((err) => {
        this.settings.logger.error('The saved file offsets could not be read; files are treated as new.', {
          receiver: this.settings.id,
          error: errorMessage(err),
        });
      });
      this.files = known.map((f) => ({ ...f, lastSize: -1, lastGrowth: Date.now(), unseen: 0 }));
    }
    if (this.include.length === 0) {
      this.settings.logger.warn('The filelog receiver has no include globs; it reads nothing.', {
        receiver: this.settings.id,
      });
      return;
    }
    // The first look happens now, so `start_at: end` means "the end as of start".
    this.identify(true);
    this.schedule(0);
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      await this.running;
      this.persist();
      for (const f of this.files) this.close(f);
    })();
    return this.shutdownPromise;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    // Not unref'd: with only file receivers configured, this timer is the collector's work.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.poll().then((delay) => {
        this.running = undefined;
        this.schedule(delay);
      });
    }, delayMs);
  }

  /** One poll: find the files, drain the ones that went away, read the rest. Returns the delay before the next. */
  private async poll(): Promise<number> {
    try {
      const current = this.identify(false);
      // Files no longer found under any matched path (renamed away, deleted, truncated in place)
      // are read to their end through the open descriptor first: that is where their last lines are.
      // A file truncated in place (same inode, new content) is already read anew from its start: nothing to drain.
      const currentIds = new Set([...current].map((f) => f.id));
      for (const f of this.files) {
        if (this.stopped) return 0;
        if (f.fd === undefined || current.has(f)) continue;
        if (!currentIds.has(f.id) && !(await this.read(f, 'all'))) return this.retryDelay();
        this.close(f);
      }
      for (const f of current) {
        if (this.stopped) return 0;
        const idle =
          this.lineStart !== undefined &&
          this.cfg.force_flush_period > 0 &&
          Date.now() - f.lastGrowth >= this.cfg.force_flush_period;
        if (!(await this.read(f, idle ? 'complete' : 'none'))) return this.retryDelay();
      }
      this.failures = 0;
      this.forget();
    } catch (err) {
      this.settings.logger.burst('error', 'poll', 'Reading the log files failed; retrying at the next poll.', {
        receiver: this.settings.id,
        error: errorMessage(err),
      });
    }
    return this.cfg.poll_interval;
  }

  private retryDelay(): number {
    this.failures++;
    const hinted = this.lastRetryAfterMs;
    return hinted ?? Math.min(MAX_BACKOFF_MS, this.cfg.poll_interval * 2 ** Math.min(this.failures, 16));
  }

  /**
   * Matches the paths the globs find to known files: first by device and inode
   * (a file renamed, or grown, keeps both) as long as its first bytes are still
   * the ones seen before and it did not shrink below the offset; then by
   * fingerprint alone (a copy made by copytruncate, or a file seen before a
   * restart); anything else is a new file.
   */
  private identify(first: boolean): Set<Tracked> {
    const now = Date.now();
    const candidates: Candidate[] = [];
    const seenIds = new Set<string>();
    for (const path of findFiles(this.include, this.exclude)) {
      let st;
      try {
        st = statSync(path, { bigint: true });
      } catch {
        continue;
      }
      if (!st.isFile() || st.size === 0n) continue;
      const id = `${st.dev}:${st.ino}`;
      if (seenIds.has(id)) continue; // the same file under a second name (hard or symbolic link)
      seenIds.add(id);
      candidates.push({ path, id, size: Number(st.size) });
    }
    const claimed = new Set<Tracked>();
    for (const c of candidates) {
      const f = this.files.find((x) => x.fd !== undefined && x.id === c.id && !claimed.has(x));
      if (!f) continue;
      const fp = this.fingerprint(f.fd!, c.size);
      if (fp.subarray(0, f.fp.length).equals(f.fp) && c.size >= f.offset) {
        this.claim(f, c, fp, now);
        claimed.add(f);
      }
    }
    for (const c of candidates) {
      if (c.reader) continue;
      let fd: number;
      try {
        fd = openSync(c.path, 'r');
      } catch {
        continue;
      }
      const fp = this.fingerprint(fd, c.size);
      // Not now: (1) the file shrank between stat and read (truncated or being rewritten by a copy);
      // (2) two files with the same first bytes in one poll: copytruncate has copied the file and not
      // yet truncated it. Only the one already followed is read; the copy is matched to it by
      // fingerprint at a later poll, once the original was truncated; (3) a file whose first bytes
      // are a shorter prefix of a known file's: most likely a copy still being written.
      if (
        fp.length === 0 ||
        fp.length < Math.min(c.size, this.cfg.fingerprint_size) ||
        [...claimed].some((f) => samePrefix(f.fp, fp)) ||
        (fp.length < this.cfg.fingerprint_size &&
          this.files.some((f) => f.fp.length > fp.length && samePrefix(f.fp, fp)))
      ) {
        closeSync(fd);
        continue;
      }
      let best: Tracked | undefined;
      for (const f of this.files) {
        if (claimed.has(f) || f.fp.length === 0 || f.fp.length > fp.length) continue;
        if (f.id === c.id && c.size < f.offset) continue; // the same file, truncated in place: new content
        if ((!best || f.fp.length > best.fp.length) && fp.subarray(0, f.fp.length).equals(f.fp)) best = f;
      }
      if (best) {
        this.close(best);
        best.fd = fd;
        best.id = c.id;
        this.claim(best, c, fp, now);
        claimed.add(best);
        continue;
      }
      const f: Tracked = {
        path: c.path,
        id: c.id,
        fp,
        offset: first && this.cfg.start_at === 'end' ? c.size : 0,
        fd,
        lastSize: c.size,
        lastGrowth: now,
        unseen: 0,
      };
      this.files.push(f);
      c.reader = f;
      claimed.add(f);
    }
    return claimed;
  }

  private claim(f: Tracked, c: Candidate, fp: Buffer, now: number): void {
    f.path = c.path;
    if (fp.length > f.fp.length) f.fp = fp;
    if (c.size !== f.lastSize) {
      f.lastSize = c.size;
      f.lastGrowth = now;
    }
    f.unseen = 0;
    c.reader = f;
  }

  private fingerprint(fd: number, size: number): Buffer {
    const buf = Buffer.allocUnsafe(Math.min(size, this.cfg.fingerprint_size));
    const n = buf.length === 0 ? 0 : readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  }

  /** Drops closed files not seen for a few polls, and persists. */
  private forget(): void {
    const before = this.files.length;
    this.files = this.files.filter((f) => f.fd !== undefined || ++f.unseen <= REMEMBER_POLLS);
    if (this.files.length !== before) this.persist();
  }

  private close(f: Tracked): void {
    if (f.fd === undefined) return;
    try {
      closeSync(f.fd);
    } catch {
      /* already closed */
    }
    f.fd = undefined;
  }

  private persist(): void {
    if (!this.store) return;
    try {
      this.store.save(this.files.map((f): StoredFile => ({ path: f.path, id: f.id, fp: f.fp, offset: f.offset })));
    } catch (err) {
      this.settings.logger.burst(
        'error',
        'persist',
        'The file offsets could not be saved; a restart may repeat lines.',
        { receiver: this.settings.id, error: errorMessage(err) },
      );
    }
  }

  /**
   * Reads a file from its offset to its end, handing entries to the pipeline
   * in batches. `flush`: also send the last entry when it is made of complete
   * lines (`complete`, multiline after force_flush_period) or whatever is left,
   * a partial line included (`all`, a file that went away). Returns false when
   * the pipeline refused a batch (the offset stays where it was).
   */
  private async read(f: Tracked, flush: Flush): Promise<boolean> {
    for (;;) {
      if (this.stopped || f.fd === undefined) return true;
      const size = fstatSync(f.fd).size;
      if (size <= f.offset) return true;
      const want = Math.min(size - f.offset, this.chunk);
      const buf = Buffer.allocUnsafe(want);
      const n = readSync(f.fd, buf, 0, want, f.offset);
      if (n === 0) return true;
      const atEnd = f.offset + n >= size;
      const { entries, consumed } = this.split(buf.subarray(0, n), atEnd ? flush : 'none');
      if (consumed === 0) return true;
      if (entries.length > 0 && !(await this.send(f, entries, consumed))) return false;
      f.offset += consumed;
      this.persist();
    }
  }

  /** `bytes`: the size of the lines in the file, which sizes the delivery log's byte bound. */
  private async send(f: Tracked, entries: string[], bytes: number): Promise<boolean> {
    const now = Date.now();
    const observed: HrTime = [Math.floor(now / 1000), (now % 1000) * 1e6];
    const records: LogRecordData[] = [];
    const name = basename(f.path);
    for (const text of entries) {
      const r = new LogRecordData(RESOURCE, SCOPE);
      r.hrTimeObserved = observed;
      r.body = text;
      const attrs: LogAttributes = {};
      if (this.cfg.include_file_name) attrs['log.file.name'] = name;
      if (this.cfg.include_file_path) attrs['log.file.path'] = f.path;
      r.attributes = attrs;
      let keep = true;
      for (const op of this.operators) if (!(keep = op(r, text))) break;
      if (keep) records.push(r);
    }
    if (records.length === 0) return true;
    try {
      await this.next.consume(records, bytes);
    } catch (err) {
      if (isPermanent(err)) {
        this.settings.telemetry.add(M.receiverRejected, records.length, this.labels);
        this.settings.logger.burst(
          'error',
          'permanent',
          'The pipeline rejected lines permanently; they were dropped.',
          { receiver: this.settings.id, file: f.path, records: records.length, error: errorMessage(err) },
        );
        return true;
      }
      this.settings.telemetry.add(M.receiverRefused, records.length, this.labels);
      this.lastRetryAfterMs = err instanceof BackpressureError ? Math.max(1, err.retryAfterSeconds * 1000) : undefined;
      this.settings.logger.burst('warn', 'refused', 'The pipeline refused lines; keeping the offset and retrying.', {
        receiver: this.settings.id,
        file: f.path,
        error: errorMessage(err),
      });
      return false;
    }
    this.settings.telemetry.add(M.receiverAccepted, records.length, this.labels);
    return true;
  }

  /** Cuts complete entries off the front of `buf`; `consumed` is where the first entry not returned starts. */
  private split(buf: Buffer, flush: Flush): { entries: string[]; consumed: number } {
    const max = this.cfg.max_log_size;
    const entries: string[] = [];
    const push = (a: number, b: number) => {
      // b: the end of the entry, its final line break excluded.
      if (b > a && buf[b - 1] === 13) b--;
      for (let s = a; s < b; s += max) {
        let text = buf.toString('utf8', s, Math.min(b, s + max));
        if (!this.cfg.preserve_leading_whitespaces) text = text.trimStart();
        if (!this.cfg.preserve_trailing_whitespaces) text = text.trimEnd();
        if (text !== '') entries.push(text);
      }
    };
    let start = 0;
    if (!this.lineStart) {
      while (entries.length < MAX_BATCH) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break;
        push(start, nl);
        start = nl + 1;
      }
      if (start === 0 && buf.length >= max) {
        push(0, max);
        return { entries, consumed: max };
      }
      if (flush === 'all' && start < buf.length && entries.length < MAX_BATCH) {
        push(start, buf.length);
        start = buf.length;
      }
      return { entries, consumed: start };
    }
    // Multiline: an entry runs from a line matching line_start_pattern up to the next one.
    let entryStart = 0;
    let lineStart = 0;
    let lastNl = -1;
    while (entries.length < MAX_BATCH) {
      const nl = buf.indexOf(10, lineStart);
      if (nl < 0) break;
      if (lineStart > entryStart && this.lineStart.test(buf.toString('utf8', lineStart, nl))) {
        push(entryStart, lineStart - 1);
        entryStart = lineStart;
      }
      lastNl = nl;
      lineStart = nl + 1;
    }
    if (entries.length >= MAX_BATCH) return { entries, consumed: entryStart };
    if (flush === 'all' && entryStart < buf.length) {
      push(entryStart, buf[buf.length - 1] === 10 ? buf.length - 1 : buf.length);
      return { entries, consumed: buf.length };
    }
    if (flush === 'complete' && lastNl >= entryStart) {
      push(entryStart, lastNl);
      return { entries, consumed: lastNl + 1 };
    }
    if (entries.length === 0 && buf.length >= max) {
      push(0, max);
      return { entries, consumed: max };
    }
    return { entries, consumed: entryStart };
  }
}

/** Whether one fingerprint starts with the other (both non-empty). */
function samePrefix(a: Buffer, b: Buffer): boolean {
  const n = Math.min(a.length, b.length);
  return n > 0 && a.subarray(0, n).equals(b.subarray(0, n));
}
