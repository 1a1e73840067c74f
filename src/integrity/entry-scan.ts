// Finds the whole audit entries at the start of a run of bytes, with their
// count and time range: used to re-cover the bytes a crashed writer appended
// after its last checkpoint.
import { Decoder } from '@msgpack/msgpack';
import { msgpackObjectEnd } from '../format/audit-reader.js';
import type { EntryStats } from './file-digest.js';

export function scanEntries(bytes: Buffer): EntryStats & { end: number } {
  const decoder = new Decoder();
  const s = { count: 0, minTs: Infinity, maxTs: -Infinity, end: 0 };
  let p = 0;
  while (p < bytes.length) {
    const end = msgpackObjectEnd(bytes, p, bytes.length);
    if (end < 0) break;
    const ts = entryTimestamp(decoder.decode(bytes.subarray(p, end)));
    s.count++;
    if (ts < s.minTs) s.minTs = ts;
    if (ts > s.maxTs) s.maxTs = ts;
    p = end;
  }
  s.end = p;
  return s;
}

/** An entry's `timestamp` (0 when it has none). */
export function entryTimestamp(v: unknown): number {
  const t = v !== null && typeof v === 'object' ? (v as Record<string, unknown>).timestamp : undefined;
  return typeof t === 'number' ? t : typeof t === 'bigint' ? Number(t) : 0;
}
