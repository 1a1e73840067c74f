// What a key name means for redaction: ignored, removed (not allowed, or
// content), whole value masked (names a secret, or matches a blocked key
// pattern), or scanned. Keys repeat from record to record, so each name is
// classified once and cached.

export const KeyAction = {
  /** Values are scanned by the detectors and `blocked_values`. */
  Scan: 0,
  /** `ignored_keys`: passed through untouched and counted. */
  Ignore: 1,
  /** The processor's own summary attributes: untouched, not counted. */
  Own: 2,
  /** Not in `allowed_keys`: removed. */
  NotAllowed: 3,
  /** Prompt/response content: removed. */
  Content: 4,
  /** Names a secret or matches `blocked_key_patterns`: the whole value is masked. */
  Mask: 5,
  /** Names a secret by the built-in rules only: masked unless the value is clearly not a secret (a date, a directory under PWD). */
  MaskBuiltin: 6,
} as const;
export type KeyAction = (typeof KeyAction)[keyof typeof KeyAction];

/** Words that name a secret wherever they appear in a key's last segment (`db_password`, `password_confirm`). */
export const SECRET_WORDS = [
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'credential',
  'credentials',
  'cookie',
  'authorization',
];
/** Names that name a secret when a key's last segment ends with them (`access_token`, `x-api-key`, `privateKey`, `smtp.pass`). */
export const SECRET_SUFFIXES = [
  'token',
  'api_key',
  'apikey',
  'private_key',
  'access_key',
  'secret_key',
  'client_secret',
  'auth_key',
  'pass',
  'auth',
  'app_key',
  'account_key',
  'encryption_key',
  'signing_key',
  'master_key',
  'sig',
  'signature',
];
/**
 * Words that may follow a secret's name and still leave it a secret: versions,
 * copies and encodings (`password1`, `api_key_2`, `access_token_old`, `token_v2`,
 * `private_key_pem`, `password_confirmation`).
 */
const SECRET_TRAILERS = new Set([
  'old',
  'prev',
  'previous',
  'new',
  'current',
  'next',
  'backup',
  'bak',
  'v',
  'pem',
  'b64',
  'base64',
  'hex',
  'raw',
  'enc',
  'encoded',
  'plain',
  'plaintext',
  'confirm',
  'confirmation',
  'repeat',
  'again',
  'tmp',
  'temp',
  'primary',
  'secondary',
]);
/**
 * Last words that make a secret-looking name describe something else: when it
 * changed or expires, how long it must be, whether it is set (`password_changed_at`,
 * `token_expires_at`, `PASSWORD_MIN_LENGTH`, `TOKEN_TTL_SECONDS`, `auth.method`).
 */
const NOT_SECRET_TAILS = new Set([
  'at',
  'time',
  'date',
  'ts',
  'timestamp',
  'changed',
  'updated',
  'created',
  'expires',
  'expiry',
  'expiration',
  'expired',
  'count',
  'counts',
  'length',
  'len',
  'min',
  'max',
  'size',
  'policy',
  'policies',
  'rules',
  'ttl',
  'seconds',
  'secs',
  'ms',
  'minutes',
  'hours',
  'days',
  'age',
  'enabled',
  'disabled',
  'required',
  'set',
  'present',
  'missing',
  'type',
  'types',
  'method',
  'methods',
  'provider',
  'providers',
  'scheme',
  'mode',
  'strength',
  'score',
  'hint',
  'reset',
  'requested',
  'rotation',
  'rotated',
  'stdin',
  'file',
  'path',
  'dir',
  'name',
  'names',
  'id',
  'ids',
  'url',
  'uri',
  'endpoint',
  'version',
  'status',
  'valid',
  'error',
  'errors',
  'attempts',
  'retries',
  'field',
  'fields',
  'algorithm',
  'alg',
  'kind',
  'label',
  'prompt',
  'form',
  'page',
  'flow',
  'level',
  'format',
]);
/** Segments under which a value is still the parent's (`db.password.value`). */
const VALUE_SEGMENTS = new Set(['value', 'values', 'data', 'text', 'content', 'raw']);
/** Words that name content when a key segment ends with them (`gen_ai.prompt`, `llm.input_messages`, `user_input`). */
export const CONTENT_WORDS = [
  'prompt',
  'prompts',
  'response',
  'responses',
  'completion',
  'completions',
  'messages',
  'input',
  'inputs',
  'output',
  'outputs',
  'content',
  'contents',
  'system_instructions',
  'arguments',
  'chat_history',
];
/** Content keys by their dotted ending (`llm.prompt_template.variables`). */
const CONTENT_DOTTED = ['prompt_template.variables', 'request.body'];
/** Segments that may follow a content segment and still be content (`gen_ai.prompt.0.content`, `http.response.body`). */
const PAYLOAD_WORDS = new Set(['content', 'contents', 'text', 'body', 'value', 'message', 'parts', 'data']);
/** Segments that make a key a measure of content rather than content (`llm.token_count.prompt`, `gen_ai.usage.input`). */
const MEASURE_SEGMENTS = new Set(['token_count', 'tokencount', 'usage', 'token_counts', 'tokens']);

/** The processor's summary attribute names (never removed or scanned). */
export const SUMMARY_KEYS = [
  'redaction.redacted.keys',
  'redaction.redacted.count',
  'redaction.masked.keys',
  'redaction.masked.count',
  'redaction.allowed.keys',
  'redaction.allowed.count',
  'redaction.ignored.count',
  'redaction.body.redacted.keys',
  'redaction.body.redacted.count',
  'redaction.body.masked.keys',
  'redaction.body.masked.count',
  'redaction.body.allowed.keys',
  'redaction.body.allowed.count',
  'redaction.body.ignored.count',
];

/** `x-API-Key` → ['x', 'api', 'key']; camelCase splits too (`accessToken` → ['access', 'token']). */
export function keyWords(segment: string): string[] {
  return segment
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** keyWords, with digits split from letters (`apiKey2` → ['api', 'key', '2']). */
export function nameWords(segment: string): string[] {
  return keyWords(segment.replace(/([a-zA-Z])([0-9])/g, '$1_$2').replace(/([0-9])([a-zA-Z])/g, '$1_$2'));
}

/**
 * Whether a name's words name a secret: a secret word anywhere, or a secret
 * suffix at the end, once version/copy trailers are set aside; never when the
 * last word says it is a time, a length, a setting or a kind.
 */
export function secretWords(words: string[], anywhere: ReadonlySet<string>, suffixes: readonly string[][]): boolean {
  let end = words.length;
  while (end > 0 && (SECRET_TRAILERS.has(words[end - 1]!) || /^\d+$/.test(words[end - 1]!))) end--;
  if (end === 0) return false;
  if (NOT_SECRET_TAILS.has(words[end - 1]!)) return false;
  const w = end === words.length ? words : words.slice(0, end);
  for (const x of w) if (anywhere.has(x)) return true;
  for (const suf of suffixes) if (endsWithWords(w, suf)) return true;
  // Run-together names: `csrftoken`, `userpassword`, `authtoken`.
  const last = w[w.length - 1]!;
  return last.endsWith('token') || last.endsWith('password') || last.endsWith('secret');
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A value under a secret-looking name that cannot be a secret: a date or time
 * (`password_changed_at`-like names the word rules miss), or a directory under `PWD`.
 */
export function clearlyNotSecret(v: string, name: string): boolean {
  if (v.length <= 35 && v.length >= 10 && ISO_TIME.test(v)) return true;
  const c = v.charCodeAt(0);
  if ((c === 47 || c === 126) && name !== '' && /(?:^|[._-])pwd$/i.test(name)) return true;
  return false;
}

const DEFAULT_ANYWHERE = new Set(SECRET_WORDS);
const DEFAULT_SUFFIXES = SECRET_SUFFIXES.map(keyWords);
const nameCache = new Map<string, boolean>();

/** Secret name rules with privacy.secret_keys added. */
export interface SecretNameRules {
  anywhere: ReadonlySet<string>;
  suffixes: readonly string[][];
}

/** The rules for names in text: the built-in ones, plus the last segments of privacy.secret_keys. */
export function secretNameRules(extra: string[]): SecretNameRules | undefined {
  if (extra.length === 0) return undefined;
  return {
    anywhere: DEFAULT_ANYWHERE,
    suffixes: [...DEFAULT_SUFFIXES, ...extra.map((n) => keyWords(n.slice(n.lastIndexOf('.') + 1)))],
  };
}

/**
 * Whether a name written in text (`db_password`, `--api-key`, `SMTP_PASS`,
 * `spring.datasource.password`, `X-Amz-Signature`) names a secret. Cached.
 */
export function isSecretName(name: string, extra?: SecretNameRules): boolean {
  let r = extra === undefined ? nameCache.get(name) : undefined;
  if (r !== undefined) return r;
  const segs = name.split('.');
  let i = segs.length - 1;
  while (i > 0 && VALUE_SEGMENTS.has(segs[i]!.toLowerCase())) i--;
  const words = nameWords(segs[i]!);
  r = secretWords(words, extra?.anywhere ?? DEFAULT_ANYWHERE, extra?.suffixes ?? DEFAULT_SUFFIXES);
  if (extra === undefined) {
    if (nameCache.size >= 10_000) nameCache.clear();
    nameCache.set(name, r);
  }
  return r;
}

function endsWithWords(words: string[], suffix: string[]): boolean {
  if (suffix.length > words.length) return false;
  const off = words.length - suffix.length;
  for (let i = 0; i < suffix.length; i++) if (words[off + i] !== suffix[i]) return false;
  return true;
}

/** A name list split into single-segment word sequences and dotted full-key suffixes. */
interface NameSet {
  words: string[][];
  dotted: string[];
}

function nameSet(names: string[]): NameSet {
  const words: string[][] = [];
  const dotted: string[] = [];
  for (const n of names) {
    if (n.includes('.')) dotted.push(n.toLowerCase());
    else {
      const w = keyWords(n);
      if (w.length > 0) words.push(w);
    }
  }
  return { words, dotted };
}

function matchesDotted(lowerKey: string, dotted: string[]): boolean {
  for (const d of dotted) if (lowerKey === d || lowerKey.endsWith('.' + d)) return true;
  return false;
}

/** A compiled key pattern (a GoRegExp: linear time in the key's length). */
export interface KeyPattern {
  test(key: string): boolean;
}

export interface KeyRuleOptions {
  ignored: string[];
  ignoredPatterns: KeyPattern[];
  /** undefined: every key allowed. */
  allowed: string[] | undefined;
  blockedKeyPatterns: KeyPattern[];
  /** Built-in and extra secret key rules apply (privacy.enabled). */
  secrets: boolean;
  extraSecretKeys: string[];
  /** Content keys are removed (privacy.enabled && privacy.drop_content). */
  dropContent: boolean;
  extraContentKeys: string[];
}

// Keys can come from untrusted input (body maps); the bound only guards memory.
const CACHE_LIMIT = 10_000;

export class KeyRules {
  private readonly cache = new Map<string, KeyAction>();
  private readonly ignored: Set<string>;
  private readonly own = new Set(SUMMARY_KEYS);
  private readonly allowed: Set<string> | undefined;
  private readonly secretAnywhere: Set<string>;
  private readonly secretSuffixes: string[][];
  private readonly secretDotted: string[];
  private readonly extraSecretWords: string[][];
  private readonly contentSuffixes: string[][];
  private readonly contentDotted: string[];

  constructor(private readonly o: KeyRuleOptions) {
    this.ignored = new Set(o.ignored);
    this.allowed = o.allowed ? new Set(o.allowed) : undefined;
    const extraSecrets = nameSet(o.extraSecretKeys);
    this.secretAnywhere = DEFAULT_ANYWHERE;
    this.secretSuffixes = [...DEFAULT_SUFFIXES, ...extraSecrets.words];
    this.extraSecretWords = extraSecrets.words;
    this.secretDotted = extraSecrets.dotted;
    const extraContent = nameSet(o.extraContentKeys);
    this.contentSuffixes = [...CONTENT_WORDS.map(keyWords), ...extraContent.words];
    this.contentDotted = [...CONTENT_DOTTED, ...extraContent.dotted];
  }

  classify(key: string): KeyAction {
    let a = this.cache.get(key);
    if (a === undefined) {
      a = this.decide(key);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, a);
    }
    return a;
  }

  private decide(key: string): KeyAction {
    if (this.own.has(key)) return KeyAction.Own;
    if (this.ignored.has(key)) return KeyAction.Ignore;
    for (const re of this.o.ignoredPatterns) if (re.test(key)) return KeyAction.Ignore;
    if (this.allowed && !this.allowed.has(key)) return KeyAction.NotAllowed;
    if (this.o.dropContent && this.isContent(key)) return KeyAction.Content;
    for (const re of this.o.blockedKeyPatterns) if (re.test(key)) return KeyAction.Mask;
    if (this.o.secrets && matchesDotted(key.toLowerCase(), this.secretDotted)) return KeyAction.Mask;
    if (this.o.secrets && this.extraSecretWords.length > 0 && this.isExtraSecret(key)) return KeyAction.Mask;
    if (this.o.secrets && this.isSecret(key)) return KeyAction.MaskBuiltin;
    return KeyAction.Scan;
  }

  /** The last segment ends with a name from privacy.secret_keys. */
  private isExtraSecret(key: string): boolean {
    const words = keyWords(key.slice(key.lastIndexOf('.') + 1));
    for (const s of this.extraSecretWords) if (endsWithWords(words, s)) return true;
    return false;
  }

  private isSecret(key: string): boolean {
    const segs = key.split('.');
    let i = segs.length - 1;
    while (i > 0 && VALUE_SEGMENTS.has(segs[i]!.toLowerCase())) i--;
    const words = nameWords(segs[i]!);
    if (words.length === 0) return false;
    return secretWords(words, this.secretAnywhere, this.secretSuffixes);
  }

  /** A segment names content and everything after it is an index or a payload word. */
  private isContent(key: string): boolean {
    const lower = key.toLowerCase();
    if (matchesDotted(lower, this.contentDotted)) return true;
    const segs = key.split('.');
    for (const seg of segs) if (MEASURE_SEGMENTS.has(seg.toLowerCase())) return false;
    for (let i = segs.length - 1; i >= 0; i--) {
      const words = keyWords(segs[i]!);
      if (words.length === 0) continue;
      for (const s of this.contentSuffixes) if (endsWithWords(words, s)) return true;
      const seg = words.join('_');
      if (!/^\d+$/.test(seg) && !PAYLOAD_WORDS.has(seg)) return false;
    }
    return false;
  }
}
