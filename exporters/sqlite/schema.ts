// The table layout the exporter writes, as of the newest schema version.
// Column order is the order of the migrations that added them, so a database
// created fresh and one upgraded from an older version are identical.

/** `PRAGMA user_version` of a database fully migrated by this code. */
export const SCHEMA_VERSION = 4;

export type Table = 'audit_logs' | 'job_logs';

/**
 * Per delivery log, the `end` of the last span whose rows are in the tables; written in the same
 * transaction as those rows, so a retried or replayed span is recognised and skipped.
 */
export const POSITIONS_TABLE = 'auditline_positions';

/** Columns written on insert (everything but `id`), in insert order. */
export const AUDIT_COLUMNS = [
  'timestamp',
  'level',
  'component',
  'operation',
  'message',
  'session_id',
  'user_id',
  'metadata',
  'event',
  'request_id',
  'trace_id',
  'span_id',
  'service',
  'endpoint',
  'model',
  'duration_ms',
  'status',
  'status_code',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'error_type',
  'error_message',
  'error_stack',
] as const;

export const JOB_COLUMNS = [
  'job_id',
  'timestamp',
  'level',
  'message',
  'metadata',
  'event',
  'component',
  'operation',
  'session_id',
  'user_id',
  'trace_id',
  'span_id',
  'status',
  'progress_current',
  'progress_total',
] as const;

/** Columns an attribute may be promoted into (see config `promote`). */
export const PROMOTABLE_COLUMNS = [
  'component',
  'operation',
  'event',
  'session_id',
  'user_id',
  'request_id',
  'endpoint',
  'model',
  'duration_ms',
  'status',
  'status_code',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'error_type',
  'error_message',
  'error_stack',
  'job_id',
  'progress_current',
  'progress_total',
] as const;

export type PromotableColumn = (typeof PROMOTABLE_COLUMNS)[number];

/** Columns returned by the query API, in response order. */
export const AUDIT_SELECT = ['id', ...AUDIT_COLUMNS] as const;
export const JOB_SELECT = ['id', ...JOB_COLUMNS] as const;
