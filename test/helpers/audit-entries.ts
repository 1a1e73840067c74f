// Entries of an audit file that a collector may still be appending to.
import { existsSync, readFileSync } from 'node:fs';
import { decodeMulti } from '@msgpack/msgpack';

/**
 * The whole entries of the audit file at `path` ([] while it does not exist). A write in
 * progress can leave a partial entry at the end; it is left out, not reported as an error.
 */
export function auditEntries<T = Record<string, unknown>>(path: string): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  try {
    for (const e of decodeMulti(readFileSync(path))) out.push(e as T);
  } catch (err) {
    if (!/Insufficient data/.test((err as Error).message)) throw err;
  }
  return out;
}
