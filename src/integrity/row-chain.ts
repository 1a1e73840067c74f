// The integrity table of a SQLite database (format in docs/audit-integrity.md):
// one signed entry per table per committed transaction, chained by the hash
// of the entry before, written in the same transaction as the rows. An entry
// covers the rows with ids [first_id, last_id] of one table by the SHA-256 of
// their canonical text: per row, SQLite's json_array() of its columns (id
// first); rows in id order, joined by newlines (json_array measured about half
// the CPU of quote() per column). A `prune` entry
// records rows that retention removed (whole batches, oldest first).
import { createHash } from 'node:crypto';
import { GENESIS, sha256Hex } from './checkpoint.js';
import type { Algorithm, Signer, Verifier } from './keys.js';

export const INTEGRITY_TABLE = 'auditline_integrity';

export const INTEGRITY_TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${INTEGRITY_TABLE} (
  seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, tbl TEXT NOT NULL, first_id INTEGER NOT NULL, last_id INTEGER NOT NULL,
  rows INTEGER NOT NULL, min_ts TEXT, max_ts TEXT, sha256 TEXT NOT NULL, columns TEXT NOT NULL, prev TEXT NOT NULL,
  time INTEGER NOT NULL, alg TEXT NOT NULL, key_id TEXT NOT NULL, sig TEXT NOT NULL)`;

export interface RowEntry {
  v: 1;
  seq: number;
  kind: 'batch' | 'prune';
  tbl: string;
  first_id: number;
  last_id: number;
  rows: number;
  min_ts: string | null;
  max_ts: string | null;
  sha256: string;
  /** The columns hashed, comma-separated, id first. */
  columns: string;
  prev: string;
  time: number;
  alg: Algorithm;
  key_id: string;
}

export type SignedRowEntry = RowEntry & { sig: string };

/** The signed text: the fields in the order above, as JSON.stringify writes them. */
export function rowEntryBody(e: RowEntry): string {
  return JSON.stringify({
    v: 1,
    seq: e.seq,
    kind: e.kind,
    tbl: e.tbl,
    first_id: e.first_id,
    last_id: e.last_id,
    rows: e.rows,
    min_ts: e.min_ts,
    max_ts: e.max_ts,
    sha256: e.sha256,
    columns: e.columns,
    prev: e.prev,
    time: e.time,
    alg: e.alg,
    key_id: e.key_id,
  });
}

export function signRowEntry(e: RowEntry, signer: Signer): SignedRowEntry {
  return { ...e, sig: signer.sign(Buffer.from(rowEntryBody(e))) };
}

export function rowEntryHash(e: RowEntry | undefined): string {
  return e === undefined ? GENESIS : sha256Hex(rowEntryBody(e));
}

export function checkRowSignature(e: SignedRowEntry, key: Verifier): boolean {
  return key.verify(Buffer.from(rowEntryBody(e)), e.sig);
}

/** Count, time range and canonical text of a table's rows with ids in [?, ?]. */
export function rowsDigestSql(table: string, columns: readonly string[]): string {
  // The subquery walks the rowid range in id order, so the aggregate needs no sort of its own.
  return (
    `SELECT count(*) AS n, min(timestamp) AS min_ts, max(timestamp) AS max_ts, ` +
    `CAST(group_concat(r, char(10)) AS BLOB) AS text FROM ` +
    `(SELECT timestamp, json_array(${columns.join(', ')}) AS r FROM ${table} WHERE id BETWEEN ? AND ? ORDER BY id)`
  );
}

export interface RowsDigest {
  n: number;
  min_ts: string | null;
  max_ts: string | null;
  text: Buffer | null;
}

export function rowsSha256(d: RowsDigest): string {
  return createHash('sha256')
    .update(d.text ?? '')
    .digest('hex');
}

/** Columns hashed for a table: every column, id first, in table order. */
export function hashedColumns(tableInfo: readonly { name: string }[]): string[] {
  const names = tableInfo.map((c) => c.name);
  return ['id', ...names.filter((n) => n !== 'id')];
}

/** Columns of the integrity table in insert order (`sig` last). */
export const ENTRY_COLUMNS = [
  'seq',
  'kind',
  'tbl',
  'first_id',
  'last_id',
  'rows',
  'min_ts',
  'max_ts',
  'sha256',
  'columns',
  'prev',
  'time',
  'alg',
  'key_id',
  'sig',
] as const;
