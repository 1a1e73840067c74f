// Entries of an audit file that a collector may still be appending to.
import { existsSync, readFileSync } from 'node:fs';
import { AuditStreamDecoder } from '../../src/format/audit-reader.js';

/**
 * The whole entries of the audit file at `path` ([] while it does not exist). A write in
 * progress can leave a partial entry at the end; the stream decoder holds it back.
 */
export function auditEntries<T = Record<string, unknown>>(path: string): T[] {
  if (!existsSync(path)) return [];
  const decoder = new AuditStreamDecoder();
  decoder.push(readFileSync(path));
  return [...decoder.entries()].map((e) => e.entry as unknown as T);
}
