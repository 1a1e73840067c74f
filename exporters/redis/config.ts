// Configuration of the `redis` exporter: where Redis is (one server or a
// cluster), how keys are named, which indexes are written, how long each
// retention class lives, and how attributes map onto the seed's log entry.
import {
  bool,
  def,
  duration,
  int,
  list,
  obj,
  opt,
  record,
  str,
  type ConfigIssue,
  type Spec,
} from '../../src/config/schema.js';
import type { ExporterHelperSettings } from '../../src/exporterhelper/config.js';
import { ENTRY_FIELDS, type EntryField } from './field-mapping.js';

export const DEFAULT_ENDPOINT = 'redis://127.0.0.1:6379';

/** Index families that can be switched off with `indexes:`; all are on by default. */
export const INDEX_NAMES = [
  'ip',
  'fqdn',
  'host',
  'user',
  'session',
  'client',
  'status',
  'method',
  'path',
  'errors',
  'slow',
  'level',
  'event',
  'oauth',
] as const;
export type IndexName = (typeof INDEX_NAMES)[number];

const DAY = 86_400;
const RETENTION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: DAY, w: 7 * DAY };

/**
 * A retention period: a whole number of days (`7`), or a number with a unit
 * (`7d`, `12h`, `2w`, `90m`). Parsed to seconds, which is what EXPIRE takes.
 */
export function period(): Spec<number> {
  return {
    shape: 'days (7) or a period with a unit (7d, 12h, 2w)',
    parse(v, p, is) {
      let secs: number | undefined;
      if (typeof v === 'number' && Number.isInteger(v)) secs = v * DAY;
      else if (typeof v === 'string') {
        const m = /^\s*(\d{1,6})\s*([smhdw]?)\s*$/.exec(v);
        if (m) secs = Number(m[1]) * RETENTION_UNITS[m[2] || 'd']!;
      }
      if (secs === undefined || secs < 1) {
        is.push({ path: p, message: 'must be a positive number of days (7) or a period such as 7d, 12h or 2w' });
        return undefined;
      }
      return secs;
    },
  };
}

/** One attribute name or a list of them, tried in order. */
function attributeNames(): Spec<string[]> {
  const one = str({ nonEmpty: true });
  const many = list(str({ nonEmpty: true }), { nonEmpty: true });
  return {
    shape: 'attribute name or list of attribute names',
    parse(v, p, is) {
      if (typeof v === 'string') {
        const s = one.parse(v, p, is);
        return s === undefined ? undefined : [s];
      }
      return many.parse(v, p, is);
    },
  };
}

/** `host:port`, for cluster seed nodes. */
function nodeAddress(): Spec<string> {
  return str({ pattern: /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, patternHint: 'host:port' });
}

export const retentionSpec = obj({
  requests: def(period(), 7 * DAY),
  errors: def(period(), 30 * DAY),
  oauth: def(period(), 90 * DAY),
  stats: def(period(), 365 * DAY),
});

export const streamSpec = obj({
  /** Approximate cap (`XADD … MAXLEN ~`) of `stream:requests` and `stream:logs`. */
  max_length: def(int({ min: 1 }), 100_000),
});

export const redisFields = {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://` for TLS. Default redis://127.0.0.1:6379 when `cluster` is not set. */
  endpoint: opt(str({ pattern: /^rediss?:\/\/[^\s]+$/, patternHint: 'a redis:// or rediss:// URL' })),
  /** Seed nodes of a Redis Cluster, `host:port` each; excludes `endpoint`. */
  cluster: opt(list(nodeAddress(), { nonEmpty: true })),
  username: opt(str({ nonEmpty: true })),
  password: opt(str()),
  /** Prepended to every key. Empty by default so keys are exactly the seed's. */
  key_prefix: def(
    str({
      pattern: /^(?:[A-Za-z0-9_.:-]*|[A-Za-z0-9_.:-]*\{[A-Za-z0-9_.:-]+\}[A-Za-z0-9_.:-]*)$/,
      patternHint: 'letters, digits, "_", ".", ":", "-" and at most one {hash-tag}',
    }),
    '',
  ),
  /** Requests at least this slow go to `idx:req:slow`. */
  slow_threshold: def(duration(), 1000),
  stream: def(streamSpec, () => streamSpec.parse({}, [], [])!),
  retention: def(retentionSpec, () => retentionSpec.parse({}, [], [])!),
  /** How far back `stats:response_times:{hostname}` keeps samples for percentiles. */
  response_times_window: def(period(), DAY),
  /** Entry field → attribute name(s), replacing the default lookup for that field. */
  mapping: def(record(attributeNames()), {}),
  /** Index families to write; default all. */
  indexes: def(list(str()), () => [...INDEX_NAMES]),
  /** Commands per round trip (one pipeline or one script call). */
  pipeline_size: def(int({ min: 10, max: 100_000 }), 1000),
  /** Without a log position (in-process use): how long a batch's marker keeps it from being applied again; must outlast `retry_on_failure.max_elapsed_time`. */
  dedup_window: def(duration({ min: 1000 }), 3_600_000),
  /** How often old index members are trimmed (0 turns it off). */
  cleanup_interval: def(duration(), 3_600_000),
  connect_timeout: def(duration({ min: 1 }), 5000),
  /** Register `/logs/...` routes on the query API when one is configured. */
  serve_queries: def(bool(), true),
};

export interface RetentionSettings {
  requests: number;
  errors: number;
  oauth: number;
  stats: number;
}

export interface RedisConfig {
  endpoint?: string;
  cluster?: string[];
  username?: string;
  password?: string;
  key_prefix: string;
  slow_threshold: number;
  stream: { max_length: number };
  retention: RetentionSettings;
  response_times_window: number;
  mapping: Record<string, string[]>;
  indexes: string[];
  pipeline_size: number;
  dedup_window: number;
  cleanup_interval: number;
  connect_timeout: number;
  serve_queries: boolean;
}

export type RedisExporterConfig = RedisConfig & ExporterHelperSettings;

/** Cross-field checks; `add(key, message)` per problem. No I/O. */
export function checkRedisConfig(
  cfg: RedisConfig & Partial<ExporterHelperSettings>,
  add: (key: string | null, msg: string) => void,
): void {
  if (cfg.endpoint !== undefined && cfg.cluster !== undefined) {
    add(null, 'set either "endpoint" (one Redis) or "cluster" (Redis Cluster seed nodes), not both');
  }
  for (const k of Object.keys(cfg.mapping)) {
    if (!(ENTRY_FIELDS as readonly string[]).includes(k))
      add('mapping', `unknown field "${k}" (expected one of: ${ENTRY_FIELDS.join(', ')})`);
  }
  for (const name of cfg.indexes) {
    if (!(INDEX_NAMES as readonly string[]).includes(name))
      add('indexes', `unknown index "${name}" (expected any of: ${INDEX_NAMES.join(', ')})`);
  }
  const maxElapsed = cfg.retry_on_failure?.max_elapsed_time;
  if (cfg.retry_on_failure?.enabled && maxElapsed !== undefined && maxElapsed > 0 && cfg.dedup_window < maxElapsed) {
    add(
      'dedup_window',
      `must be at least retry_on_failure::max_elapsed_time (${maxElapsed}ms), or a retried batch could be counted twice`,
    );
  }
}

export const redisConfigSpec: Spec<RedisConfig> = obj(redisFields, checkRedisConfig);

/** Parses YAML-shaped options (as an in-process user writes them) or throws one error listing every problem. */
export function parseRedisOptions(options: RedisExporterOptions): RedisConfig {
  const issues: ConfigIssue[] = [];
  const cfg = redisConfigSpec.parse(options, [], issues);
  if (!cfg || issues.length) {
    throw new Error(
      `Invalid Redis exporter options: ${issues.map((i) => `${i.path.join('::') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  return cfg;
}

/** Options as written in YAML (durations as strings, retention in days or periods). */
export type RedisExporterOptions = Partial<Record<keyof typeof redisFields, unknown>>;

export type { EntryField };
