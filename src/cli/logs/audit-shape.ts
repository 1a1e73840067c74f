// `logs follow` prints live records with the names `logs audit` uses: the
// stream carries the record's own attribute names under `attributes`
// (`error.type`, `job.id`); here they become the audit table's columns
// (`error_type`, `job_id`) and the rest its `metadata`, so the same field reads
// the same in both commands, human or --json.
import { AUDIT_ATTRIBUTE_COLUMNS } from '../../model/audit-columns.js';

/** The stream's fields that already have the audit table's names. */
const SAME = [
  'timestamp',
  'level',
  'event',
  'component',
  'operation',
  'message',
  'session_id',
  'user_id',
  'trace_id',
  'span_id',
];

export function auditShape(r: Record<string, unknown>): Record<string, unknown> {
  const attrs = r.attributes;
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) return r;
  const out: Record<string, unknown> = {};
  for (const k of SAME) out[k] = r[k] ?? null;
  const metadata: Record<string, unknown> = { ...(attrs as Record<string, unknown>) };
  for (const [attr, column] of AUDIT_ATTRIBUTE_COLUMNS) {
    if (!(attr in metadata)) continue;
    if (out[column] === undefined || out[column] === null) out[column] = metadata[attr];
    if (out[column] === metadata[attr]) delete metadata[attr];
  }
  out.metadata = metadata;
  return out;
}
