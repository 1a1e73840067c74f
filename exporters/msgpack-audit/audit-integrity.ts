// The `integrity` option of msgpack_audit: one digest file beside each audit
// file (`audit.log.digest`), holding signed, chained checkpoints of the bytes
// appended (src/integrity/file-digest.ts). Bytes are hashed once their write
// group landed; checkpoints are written every `interval` and at shutdown.
import { errorMessage } from '../../src/component/errors.js';
import { scanEntries } from '../../src/integrity/entry-scan.js';
import { FileDigest, type EntryStats } from '../../src/integrity/file-digest.js';
import { loadSigner, type Algorithm, type Signer } from '../../src/integrity/keys.js';
import type { InternalLogger } from '../../src/telemetry/logger.js';

export interface AuditIntegrityConfig {
  key_file: string;
  algorithm: Algorithm;
  interval: number;
}

export const DIGEST_SUFFIX = '.digest';

export class AuditIntegrity {
  private signer?: Signer;
  private readonly digests = new Map<string, FileDigest>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: AuditIntegrityConfig,
    private readonly opts: { mode: number; fsync: boolean; logger: InternalLogger },
  ) {}

  /** Loads the key (a bad or exposed key fails the start) and starts the checkpoint timer. */
  start(): void {
    this.signer ??= loadSigner(this.config.key_file, this.config.algorithm);
    if (this.timer) return;
    this.timer = setInterval(() => this.checkpointAll(false), this.config.interval);
    this.timer.unref();
  }

  /** Before a write group: opens `file`'s digest against the file as it is now (once per file). */
  ready(file: string, size: number, ino: number): void {
    let d = this.digests.get(file);
    if (d === undefined) {
      // In-process use through the SDK may never call the exporter's start().
      if (this.signer === undefined) this.start();
      d = new FileDigest(file, file + DIGEST_SUFFIX, {
        signer: this.signer!,
        mode: this.opts.mode,
        fsync: this.opts.fsync,
        scan: scanEntries,
        onGeneration: (reason, f, at) =>
          this.opts.logger.warn('The audit file changed outside this writer; its digest starts a new generation.', {
            file: f,
            reason,
            at,
          }),
      });
      this.digests.set(file, d);
    }
    if (!d.isOpen) d.open(size, ino);
  }

  /** A write group landed: `slices` are at [before, …) of `file` (inode `ino`). */
  landed(file: string, slices: readonly Buffer[], before: number, ino: number, stats: EntryStats): void {
    this.digests.get(file)?.append(slices, before, ino, stats);
  }

  /** Writes a checkpoint for every file with bytes not yet covered; failures are logged and retried next time. */
  checkpointAll(closed: boolean): void {
    for (const d of this.digests.values()) {
      try {
        d.checkpoint(closed);
      } catch (err) {
        this.opts.logger.burst(
          'error',
          'integrity',
          'Cannot write an integrity checkpoint; retrying at the next interval.',
          { file: d.digestFile, error: errorMessage(err) },
        );
      }
    }
  }

  /** Stops the timer and writes the closing checkpoints. */
  shutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.checkpointAll(true);
  }
}

/** Per run of entries: count, smallest and largest timestamp (3 numbers), or undefined without integrity. */
export function addRunStats(stats: number[], run: number, ts: number): void {
  const i = run * 3;
  if (stats.length === i) {
    stats.push(1, ts, ts);
    return;
  }
  stats[i]!++;
  if (ts < stats[i + 1]!) stats[i + 1] = ts;
  if (ts > stats[i + 2]!) stats[i + 2] = ts;
}
