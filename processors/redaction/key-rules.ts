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
} as const;
export type KeyAction = (typeof KeyAction)[keyof typeof KeyAction];

/** Words that name a secret wherever they appear in a key's last segment (`db_password`, `password_confirm`). */
export const SECRET_WORDS = ['password', 'passwd', 'pwd', 'passphrase', 'secret', 'credential', 'credentials', 'cookie', 'authorization'];
/** Names that name a secret when a key's last segment ends with them (`access_token`, `x-api-key`, `privateKey`). */
export const SECRET_SUFFIXES = ['token', 'api_key', 'apikey', 'private_key', 'access_key', 'secret_key', 'client_secret', 'auth_key'];
/** Words that name content when a key segment ends with them (`gen_ai.prompt`, `llm.input_messages`, `user_input`). */
export const CONTENT_WORDS = [
  'prompt', 'prompts', 'response', 'responses', 'completion', 'completions', 'messages',
  'input', 'inputs', 'output', 'outputs', 'content', 'contents', 'system_instructions',
];
/** Segments that may follow a content segment and still be content (`gen_ai.prompt.0.content`, `http.response.body`). */
const PAYLOAD_WORDS = new Set(['content', 'contents', 'text', 'body', 'value', 'message', 'parts', 'data']);

/** The processor's summary attribute names (never removed or scanned). */
export const SUMMARY_KEYS = [
  'redaction.redacted.keys', 'redaction.redacted.count', 'redaction.masked.keys', 'redaction.masked.count',
  'redaction.allowed.keys', 'redaction.allowed.count', 'redaction.ignored.count',
  'redaction.body.redacted.keys', 'redaction.body.redacted.count', 'redaction.body.masked.keys',
  'redaction.body.masked.count', 'redaction.body.allowed.keys', 'redaction.body.allowed.count',
  'redaction.body.ignored.count',
];

/** `x-API-Key` → ['x', 'api', 'key']; camelCase splits too (`accessToken` → ['access', 'token']). */
export function keyWords(segment: string): string[] {
  return segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== '');
}

function endsWithWords(words: string[], suffix: string[]): boolean {
  if (suffix.length > words.length) return false;
  const off = words.length - suffix.length;
  for (let i = 0; i < suffix.length; i++) if (words[off + i] !== suffix[i]) return false;
  return true;
}

/** A name list split into single-segment word sequences and dotted full-key suffixes. */
interface NameSet { words: string[][]; dotted: string[] }

function nameSet(names: string[]): NameSet {
  const words: string[][] = [];
  const dotted: string[] = [];
  for (const n of names) {
    if (n.includes('.')) dotted.push(n.toLowerCase());
    else { const w = keyWords(n); if (w.length > 0) words.push(w); }
  }
  return { words, dotted };
}

function matchesDotted(lowerKey: string, dotted: string[]): boolean {
  for (const d of dotted) if (lowerKey === d || lowerKey.endsWith('.' + d)) return true;
  return false;
}

/** A compiled key pattern (a GoRegExp: linear time in the key's length). */
export interface KeyPattern { test(key: string): boolean }

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
  private readonly contentSuffixes: string[][];
  private readonly contentDotted: string[];

  constructor(private readonly o: KeyRuleOptions) {
    this.ignored = new Set(o.ignored);
    this.allowed = o.allowed ? new Set(o.allowed) : undefined;
    const extraSecrets = nameSet(o.extraSecretKeys);
    this.secretAnywhere = new Set(SECRET_WORDS);
    this.secretSuffixes = [...SECRET_SUFFIXES.map(keyWords), ...extraSecrets.words];
    this.secretDotted = extraSecrets.dotted;
    const extraContent = nameSet(o.extraContentKeys);
    this.contentSuffixes = [...CONTENT_WORDS.map(keyWords), ...extraContent.words];
    this.contentDotted = extraContent.dotted;
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
    if (this.o.secrets && this.isSecret(key)) return KeyAction.Mask;
    return KeyAction.Scan;
  }

  private isSecret(key: string): boolean {
    const lower = key.toLowerCase();
    if (matchesDotted(lower, this.secretDotted)) return true;
    const words = keyWords(key.slice(key.lastIndexOf('.') + 1));
    if (words.length === 0) return false;
    for (const w of words) if (this.secretAnywhere.has(w)) return true;
    for (const s of this.secretSuffixes) if (endsWithWords(words, s)) return true;
    // Run-together names: `csrftoken`, `userpassword`, `authtoken`.
    const last = words[words.length - 1]!;
    return last.endsWith('token') || last.endsWith('password') || last.endsWith('secret');
  }

  /** A segment names content and everything after it is an index or a payload word. */
  private isContent(key: string): boolean {
    const lower = key.toLowerCase();
    if (matchesDotted(lower, this.contentDotted)) return true;
    const segs = key.split('.');
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
