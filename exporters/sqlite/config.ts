// Configuration of the `sqlite` exporter: where the database lives, which
// attributes become columns, and how long rows are kept.
import { modeFields } from '../../src/config/file-mode.js';
import { def, duration, int, obj, oneOf, opt, record, req, str, type SpecOutput } from '../../src/config/schema.js';
import { integrityKeyFields } from '../../src/integrity/config.js';
import { AUDIT_ATTRIBUTE_COLUMNS } from '../../src/model/audit-columns.js';
import { isContentKey } from '../../src/model/content-keys.js';
import { PROMOTABLE_COLUMNS, type PromotableColumn } from './schema.js';

/** Attribute → column, in precedence order (src/model/audit-columns.ts, shared with `auditline logs follow`). */
export const DEFAULT_PROMOTE: ReadonlyArray<readonly [string, PromotableColumn]> = AUDIT_ATTRIBUTE_COLUMNS;

/** `metadata` as a promote target keeps an attribute out of every column. */
const promoteTarget = oneOf([...PROMOTABLE_COLUMNS, 'metadata'] as const);

const retentionDaysSpec = obj({
  audit_logs: def(int({ min: 1 }), 30),
  job_logs: def(int({ min: 1 }), 90),
});

export const sqliteFields = {
  /** Database file; its directory is created. */
  path: req(str({ nonEmpty: true })),
  /** Extra or overriding attribute → column entries; they take precedence over the defaults. */
  promote: def(record(promoteTarget), {}),
  retention_days: def(retentionDaysSpec, () => retentionDaysSpec.parse({}, [], [])!),
  /** How often expired rows are deleted (also once at start). */
  retention_interval: def(duration({ min: 1000 }), 3_600_000),
  /** Rows per DELETE statement; the event loop is yielded between statements. */
  retention_batch_size: def(int({ min: 1, max: 100_000 }), 1000),
  /** SQLite `synchronous` in WAL mode: `normal` survives process crashes, `full` also power loss. */
  synchronous: def(oneOf(['normal', 'full'] as const), 'normal'),
  /**
   * How long a write waits for a lock another connection holds before it fails as busy (and is
   * retried by the sending queue). A wait longer than `timeout` is still awaited before a retry.
   */
  busy_timeout: def(duration({ min: 0 }), 5000),
  /** Permissions of the database file (its -wal and -shm follow it) and of the directories created: owner only unless set. */
  ...modeFields(),
  /** A signed hash chain of committed batches in table `auditline_integrity`, written with them (`auditline verify`). */
  integrity: opt(obj(integrityKeyFields)),
};

export const sqliteConfigSpec = obj(sqliteFields);

export type SqliteConfig = SpecOutput<typeof sqliteConfigSpec>;
export type RetentionDays = SqliteConfig['retention_days'];

/** Options accepted by `new SqliteExporter(...)`: `path` plus any config key, in YAML form. */
export type SqliteExporterOptions = { path: string } & Partial<Record<Exclude<keyof SqliteConfig, 'path'>, unknown>>;

/** Cross-field checks: content never becomes a column, even by configuration. */
export function checkSqliteConfig(cfg: SqliteConfig, add: (key: string | null, msg: string) => void): void {
  for (const [attr, col] of Object.entries(cfg.promote)) {
    if (col !== 'metadata' && isContentKey(attr))
      add('promote', `"${attr}" names prompt or response content, which is never stored`);
  }
  if (cfg.path === ':memory:') add('path', 'must be a file: the query routes read it through a second connection');
}
