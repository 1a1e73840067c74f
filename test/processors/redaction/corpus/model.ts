// The labelled redaction corpus (issue #12 item 4): what a case is, where in a
// record it can be planted, and the categories it is scored under. The data is
// in secrets.ts, lookalikes.ts (default profile) and pii.ts (opt-in profile);
// bench/redaction-quality.ts plants each case in a record, runs the redaction
// processor and scores it.

/** A value as a record holds it (AnyValue without bytes; bytes are a place). */
export type Value = string | number | boolean | Value[] | { [key: string]: Value };

/**
 * Where a case's value is planted. Every place is one record with only that case:
 * - `resource`   resource attribute `key` (beside `service.name`)
 * - `scope`      instrumentation scope attribute `key`
 * - `attribute`  record attribute `key`
 * - `nested`     record attribute `app.context` = { stages: ['init', { detail: { key: value } }] }
 * - `body`       the body itself (a string, or whatever the value is)
 * - `body.map`   body = { level: 'info', key: value }
 * - `map.key`    the value (a string) is a map key: attribute `app.index` = { value: 1 }
 * - `event.name` the record's event name (also a Redis key name in the redis exporter)
 * - `bytes`      record attribute `key` holding the UTF-8 bytes of the value (a Uint8Array)
 */
export const PLACES = [
  'resource',
  'scope',
  'attribute',
  'nested',
  'body',
  'body.map',
  'map.key',
  'event.name',
  'bytes',
] as const;
export type Place = (typeof PLACES)[number];

/**
 * Scoring categories. `promised` ones are what the README promised before
 * issue #12; the rest are the gaps issue #12 lists.
 */
export const CATEGORIES = {
  email: { promised: true, title: 'email addresses' },
  card: { promised: true, title: 'card numbers (single space/dash groups, known prefixes)' },
  jwt: { promised: true, title: 'JWTs / JWEs' },
  bearer_basic: { promised: true, title: 'Bearer / Basic credentials' },
  api_key: { promised: true, title: 'API key shapes already listed (sk-, AKIA, ghp_, PEM …)' },
  password: { promised: true, title: 'password=… pairs and secret key names already listed' },
  url_credentials: { promised: false, title: 'user:password@ in URLs (host and path kept)' },
  auth_scheme: { promised: false, title: 'Authorization Digest / Token / Bot / AWS SigV4' },
  cookie: { promised: false, title: 'every cookie of a Cookie / Set-Cookie header' },
  serialised: { promised: false, title: 'escaped JSON, Ruby, PHP, XML, SQL, mysqldump' },
  env_dump: { promised: false, title: 'environment dumps (SMTP_PASS=, SECRET_KEY_BASE= …)' },
  cli_flag: { promised: false, title: 'command-line flags (--api-key V, --password=V …)' },
  key_name: { promised: false, title: 'secret key names with suffixes/prefixes (password1, pass, auth …)' },
  key_shape: { promised: false, title: 'Azure, Slack webhook/xapp, PyPI, Twilio, Heroku, DO, Discord, Telegram' },
  private_key: { promised: false, title: 'PGP private key blocks, PEM keys cut before END' },
  card_format: { promised: false, title: 'cards with NBSP/double spaces/dots/glued, Mir/RuPay/Troy' },
  email_encoded: { promised: false, title: 'emails URL-encoded (%40) or with punycode TLDs' },
  content: { promised: false, title: 'prompt/response content outside content keys' },
  // Opt-in `pii` profile (pii.ts).
  iban: { promised: false, title: 'IBAN (checksum-verified) — pii profile' },
  national_id: { promised: false, title: 'US SSN (area/group/serial rules) — pii profile' },
  phone: { promised: false, title: 'phone numbers in international form — pii profile' },
  ip_address: { promised: false, title: 'IP addresses in free text — pii profile' },
} as const;
export type Category = keyof typeof CATEGORIES;

interface SpecimenBase {
  /** Finer label shown in reports: 'postgres url, # in password'. */
  kind: string;
  /** The value planted (a string nearly always; a number, list or map where that is the point). */
  value: Value;
  /** The attribute or map key the value sits under; default `DEFAULT_KEY`. Unused for body, map.key, event.name. */
  key?: string;
  /** Places this specimen is planted in (one case each). */
  at: Place[];
}

/** A planted secret: none of `secrets` may survive anywhere in the record. */
export interface SecretSpecimen extends SpecimenBase {
  category: Category;
  /** Exact substrings of the value that are the secret. */
  secrets: string[];
  /** Substrings of the value (or of its keys) that must survive: a URL's scheme, host and path, a header's name. */
  keep?: string[];
  /** The key may be removed rather than its value masked (content). Otherwise the key must stay. */
  mayDrop?: boolean;
}

/** A look-alike: the value must come out exactly as it went in, under the same key. */
export interface LookAlikeSpecimen extends SpecimenBase {
  /** The category whose detector it could fool. */
  category: Category;
}

/** One specimen at one place. */
export interface Case {
  id: string;
  category: Category;
  kind: string;
  place: Place;
  key: string;
  value: Value;
  /** Empty for a look-alike. */
  secrets: string[];
  keep: string[];
  mayDrop: boolean;
  lookAlike: boolean;
}

export const DEFAULT_KEY = 'app.detail';

/** Expands specimens to cases, one per place; ids are `<prefix>.<category>.<n>@<place>`. */
export function expand(
  prefix: string,
  secrets: readonly SecretSpecimen[],
  lookAlikes: readonly LookAlikeSpecimen[],
): Case[] {
  const out: Case[] = [];
  const seen = new Map<string, number>();
  const add = (
    s: SpecimenBase & { category: Category },
    lookAlike: boolean,
    secretList: string[],
    keep: string[],
    mayDrop: boolean,
  ) => {
    const tag = `${prefix}${lookAlike ? '.like' : ''}.${s.category}`;
    const n = (seen.get(tag) ?? 0) + 1;
    seen.set(tag, n);
    for (const place of s.at) {
      out.push({
        id: `${tag}.${n}@${place}`,
        category: s.category,
        kind: s.kind,
        place,
        key: s.key ?? DEFAULT_KEY,
        value: s.value,
        secrets: secretList,
        keep,
        mayDrop,
        lookAlike,
      });
    }
  };
  for (const s of secrets) add(s, false, s.secrets, s.keep ?? [], s.mayDrop ?? false);
  for (const s of lookAlikes) add(s, true, [], [], false);
  return out;
}
