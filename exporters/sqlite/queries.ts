// The read side: a separate read-only connection (WAL lets it read while the
// writer writes) answering the audit and job queries with keyset pagination.
// SQL text is assembled only from fixed fragments; every value is bound.
// Rows are fetched as arrays and written straight to JSON text: measured
// roughly 1.5x faster than row objects + JSON.parse(metadata) + JSON.stringify.
import Database from 'better-sqlite3';
import { encodeCursor } from '../../src/extensions/query-api/params.js';
import type { AuditFilter, JobFilter } from './params.js';
import { AUDIT_SELECT, JOB_SELECT } from './schema.js';

export type LogRow = Record<string, unknown> & { id: number; timestamp: string; metadata: Record<string, unknown> };

export interface AuditPage {
  logs: LogRow[];
  next_cursor: string | null;
}
export interface JobPage {
  job_id: string;
  logs: LogRow[];
  next_cursor: string | null;
}

type RawRow = unknown[];

const AUDIT_LIST = AUDIT_SELECT.join(', ');
const ORDER = ' ORDER BY timestamp DESC, id DESC';
const JOB_SQL = `SELECT ${JOB_SELECT.join(', ')} FROM job_logs WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?`;

function select(where: string[]): string {
  return `SELECT ${AUDIT_LIST} FROM audit_logs${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
}

/** Turns raw rows of a fixed column list into JSON objects or JSON text. */
class RowCodec {
  private readonly keys: string[];
  private readonly iId: number;
  private readonly iTs: number;
  private readonly iMeta: number;

  constructor(readonly columns: readonly string[]) {
    this.keys = columns.map((c) => JSON.stringify(c) + ':');
    this.iId = columns.indexOf('id');
    this.iTs = columns.indexOf('timestamp');
    this.iMeta = columns.indexOf('metadata');
  }

  id(r: RawRow): number {
    return r[this.iId] as number;
  }
  timestamp(r: RawRow): string {
    return r[this.iTs] as string;
  }

  json(rows: RawRow[]): string {
    let out = '[';
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out += i === 0 ? '{' : ',{';
      for (let c = 0; c < r.length; c++) {
        const v = r[c];
        out +=
          (c === 0 ? '' : ',') +
          this.keys[c] +
          (c === this.iMeta
            ? metadataJson(v)
            : v === null
              ? 'null'
              : typeof v === 'number'
                ? String(v)
                : JSON.stringify(v));
      }
      out += '}';
    }
    return out + ']';
  }

  objects(rows: RawRow[]): LogRow[] {
    return rows.map((r) => {
      const o: Record<string, unknown> = {};
      for (let c = 0; c < r.length; c++) o[this.columns[c]!] = c === this.iMeta ? JSON.parse(metadataJson(r[c])) : r[c];
      return o as LogRow;
    });
  }
}

/** The stored metadata text when it is a JSON object (always, for rows this exporter wrote), else a wrapper. */
function metadataJson(v: unknown): string {
  if (v === null || v === undefined) return '{}';
  if (typeof v === 'string') {
    try {
      const parsed: unknown = JSON.parse(v);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return v;
    } catch {
      /* a hand-made row; wrapped below */
    }
  }
  return JSON.stringify({ _raw: typeof v === 'string' ? v : String(v) });
}

export class SqliteQueries {
  private readonly db: Database.Database;
  /** One prepared statement per combination of filters (at most a few hundred). */
  private readonly audits = new Map<string, Database.Statement>();
  private readonly jobStmt: Database.Statement;
  private readonly auditCodec = new RowCodec(AUDIT_SELECT);
  private readonly jobCodec = new RowCodec(JOB_SELECT);

  constructor(path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    // Reads through a memory map and a larger cache: measured 15-30% faster for scattered session rows.
    this.db.pragma('mmap_size = 1073741824');
    this.db.pragma('cache_size = -32768');
    this.jobStmt = this.db.prepare(JOB_SQL).raw(true);
  }

  /** Newest first; `next_cursor` is set when more rows follow. */
  audit(f: AuditFilter): AuditPage {
    const { rows, next } = this.auditRows(f);
    return { logs: this.auditCodec.objects(rows), next_cursor: next };
  }

  /** The same page as JSON text: `{"logs":[...],"next_cursor":...}`. */
  auditJson(f: AuditFilter): string {
    const { rows, next } = this.auditRows(f);
    return `{"logs":${this.auditCodec.json(rows)},"next_cursor":${JSON.stringify(next)}}`;
  }

  /** Oldest first, in the order written. */
  job(jobId: string, f: JobFilter): JobPage {
    const { rows, next } = this.jobRows(jobId, f);
    return { job_id: jobId, logs: this.jobCodec.objects(rows), next_cursor: next };
  }

  /** The same page as JSON text, and how many entries it holds. */
  jobJson(jobId: string, f: JobFilter): { text: string; count: number } {
    const { rows, next } = this.jobRows(jobId, f);
    return {
      text: `{"job_id":${JSON.stringify(jobId)},"logs":${this.jobCodec.json(rows)},"next_cursor":${JSON.stringify(next)}}`,
      count: rows.length,
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private auditRows(f: AuditFilter): { rows: RawRow[]; next: string | null } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.session_id !== undefined) {
      where.push('session_id = ?');
      args.push(f.session_id);
    }
    if (f.user_id !== undefined) {
      where.push('user_id = ?');
      args.push(f.user_id);
    }
    if (f.event !== undefined) {
      where.push('event = ?');
      args.push(f.event);
    }
    if (f.component !== undefined) {
      where.push('component = ?');
      args.push(f.component);
    }
    if (f.since !== undefined) {
      where.push('timestamp >= ?');
      args.push(f.since);
    }
    if (f.until !== undefined) {
      where.push('timestamp < ?');
      args.push(f.until);
    }
    if (f.after !== undefined) {
      where.push('(timestamp, id) < (?, ?)');
      args.push(f.after.timestamp, f.after.id);
    }
    const take = f.limit + 1;
    let sql: string;
    let bound: (string | number)[];
    const levels = f.levels ?? [];
    if (levels.length <= 1) {
      if (levels.length === 1) {
        where.unshift('level = ?');
        args.unshift(levels[0]!);
      }
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
    if (!stmt) {
      stmt = this.db.prepare(sql).raw(true);
      this.audits.set(sql, stmt);
    }
    const rows = stmt.all(...bound) as RawRow[];
    const more = rows.length > f.limit;
    if (more) rows.length = f.limit;
    const last = rows[rows.length - 1];
    const c = this.auditCodec;
    return { rows, next: more && last ? encodeCursor(['a', c.timestamp(last), c.id(last)]) : null };
  }

  private jobRows(jobId: string, f: JobFilter): { rows: RawRow[]; next: string | null } {
    const rows = this.jobStmt.all(jobId, f.afterId ?? 0, f.limit + 1) as RawRow[];
    const more = rows.length > f.limit;
    if (more) rows.length = f.limit;
    const last = rows[rows.length - 1];
    return { rows, next: more && last ? encodeCursor(['j', this.jobCodec.id(last)]) : null };
  }
}
