// The sqlite exporter's `integrity` option, on the write thread: after a
// transaction's inserts, one signed entry per table covering the rows it
// added, chained to the entry before, in the same transaction (format in
// src/integrity/row-chain.ts). Retention then removes whole covered batches,
// oldest first, recording each removal as a `prune` entry.
import type Database from 'better-sqlite3';
import { signerFromText, type Algorithm, type Signer } from '../../src/integrity/keys.js';
import {
  ENTRY_COLUMNS,
  INTEGRITY_TABLE,
  hashedColumns,
  rowEntryHash,
  rowsDigestSql,
  rowsSha256,
  signRowEntry,
  type RowEntry,
  type RowsDigest,
} from '../../src/integrity/row-chain.js';

/** The key, as text: the write thread does not read files. */
export interface IntegrityKey {
  algorithm: Algorithm;
  text: string;
  file: string;
}

type Db = Database.Database;

interface TableStatements {
  columns: string;
  digest: Database.Statement<[number, number], RowsDigest>;
  deleteRange: Database.Statement<[number, number]>;
}

export class RowIntegrity {
  private readonly signer: Signer;
  private readonly head: Database.Statement<[], RowEntry>;
  private readonly insert: Database.Statement<unknown[]>;
  private readonly prunedTo: Database.Statement<[string], number>;
  private readonly candidates: Database.Statement<
    [string, number],
    { first_id: number; last_id: number; max_ts: string | null }
  >;
  private readonly tables = new Map<string, TableStatements>();

  constructor(
    private readonly db: Db,
    key: IntegrityKey,
    tables: readonly string[],
  ) {
    this.signer = signerFromText(key.text, key.algorithm, key.file);
    this.head = db.prepare<[], RowEntry>(`SELECT * FROM ${INTEGRITY_TABLE} ORDER BY seq DESC LIMIT 1`);
    this.insert = db.prepare<unknown[]>(
      `INSERT INTO ${INTEGRITY_TABLE} (${ENTRY_COLUMNS.join(', ')}) VALUES (${ENTRY_COLUMNS.map(() => '?').join(', ')})`,
    );
    this.prunedTo = db
      .prepare<[string], number>(
        `SELECT coalesce(max(last_id), 0) FROM ${INTEGRITY_TABLE} WHERE kind = 'prune' AND tbl = ?`,
      )
      .pluck();
    this.candidates = db.prepare(
      `SELECT first_id, last_id, max_ts FROM ${INTEGRITY_TABLE} WHERE kind = 'batch' AND tbl = ? AND first_id > ? ORDER BY seq LIMIT 256`,
    );
    for (const t of tables) {
      const cols = hashedColumns(db.pragma(`table_info(${t})`) as { name: string }[]);
      this.tables.set(t, {
        columns: cols.join(','),
        digest: db.prepare<[number, number], RowsDigest>(rowsDigestSql(t, cols)),
        deleteRange: db.prepare<[number, number]>(`DELETE FROM ${t} WHERE id BETWEEN ? AND ?`),
      });
    }
  }

  /** Inside the transaction that inserted rows [first, last] of `table`: appends their entry. */
  record(table: string, first: number, last: number): void {
    const t = this.tables.get(table)!;
    this.append('batch', table, first, last, t.digest.get(first, last)!, t.columns);
  }

  /**
   * Inside a transaction: removes the oldest covered batches of `table` whose every row is older than
   * `cutoff`, up to about `maxRows` rows (at least one batch), and records a prune entry. Returns rows deleted.
   */
  prune(table: string, cutoff: string, maxRows: number): number {
    const t = this.tables.get(table)!;
    let first = 0;
    let last = 0;
    for (const c of this.candidates.all(table, this.prunedTo.get(table) ?? 0)) {
      if (c.max_ts !== null && c.max_ts >= cutoff) break;
      if (last > 0 && c.last_id - first + 1 > maxRows) break;
      if (first === 0) first = c.first_id;
      last = c.last_id;
    }
    if (last === 0) return 0;
    const digest = t.digest.get(first, last)!;
    const { changes } = t.deleteRange.run(first, last);
    this.append('prune', table, first, last, digest, t.columns);
    return changes;
  }

  private append(
    kind: RowEntry['kind'],
    tbl: string,
    first: number,
    last: number,
    d: RowsDigest,
    columns: string,
  ): void {
    const prev = this.head.get();
    const e = signRowEntry(
      {
        v: 1,
        seq: prev === undefined ? 0 : prev.seq + 1,
        kind,
        tbl,
        first_id: first,
        last_id: last,
        rows: d.n,
        min_ts: d.min_ts,
        max_ts: d.max_ts,
        sha256: rowsSha256(d),
        columns,
        prev: rowEntryHash(prev && { ...prev, v: 1 }),
        time: Date.now(),
        alg: this.signer.algorithm,
        key_id: this.signer.keyId,
      },
      this.signer,
    );
    this.insert.run(...ENTRY_COLUMNS.map((c) => e[c]));
  }
}
