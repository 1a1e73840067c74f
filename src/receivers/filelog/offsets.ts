// The receiver's offsets in a file_storage directory: one JSON file naming,
// for each file it knows, the fingerprint (first bytes, base64), device and
// inode, and the offset of the first byte not yet taken by the pipeline.
// Written to a temp name, fsynced and renamed, so a crash leaves either the
// old or the new list, never half of one.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FileModes } from '../../config/file-mode.js';

export interface StoredFile {
  path: string;
  id: string;
  fp: Buffer;
  offset: number;
}

const NAME = 'offsets.json';

export class OffsetStore {
  constructor(
    readonly directory: string,
    private readonly modes: FileModes,
  ) {
    mkdirSync(directory, { recursive: true, mode: modes.dir });
  }

  /** The files of the previous run; an unreadable list is reported and treated as empty. */
  load(onCorrupt: (err: unknown) => void): StoredFile[] {
    let text: string;
    try {
      text = readFileSync(join(this.directory, NAME), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onCorrupt(err);
      return [];
    }
    try {
      const raw = JSON.parse(text) as { files?: unknown };
      if (!Array.isArray(raw.files)) throw new Error('no "files" list');
      const out: StoredFile[] = [];
      for (const f of raw.files as Record<string, unknown>[]) {
        if (typeof f.fp !== 'string' || typeof f.offset !== 'number' || !Number.isSafeInteger(f.offset) || f.offset < 0)
          continue;
        out.push({
          path: String(f.path ?? ''),
          id: String(f.id ?? ''),
          fp: Buffer.from(f.fp, 'base64'),
          offset: f.offset,
        });
      }
      return out;
    } catch (err) {
      onCorrupt(err);
      return [];
    }
  }

  save(files: readonly StoredFile[]): void {
    const text = JSON.stringify({
      version: 1,
      files: files.map((f) => ({ path: f.path, id: f.id, fp: f.fp.toString('base64'), offset: f.offset })),
    });
    const tmp = join(this.directory, `${NAME}.tmp`);
    const fd = openSync(tmp, 'w', this.modes.file);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.directory, NAME));
  }
}
