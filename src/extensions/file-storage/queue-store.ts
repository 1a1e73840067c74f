// A persistent sending queue on disk: one file per queued batch, holding the
// batch as an OTLP ExportLogsServiceRequest. A batch is written (to a temp
// name, then renamed, so a crash never leaves half a file under a real name)
// before the exporter acknowledges it, and deleted once it is exported or
// dropped for good. At start the exporter re-queues whatever is left.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { OWNER_ONLY, type FileModes } from '../../config/file-mode.js';
import { decodeLogsRequestProtobuf } from '../../otlp/decode-protobuf.js';

const SUFFIX = '.otlp';

export interface StoredBatch {
  seq: number;
  records: ReadableLogRecord[];
}

export class QueueStore {
  private seq = 0;

  constructor(
    readonly directory: string,
    private readonly fsync: boolean,
    private readonly modes: FileModes = OWNER_ONLY,
  ) {
    mkdirSync(directory, { recursive: true, mode: modes.dir });
  }

  /** Batches left by a previous run, oldest first. Unreadable files are moved aside, never silently deleted. */
  loadAll(onCorrupt: (file: string, err: unknown) => void): StoredBatch[] {
    const out: StoredBatch[] = [];
    const names = readdirSync(this.directory)
      .filter((n) => n.endsWith(SUFFIX))
      .sort();
    for (const name of names) {
      const seq = Number(name.slice(0, -SUFFIX.length));
      if (!Number.isSafeInteger(seq)) continue;
      this.seq = Math.max(this.seq, seq);
      try {
        out.push({ seq, records: decodeLogsRequestProtobuf(readFileSync(join(this.directory, name))).records });
      } catch (err) {
        renameSync(join(this.directory, name), join(this.directory, `${name}.corrupt`));
        onCorrupt(name, err);
      }
    }
    for (const n of readdirSync(this.directory))
      if (n.endsWith('.tmp')) rmSync(join(this.directory, n), { force: true });
    return out;
  }

  /** Persists a batch; returns its sequence number for `remove`. */
  append(records: ReadableLogRecord[]): number {
    const seq = ++this.seq;
    const bytes = ProtobufLogsSerializer.serializeRequest(records);
    if (!bytes) throw new Error('The batch could not be serialised for the persistent queue.');
    const name = fileName(seq);
    const tmp = join(this.directory, `${name}.tmp`);
    const fd = openSync(tmp, 'w', this.modes.file);
    try {
      writeSync(fd, bytes);
      if (this.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.directory, name));
    return seq;
  }

  remove(seq: number): void {
    rmSync(join(this.directory, fileName(seq)), { force: true });
  }
}

function fileName(seq: number): string {
  return `${String(seq).padStart(16, '0')}${SUFFIX}`;
}
