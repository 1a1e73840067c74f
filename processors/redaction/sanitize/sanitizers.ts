// `url_sanitizer` and `db_sanitizer` as the Collector's redaction processor
// has them, for log records: run before the rest of redaction, on the listed
// attribute keys; a database kind configured without `attributes` sanitizes
// string values in bodies instead. With `db.system.name` (or `db.system`) on
// the record, only the kinds for that system apply; without it, every kind
// listing the key applies in turn.
import type { AnyValue } from '@opentelemetry/api-logs';
import { obfuscateMemcached, obfuscateRedis } from './commands.js';
import { obfuscateJsonQuery } from './json-query.js';
import { obfuscateSql } from './sql.js';
import { sanitizeUrl } from './url.js';

type Attrs = Record<string, AnyValue>;

export interface SanitizerSwitch {
  enabled: boolean;
  attributes: string[];
}
export interface SanitizerConfig {
  url_sanitizer?: SanitizerSwitch;
  db_sanitizer?: Record<DbKind, SanitizerSwitch>;
}

export const DB_KINDS = ['sql', 'redis', 'valkey', 'memcached', 'mongo', 'opensearch', 'es'] as const;
export type DbKind = (typeof DB_KINDS)[number];

/** `db.system.name` values each kind handles (lower case). */
const SYSTEMS: Record<DbKind, string[]> = {
  sql: [
    'other_sql',
    'mysql',
    'postgresql',
    'mariadb',
    'sqlite',
    'mssql',
    'microsoft.sql_server',
    'oracle',
    'oracle.db',
    'db2',
    'ibm.db2',
    'h2',
    'hsqldb',
    'derby',
    'cockroachdb',
    'clickhouse',
    'trino',
  ],
  redis: ['redis'],
  valkey: ['valkey'],
  memcached: ['memcached'],
  mongo: ['mongodb'],
  opensearch: ['opensearch'],
  es: ['elasticsearch'],
};

const OBFUSCATE: Record<DbKind, (s: string) => string> = {
  sql: obfuscateSql,
  redis: obfuscateRedis,
  valkey: obfuscateRedis,
  memcached: obfuscateMemcached,
  mongo: obfuscateJsonQuery,
  opensearch: obfuscateJsonQuery,
  es: obfuscateJsonQuery,
};

interface Kind {
  systems: Set<string>;
  keys: Set<string>;
  run: (s: string) => string;
}

/** The body depth walked; deeper values are left to the rest of redaction. */
const MAX_DEPTH = 32;

export class Sanitizers {
  private readonly urlKeys: Set<string>;
  /** Per attribute key, the database kinds that list it. */
  private readonly byKey = new Map<string, Kind[]>();
  private readonly forBody: Kind[];
  /** Values changed by the last `apply`. */
  changes = 0;

  private constructor(
    cfg: SanitizerConfig,
    private readonly ignored: (key: string) => boolean,
  ) {
    const u = cfg.url_sanitizer;
    this.urlKeys = new Set(u?.enabled ? u.attributes : []);
    const kinds = DB_KINDS.filter((k) => cfg.db_sanitizer?.[k].enabled).map((k) => ({
      systems: new Set(SYSTEMS[k]),
      keys: new Set(cfg.db_sanitizer![k].attributes),
      run: OBFUSCATE[k],
    }));
    for (const kind of kinds) for (const key of kind.keys) this.byKey.set(key, [...(this.byKey.get(key) ?? []), kind]);
    this.forBody = kinds.filter((k) => k.keys.size === 0);
  }

  /** Undefined when nothing is configured, so the redactor pays nothing. */
  static from(cfg: SanitizerConfig, ignored: (key: string) => boolean): Sanitizers | undefined {
    const s = new Sanitizers(cfg, ignored);
    return s.urlKeys.size + s.byKey.size + s.forBody.length > 0 ? s : undefined;
  }

  /** Sanitizes attributes in place and returns the body (a new object only where it changed). */
  apply(attrs: Attrs, body: AnyValue | undefined): AnyValue | undefined {
    this.changes = 0;
    const system = systemOf(attrs);
    for (const k in attrs) {
      const v = attrs[k];
      if (typeof v !== 'string' || v === '') continue;
      const kinds = this.byKey.get(k);
      const url = this.urlKeys.has(k);
      if ((kinds === undefined && !url) || this.ignored(k)) continue;
      let nv = url ? sanitizeUrl(v) : v;
      if (kinds !== undefined) nv = this.runAll(kinds, nv, system);
      if (nv !== v) {
        attrs[k] = nv;
        this.changes++;
      }
    }
    if (this.forBody.length === 0 || body === undefined || body === null) return body;
    return this.walk(body, system, 0);
  }

  /** With a known system, the first kind for it; without one, each kind in turn. */
  private runAll(kinds: Kind[], v: string, system: string | undefined): string {
    if (system !== undefined) {
      const k = kinds.find((d) => d.systems.has(system));
      return k ? k.run(v) : v;
    }
    let out = v;
    for (const k of kinds) out = k.run(out);
    return out;
  }

  private walk(v: AnyValue, system: string | undefined, depth: number): AnyValue {
    if (typeof v === 'string') {
      const nv = this.runAll(this.forBody, v, system);
      if (nv !== v) this.changes++;
      return nv;
    }
    if (depth >= MAX_DEPTH || v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
    if (Array.isArray(v)) {
      let out: AnyValue[] | undefined;
      v.forEach((x, i) => {
        const nx = this.walk(x, system, depth + 1);
        if (nx !== x) (out ??= v.slice())[i] = nx;
      });
      return out ?? v;
    }
    let out: Attrs | undefined;
    for (const [k, x] of Object.entries(v as Attrs)) {
      if (this.ignored(k)) continue;
      const nx = this.walk(x, system, depth + 1);
      if (nx !== x) (out ??= { ...(v as Attrs) })[k] = nx;
    }
    return out ?? v;
  }
}

function systemOf(attrs: Attrs): string | undefined {
  const s = attrs['db.system.name'] ?? attrs['db.system'];
  return typeof s === 'string' && s !== '' ? s.toLowerCase() : undefined;
}
