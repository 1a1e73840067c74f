// The redaction processor's YAML. The first block is the OpenTelemetry
// Collector redaction processor's own options with the same meaning; `privacy`
// and `mask` are Auditline's privacy profile, on by default.
import { bool, def, ignored, list, obj, oneOf, opt, str } from '../../src/config/schema.js';
import { goRegExpSource } from '../../src/matching/go-regexp.js';

export const HASH_FUNCTIONS = [
  'md5',
  'sha1',
  'sha3',
  'hmac_sha256',
  'hmac-sha256',
  'hmac_sha512',
  'hmac-sha512',
] as const;
export type HashFunction = (typeof HASH_FUNCTIONS)[number];

export const privacySpec = obj({
  /** Master switch for every detector and key rule below. */
  enabled: def(bool(), true),
  emails: def(bool(), true),
  /** 13–19 digits, optionally grouped by spaces or dashes, with a card network prefix and a valid Luhn check digit. */
  card_numbers: def(bool(), true),
  jwts: def(bool(), true),
  /** `Bearer …` / `Basic …` values and `password=…`-style pairs inside text. */
  credentials: def(bool(), true),
  /** Well-known key shapes: sk-…, sk_live_…, AKIA…, ghp_…, github_pat_…, xox?-…, AIza…, glpat-…, PEM private keys… */
  api_keys: def(bool(), true),
  /** Extra key names whose whole value is masked (besides password, secret, token, authorization, api_key, cookie, …). */
  secret_keys: def(list(str({ nonEmpty: true })), []),
  /** Extra key names that carry content and are dropped (besides prompt, response, completion, messages, input, output, …). */
  content_keys: def(list(str({ nonEmpty: true })), []),
  /** Drop content keys entirely. */
  drop_content: def(bool(), true),
});

/** Detector sets: `secrets` is the privacy profile above (on by default), `pii` adds personal data. */
export const PROFILES = ['secrets', 'pii'] as const;

/** The opt-in `pii` profile's detectors (used only when `profiles` lists `pii`). */
export const piiSpec = obj({
  /** IBANs whose ISO 13616 check digits are valid, compact or in groups of four. */
  ibans: def(bool(), true),
  /** US Social Security numbers (area not 000, 666 or 9xx; group not 00; serial not 0000). */
  national_ids: def(bool(), true),
  /** Phone numbers in international form (+ and 8–15 digits). */
  phone_numbers: def(bool(), true),
  /** IPv4 and IPv6 addresses in free text. */
  ip_addresses: def(bool(), true),
  /** Keys whose IP addresses are kept (the Redis exporter indexes client.address). */
  kept_ip_keys: def(list(str({ nonEmpty: true })), ['client.address']),
});

/** `{ enabled, attributes }`: one sanitizer and the attribute keys it rewrites. */
const sanitizerSwitch = obj({
  enabled: def(bool(), false),
  attributes: def(list(str({ nonEmpty: true })), []),
});
const switchOff = () => sanitizerSwitch.parse({}, [], [])!;

/** The Collector's database query sanitizers; a kind without `attributes` sanitizes string values in bodies. */
export const dbSanitizerSpec = obj({
  sql: def(sanitizerSwitch, switchOff),
  redis: def(sanitizerSwitch, switchOff),
  valkey: def(sanitizerSwitch, switchOff),
  memcached: def(sanitizerSwitch, switchOff),
  mongo: def(sanitizerSwitch, switchOff),
  opensearch: def(sanitizerSwitch, switchOff),
  es: def(sanitizerSwitch, switchOff),
  sanitize_span_name: ignored(),
});

export const redactionConfigSpec = obj(
  {
    /** Keep every key. Defaults to true unless `allowed_keys` is given (the Collector defaults to false). */
    allow_all_keys: opt(bool()),
    /** Keys kept when `allow_all_keys` is false; every other key is removed. */
    allowed_keys: opt(list(str())),
    /** Keys passed through untouched: never removed, masked or scanned. */
    ignored_keys: def(list(str()), []),
    /** RE2 patterns over key names, same meaning as `ignored_keys`. */
    ignored_key_patterns: def(list(goRegExpSource()), []),
    /** RE2 patterns over values; each match is masked. */
    blocked_values: def(list(goRegExpSource()), []),
    /** RE2 patterns over key names; the whole value of a matching key is masked. */
    blocked_key_patterns: def(list(goRegExpSource()), []),
    /** RE2 patterns over values; a match the privacy profile or `blocked_values` found is kept when it lies inside one of these. */
    allowed_values: def(list(goRegExpSource()), []),
    /** Also apply `blocked_values` to numbers and booleans via their string form (the privacy profile always checks numbers for card numbers). */
    redact_all_types: def(bool(), false),
    /** Replace masked text with its hex digest instead of `mask`. */
    hash_function: opt(oneOf(HASH_FUNCTIONS)),
    /** HMAC key for hmac_sha256 / hmac_sha512 (e.g. `${env:REDACTION_KEY}`). */
    hash_key: opt(str()),
    /** The Collector's name for `hash_key`. */
    hmac_key: opt(str()),
    /** Diagnostic attributes: debug = counts and key names, info = counts, silent = none. */
    summary: def(oneOf(['debug', 'info', 'silent'] as const), 'silent'),
    /** Replacement for masked text when no hash function is set. */
    mask: def(str({ nonEmpty: true }), '****'),
    privacy: def(privacySpec, () => privacySpec.parse({}, [], [])!),
    /** Detector sets to run: `secrets` (default) and the opt-in `pii`. */
    profiles: def(list(oneOf(PROFILES)), ['secrets']),
    /** Switches of the `pii` profile. */
    pii: def(piiSpec, () => piiSpec.parse({}, [], [])!),
    /** Replaces dynamic URL path segments (ids, UUIDs, tokens) with `*` in the listed attributes. */
    url_sanitizer: opt(sanitizerSwitch),
    /** Replaces literals in SQL, Redis, Memcached and Mongo/Elasticsearch/OpenSearch queries. */
    db_sanitizer: opt(dbSanitizerSpec),
  },
  (c, add) => {
    const hmac = c.hash_function?.startsWith('hmac') ?? false;
    if (c.hash_key !== undefined && c.hmac_key !== undefined)
      add('hmac_key', 'set either hash_key or hmac_key, not both');
    const key = c.hash_key ?? c.hmac_key;
    const keyName = c.hash_key !== undefined ? 'hash_key' : 'hmac_key';
    if (hmac && key === undefined) add('hash_key', `is required when hash_function is ${c.hash_function}`);
    if (!hmac && key !== undefined) add(keyName, 'is only used with hash_function hmac_sha256 or hmac_sha512');
    if (hmac && key !== undefined) {
      // The Collector's documented minimum key lengths; shorter keys make low-entropy values (emails) guessable.
      const min = c.hash_function!.endsWith('512') ? 64 : 32;
      if (Buffer.byteLength(key) < min)
        add(keyName, `must be at least ${min} bytes for ${c.hash_function} (e.g. openssl rand -hex ${min / 2})`);
    }
  },
);

export type RedactionConfig = NonNullable<ReturnType<typeof redactionConfigSpec.parse>>;
export type PrivacyConfig = RedactionConfig['privacy'];
export type PiiConfig = RedactionConfig['pii'];

/** The YAML shape with every field optional, for in-process construction. */
export interface RedactionOptions {
  allow_all_keys?: boolean;
  allowed_keys?: string[];
  ignored_keys?: string[];
  ignored_key_patterns?: string[];
  blocked_values?: string[];
  blocked_key_patterns?: string[];
  allowed_values?: string[];
  redact_all_types?: boolean;
  hash_function?: HashFunction;
  hash_key?: string;
  hmac_key?: string;
  summary?: 'debug' | 'info' | 'silent';
  mask?: string;
  privacy?: Partial<PrivacyConfig>;
  profiles?: ('secrets' | 'pii')[];
  pii?: Partial<PiiConfig>;
  url_sanitizer?: { enabled?: boolean; attributes?: string[] };
  db_sanitizer?: Partial<
    Record<
      'sql' | 'redis' | 'valkey' | 'memcached' | 'mongo' | 'opensearch' | 'es',
      { enabled?: boolean; attributes?: string[] }
    >
  >;
}
