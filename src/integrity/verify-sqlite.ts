// Verifies a SQLite database written by the sqlite exporter against its
// integrity table: each entry's signature and link to the one before, then
// per table each covered batch's rows (count and SHA-256 of their canonical
// text), that ranges retention pruned hold no rows, and that no row lies
// outside the covered ranges. Stops at the first break, naming table and row id.
import Database from 'better-sqlite3';
import type { Verifier } from './keys.js';
import {
  INTEGRITY_TABLE,
  checkRowSignature,
  rowEntryHash,
  rowsDigestSql,
  rowsSha256,
  type RowsDigest,
  type SignedRowEntry,
} from './row-chain.js';
import type { FileVerifyResult } from './verify-file.js';

type Db = Database.Database;
type Entry = SignedRowEntry;

interface TableState {
  entries: Entry[];
  prunedTo: number;
  rows: number;
  minTs: string | null;
  maxTs: string | null;
}

export function verifyDatabase(file: string, key: Verifier): FileVerifyResult {
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return failed(`Cannot open "${file}": ${(err as Error).message}`);
  }
  try {
    const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(INTEGRITY_TABLE);
    const entries = exists
      ? (db.prepare(`SELECT * FROM ${INTEGRITY_TABLE} ORDER BY seq`).all() as Entry[]).map((e) => ({
          ...e,
          v: 1 as const,
        }))
      : [];
    if (entries.length === 0)
      return failed(`"${file}" has no integrity entries (the sqlite exporter's integrity option was not on).`);
    const chain = checkChain(entries, key);
    if (chain) return failed(chain);
    const tables = new Map<string, TableState>();
    for (const e of entries) {
      let s = tables.get(e.tbl);
      if (!s) tables.set(e.tbl, (s = { entries: [], prunedTo: 0, rows: 0, minTs: null, maxTs: null }));
      s.entries.push(e);
      if (e.kind === 'prune') s.prunedTo = Math.max(s.prunedTo, e.last_id);
    }
    const lines: string[] = [];
    for (const [table, s] of tables) {
      const problem = checkTable(db, table, s);
      if (problem) return failed(problem);
      lines.push(tableSummary(db, table, s));
    }
    const last = entries[entries.length - 1]!;
    lines.unshift(
      `OK: ${entries.length} signed integrity entries; the last written ${new Date(last.time).toISOString()}.`,
    );
    return { ok: true, lines };
  } catch (err) {
    return failed(`FAILED: cannot check "${file}": ${(err as Error).message}`);
  } finally {
    db.close();
  }
}

function failed(line: string): FileVerifyResult {
  return { ok: false, lines: [line] };
}

/** Signatures, sequence and links; the first problem, or undefined. */
function checkChain(entries: Entry[], key: Verifier): string | undefined {
  let prev: Entry | undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const at = `FAILED at ${INTEGRITY_TABLE} seq ${e.seq}`;
    if (e.key_id !== key.keyId || e.alg !== key.algorithm) {
      return `${at}: signed with ${e.alg} key ${e.key_id}, not with the given ${key.algorithm} key ${key.keyId}.`;
    }
    if (!checkRowSignature(e, key)) return `${at}: the signature does not match (the entry was edited or forged).`;
    if (e.seq !== i || e.prev !== rowEntryHash(prev)) {
      return prev === undefined
        ? `${at}: the first entry does not start the chain (entries before it were removed).`
        : `${at}: it does not follow entry ${prev.seq} (integrity entries were removed, inserted or edited).`;
    }
    prev = e;
  }
  return undefined;
}

/** One table's rows against its entries; the first problem, or undefined. */
function checkTable(db: Db, table: string, s: TableState): string | undefined {
  let lastId = 0;
  for (const e of s.entries) {
    if (e.kind === 'prune') {
      const problem = checkPrune(table, e, s.entries);
      if (problem) return problem;
      continue;
    }
    const where = `${table} rows id ${e.first_id}–${e.last_id} (${INTEGRITY_TABLE} seq ${e.seq})`;
    if (e.first_id <= lastId) return `FAILED at ${where}: the range overlaps the batch before.`;
    const gap = firstId(db, table, lastId, e.first_id, lastId > 0);
    if (gap !== undefined)
      return `FAILED at ${table} row id ${gap}: no integrity entry covers it (a row inserted outside the collector).`;
    lastId = e.last_id;
    if (e.last_id <= s.prunedTo) {
      const left = firstId(db, table, e.first_id - 1, e.last_id + 1, true);
      if (left !== undefined)
        return `FAILED at ${table} row id ${left}: retention removed ${where}, but the row is there (re-inserted).`;
      continue;
    }
    const d = db
      .prepare<[number, number], RowsDigest>(rowsDigestSql(table, e.columns.split(',')))
      .get(e.first_id, e.last_id)!;
    if (d.n < e.rows) {
      const missing = missingId(db, table, e.first_id, e.last_id);
      return `FAILED at ${table} row id ${missing}: the row is missing (${where} holds ${d.n} of ${e.rows} rows): a row was deleted.`;
    }
    if (d.n !== e.rows || rowsSha256(d) !== e.sha256)
      return `FAILED at ${where}: the rows do not match: a row there was changed.`;
    s.rows += d.n;
    if (d.min_ts !== null && (s.minTs === null || d.min_ts < s.minTs)) s.minTs = d.min_ts;
    if (d.max_ts !== null && (s.maxTs === null || d.max_ts > s.maxTs)) s.maxTs = d.max_ts;
  }
  const after = firstId(db, table, lastId, Number.MAX_SAFE_INTEGER, true);
  if (after !== undefined)
    return `FAILED at ${table} row id ${after}: no integrity entry covers it (a row inserted outside the collector, or written while integrity was off).`;
  return undefined;
}

/** A prune entry must have removed every row its batches held (else rows were deleted before retention ran). */
function checkPrune(table: string, p: Entry, entries: Entry[]): string | undefined {
  let expected = 0;
  for (const e of entries)
    if (e.kind === 'batch' && e.first_id >= p.first_id && e.last_id <= p.last_id) expected += e.rows;
  if (expected === p.rows) return undefined;
  return (
    `FAILED at ${INTEGRITY_TABLE} seq ${p.seq}: retention removed ${table} rows id ${p.first_id}–${p.last_id}, ` +
    `but ${p.rows} of their ${expected} rows were there: rows were deleted before.`
  );
}

/** The smallest id strictly between `lo` and `hi` (when `check`), or undefined. */
function firstId(db: Db, table: string, lo: number, hi: number, check: boolean): number | undefined {
  if (!check || hi - lo <= 1) return undefined;
  return db
    .prepare<[number, number], number>(`SELECT id FROM ${table} WHERE id > ? AND id < ? ORDER BY id LIMIT 1`)
    .pluck()
    .get(lo, hi);
}

/** The first id in [first, last] with no row. */
function missingId(db: Db, table: string, first: number, last: number): number {
  let expect = first;
  for (const id of db
    .prepare<[number, number], number>(`SELECT id FROM ${table} WHERE id BETWEEN ? AND ? ORDER BY id`)
    .pluck()
    .iterate(first, last)) {
    if (id !== expect) return expect;
    expect++;
  }
  return expect;
}

function tableSummary(db: Db, table: string, s: TableState): string {
  const batches = s.entries.filter((e) => e.kind === 'batch');
  const first = batches[0]?.first_id ?? 0;
  const last = batches[batches.length - 1]?.last_id ?? 0;
  const time = s.minTs !== null ? `, ${s.minTs} to ${s.maxTs}` : '';
  let line = `${table}: rows id ${Math.max(first, s.prunedTo + 1)}–${last} (${s.rows} rows${time}) match ${batches.length} batch entries`;
  if (s.prunedTo > 0) line += `; rows id up to ${s.prunedTo} were removed by retention (recorded)`;
  const before =
    first > 1
      ? (db.prepare<[number], number>(`SELECT count(*) FROM ${table} WHERE id < ?`).pluck().get(first) ?? 0)
      : 0;
  if (before > 0) line += `; ${before} older rows (written before integrity was on) are not covered`;
  return `${line}.`;
}
