// The read side: a separate read-only connection (WAL lets it read while the
// writer writes) answering the audit and job queries with keyset pagination.
// SQL text is assembled only from fixed fragments; every value is bound.
import Database from 'better-sqlite3';
import { AUDIT_SELECT, JOB_SELECT } from './schema.js';
import { encodeCursor } from '../../src/extensions/query-api/params.js';
import type { AuditFilter, JobFilter } from './params.js';

export type LogRow = Record<string, unknown> & { id: number; timestamp: string; metadata: Record<string, unknown> };

export interface AuditPage { logs: LogRow[]; next_cursor: string | null }
export interface JobPage { job_id: string; logs: LogRow[]; next_cursor: string | null }

const AUDIT_LIST = AUDIT_SELECT.join(', ');
const ORDER = ' ORDER BY timestamp DESC, id DESC';

function select(where: string[]): string {
  return `SELECT ${AUDIT_LIST} FROM audit_logs${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
}
const JOB_SQL = `SELECT ${JOB_SELECT.join(', ')} FROM job_logs WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?`;

export class SqliteQueries {
  private readonly db: Database.Database;
  /** One prepared statement per combination of filters (at most a few hundred). */
  private readonly audits = new Map<string, Database.Statement>();
  private readonly jobStmt: Database.Statement;

  constructor(path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.jobStmt = this.db.prepare(JOB_SQL);
  }

  /** Newest first; `next_cursor` is set when more rows follow. */
  audit(f: AuditFilter): AuditPage {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.session_id !== undefined) { where.push('session_id = ?'); args.push(f.session_id); }
    if (f.user_id !== undefined) { where.push('user_id = ?'); args.push(f.user_id); }
    if (f.event !== undefined) { where.push('event = ?'); args.push(f.event); }
    if (f.component !== undefined) { where.push('component = ?'); args.push(f.component); }
    if (f.since !== undefined) { where.push('timestamp >= ?'); args.push(f.since); }
    if (f.until !== undefined) { where.push('timestamp < ?'); args.push(f.until); }
    if (f.after !== undefined) { where.push('(timestamp, id) < (?, ?)'); args.push(f.after.timestamp, f.after.id); }
    const take = f.limit + 1;
    let sql: string;
    let bound: (string | number)[];
    const levels = f.levels ?? [];
    if (levels.length <= 1) {
      if (levels.length === 1) { where.unshift('level = ?'); args.unshift(levels[0]!); }
      sql = `${select(where)}${ORDER} LIMIT ?`;
      bound = [...args, take];
    } else {
      // One index-ordered branch per level, merged: `level IN (…)` would sort every matching row instead.
      const branch = `SELECT * FROM (${select(['level = ?', ...where])}${ORDER} LIMIT ?)`;
      sql = `SELECT * FROM (${levels.map(() => branch).join(' UNION ALL ')})${ORDER} LIMIT ?`;
      bound = [];
      for (const level of levels) bound.push(level, ...args, take);
      bound.push(take);
    }
    let stmt = this.audits.get(sql);
    if (!stmt) { stmt = this.db.prepare(sql); this.audits.set(sql, stmt); }
    const rows = stmt.all(...bound) as LogRow[];
    const more = rows.length > f.limit;
    if (more) rows.length = f.limit;
    const last = rows[rows.length - 1];
    for (const r of rows) parseMetadata(r);
    return { logs: rows, next_cursor: more && last ? encodeCursor(['a', last.timestamp, last.id]) : null };
  }

  /** Oldest first, in the order written. */
  job(jobId: string, f: JobFilter): JobPage {
    const rows = this.jobStmt.all(jobId, f.afterId ?? 0, f.limit + 1) as LogRow[];
    const more = rows.length > f.limit;
    if (more) rows.length = f.limit;
    const last = rows[rows.length - 1];
    for (const r of rows) parseMetadata(r);
    return { job_id: jobId, logs: rows, next_cursor: more && last ? encodeCursor(['j', last.id]) : null };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function parseMetadata(r: LogRow): void {
  const m = r.metadata as unknown;
  if (typeof m === 'string') {
    try { r.metadata = JSON.parse(m) as Record<string, unknown>; } catch { r.metadata = { _raw: m }; }
  } else {
    r.metadata = {};
  }
}
