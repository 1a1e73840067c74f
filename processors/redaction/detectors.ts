// The privacy profile's value detectors. `PrivacyScanner.scan` makes one pass
// over a string with a character-class table, noting what could be there
// ('@', '=' or ':', a long enough digit run) and checking the few positions
// where a key, a JWT or a Bearer/Basic credential could start. Matchers run
// only at those positions, and only once the first three characters fit,
// because nearly all values contain nothing to find and a regex call costs
// more than the whole pass. A string under SHORT_TEXT characters can only hold
// an email or a `pwd=…` pair; `shortMayMatch` clears most of them.
//
// Linear time: values come from whoever can reach a receiver, so no input may
// make a detector's work grow faster than its length. JWTs and PEM keys are
// matched by hand with a memo of where a failed attempt stopped (a sticky
// regex retried at every `eyJ` of `eyJxxxx-eyJxxxx-…` rescanned the rest of
// the value each time: 128 KiB took 10 s). The regexes left (API_KEY_Y, AUTH_Y)
// are free of backtracking: every repeat is followed by a character it cannot
// match, or ends the pattern. test/processors/redaction/linear-time.test.ts
// feeds every detector hostile values up to 1 MiB.
import { isCardNumber } from './luhn.js';
import {
  CONTENT_WORDS,
  clearlyNotSecret,
  isSecretName,
  keyWords,
  secretNameRules,
  type SecretNameRules,
} from './key-rules.js';
import { findIbans, findIps, findPhones, findSsns } from './pii-detectors.js';
import type { Spans } from './spans.js';
import {
  authValue,
  cookieValues,
  findCliSecrets,
  findSlackWebhooks,
  findSqlPasswords,
  findTelegramTokens,
  findUrlCredentials,
  jsonValueEnd,
} from './text-secrets.js';

// Character classes for ASCII; everything else is "other".
const DIGIT = 1;
const ALPHA = 2;
const SEP = 4; // ' ' and '-' may separate card digit groups
const AT = 8;
const KV = 16; // '=' or ':' may follow a secret's name
const START = 32; // may start an API key, a JWT or an auth scheme
const QUOTE = 64; // ' or ": a SQL password literal may follow PASSWORD
const PCT = 128; // %: a URL-encoded email (%40)
const COLON = 256; // a URL (://), a Telegram token (:AA)
const DASH = 512; // a command-line flag ( -x, --name)
const CLS = new Uint16Array(128);
for (let c = 48; c <= 57; c++) CLS[c] = DIGIT;
for (let c = 65; c <= 90; c++) CLS[c] = ALPHA;
for (let c = 97; c <= 122; c++) CLS[c] = ALPHA;
CLS[32] = SEP;
CLS[45] = SEP;
CLS[64] = AT;
CLS[61] = KV;
CLS[58] = KV | COLON;
CLS[34] = QUOTE;
CLS[39] = QUOTE;
CLS[37] = PCT;
CLS[62] = KV; // <password>…</password>

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number) => isDigit(c) || isAlpha(c);
// Email characters by table (faster than compare chains):
// the local part is the RFC 5322 "atext" subset seen in practice (letters, digits, . _ % + -),
// the domain letters, digits, . and -.
const LOCAL = 1;
const DOMAIN = 2;
const EMAIL_CLS = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (isAlnum(c)) EMAIL_CLS[c] = LOCAL | DOMAIN;
for (const ch of '._%+-') EMAIL_CLS[ch.charCodeAt(0)] = LOCAL;
for (const ch of '.-') EMAIL_CLS[ch.charCodeAt(0)]! |= DOMAIN;
const isLocal = (c: number) => c < 128 && (EMAIL_CLS[c]! & LOCAL) !== 0;
const isDomain = (c: number) => c < 128 && (EMAIL_CLS[c]! & DOMAIN) !== 0;
/** "." or "," between digits: a decimal fraction or thousands group, not a card boundary. */
const isNumericJoin = (s: string, i: number, j: number) => {
  const c = s.charCodeAt(i);
  return (c === 46 || c === 44) && j >= 0 && j < s.length && isDigit(s.charCodeAt(j));
};

/** `2x.png`, `3x.webp`: a retina image descriptor after '@', not a mail domain. */
function retinaDomain(s: string, d: number): boolean {
  let i = d;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i > d && (s.charCodeAt(i) | 32) === 120 /* x */ && s.charCodeAt(i + 1) === 46;
}

/** The domain s[d, b) ends with a top-level label: 2+ letters, or punycode (`xn--p1ai`). */
function hasTld(s: string, d: number, b: number): boolean {
  let dot = b - 1;
  while (dot > d && s.charCodeAt(dot) !== 46) dot--;
  if (dot <= d) return false;
  const t = dot + 1;
  if (
    b - t >= 5 &&
    (s.charCodeAt(t) | 32) === 120 &&
    (s.charCodeAt(t + 1) | 32) === 110 &&
    s.charCodeAt(t + 2) === 45 &&
    s.charCodeAt(t + 3) === 45
  )
    return true;
  if (b - t < 2) return false;
  for (let i = t; i < b; i++) if (!isAlpha(s.charCodeAt(i))) return false;
  return true;
}

/**
 * Emails, found from each '@' outwards rather than by one regex: a regex
 * with a `+` local part backtracks quadratically on long '@'-free runs.
 * `skipAt`: sorted positions of '@' that end a URL's user:password (not emails).
 */
export function findEmails(s: string, out: Spans, skipAt?: number[], skipN = 0): void {
  const n = s.length;
  let k = 0;
  let at = s.indexOf('@');
  while (at !== -1) {
    while (k < skipN && skipAt![k]! < at) k++;
    if (k < skipN && skipAt![k] === at) {
      at = s.indexOf('@', at + 1);
      continue;
    }
    let a = at;
    while (a > 0 && at - a < 64 && isLocal(s.charCodeAt(a - 1))) a--;
    while (a < at && s.charCodeAt(a) === 46) a++; // a local part cannot start with '.'
    let b = at + 1;
    while (b < n && b - at <= 253 && isDomain(s.charCodeAt(b))) b++;
    while (b > at + 1 && (s.charCodeAt(b - 1) === 46 || s.charCodeAt(b - 1) === 45)) b--;
    // The TLD is looked for in the domain only (a lastIndexOf over the whole value made `x@x x@x …` quadratic).
    if (a < at && b > at + 1 && hasTld(s, at + 1, b) && !retinaDomain(s, at + 1)) out.push(a, b);
    at = s.indexOf('@', Math.max(b, at + 1));
  }
}

/** Emails written with a URL-encoded '@' (`alice%40example.com`), found from each `%40`. */
export function findEncodedEmails(s: string, out: Spans): void {
  const n = s.length;
  let at = s.indexOf('%40');
  while (at !== -1) {
    let a = at;
    while (a > 0 && at - a < 64) {
      const c = s.charCodeAt(a - 1);
      if (c < 128 && (EMAIL_CLS[c]! & LOCAL) !== 0 && c !== 37) a--;
      else break;
    }
    while (a < at && s.charCodeAt(a) === 46) a++;
    const d = at + 3;
    let b = d;
    while (b < n && b - d <= 253 && isDomain(s.charCodeAt(b))) b++;
    while (b > d && (s.charCodeAt(b - 1) === 46 || s.charCodeAt(b - 1) === 45)) b--;
    if (a < at && b > d && hasTld(s, d, b) && !retinaDomain(s, d)) out.push(a, b);
    at = s.indexOf('%40', Math.max(b, at + 3));
  }
}

const MAX_GROUPS = 32;
const gStart = new Int32Array(MAX_GROUPS);
const gEnd = new Int32Array(MAX_GROUPS);
const gDigits = new Int32Array(MAX_GROUPS);

/**
 * The length of a card group separator at j after a group of `len` digits, or 0:
 * a space, two spaces, a dash, a no-break space (U+00A0, U+202F), or a dot
 * between two groups of four (so decimals and versions are not joined).
 */
function cardSep(s: string, j: number, len: number): number {
  const c = s.charCodeAt(j);
  if (c === 32) {
    if (isDigit(s.charCodeAt(j + 1))) return 1;
    return s.charCodeAt(j + 1) === 32 && isDigit(s.charCodeAt(j + 2)) ? 2 : 0;
  }
  if (c === 45 || c === 0xa0 || c === 0x202f) return isDigit(s.charCodeAt(j + 1)) ? 1 : 0;
  if (c === 46 && len === 4) {
    for (let k = 1; k <= 4; k++) if (!isDigit(s.charCodeAt(j + k))) return 0;
    return isDigit(s.charCodeAt(j + 5)) ? 0 : 1;
  }
  return 0;
}

/** Letters glued before s[i]: a word of 2+ letters (`PAN`, `cc`), not one letter of a hex id. */
function gluedToWord(s: string, i: number): boolean {
  let a = i;
  while (a > 0 && i - a < 3 && isAlpha(s.charCodeAt(a - 1))) a--;
  if (i - a < 2) return false;
  return !(a > 0 && isDigit(s.charCodeAt(a - 1)));
}

/**
 * Card numbers: digit groups joined by spaces, dashes, no-break spaces or
 * dots, 13–19 digits in total, with a card network prefix and a valid Luhn
 * digit. A run of digits glued to a word (`PAN4111…`, `cc4111…exp`) counts
 * alone; digits glued to one letter or to a decimal point (ids, fractions)
 * are skipped. Within a longer grouped run the longest valid sub-run starting
 * at each group is taken, so a card followed by a year (`4111 1111 1111 1111 2024`)
 * is still found.
 */
export function findCards(s: string, out: Spans): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(s.charCodeAt(i))) {
      i++;
      continue;
    }
    if (i > 0 && isAlpha(s.charCodeAt(i - 1))) {
      let j = i;
      while (j < n && isDigit(s.charCodeAt(j))) j++;
      if (j - i >= 13 && j - i <= 19 && gluedToWord(s, i) && isCardNumber(s, i, j, j - i)) out.push(i, j);
      while (j < n && isAlnum(s.charCodeAt(j))) j++;
      i = j;
      continue;
    }
    if (i > 0 && isNumericJoin(s, i - 1, i - 2)) {
      while (i < n && isAlnum(s.charCodeAt(i))) i++;
      continue;
    }
    let g = 0;
    let j = i;
    for (;;) {
      const gs = j;
      while (j < n && isDigit(s.charCodeAt(j))) j++;
      gStart[g] = gs;
      gEnd[g] = j;
      gDigits[g] = j - gs;
      g++;
      const sep = g < MAX_GROUPS && j < n ? cardSep(s, j, j - gs) : 0;
      if (sep > 0) {
        j += sep;
        continue;
      }
      break;
    }
    // A last group glued to a letter or a decimal point is not part of a card.
    const usable = j < n && (isAlpha(s.charCodeAt(j)) || isNumericJoin(s, j, j + 1)) ? g - 1 : g;
    for (let a = 0; a < usable; a++) {
      let d = 0;
      let best = -1;
      for (let b = a; b < usable; b++) {
        d += gDigits[b]!;
        if (d > 19) break;
        if (d >= 13 && isCardNumber(s, gStart[a]!, gEnd[b]!, d)) best = b;
      }
      if (best >= 0) {
        out.push(gStart[a]!, gEnd[best]!);
        a = best;
      }
    }
    i = j;
  }
}

/** A whole number (e.g. an integer attribute) that is a card number. */
export function isCardString(s: string): boolean {
  return isCardNumber(s, 0, s.length, s.length);
}

// base64url characters: A-Z a-z 0-9 _ -
const B64U = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (isAlnum(c) || c === 95 || c === 45) B64U[c] = 1;
/** The end of the run of base64url characters starting at i. */
function b64uRun(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 128 || B64U[c] === 0) break;
    i++;
  }
  return i;
}

/**
 * A JWT at i (s starts with "eyJ" there): header and payload of 4+ base64url
 * characters each after eyJ, a signature of any length, and for a JWE two more
 * segments; as `eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*(?:\.[\w-]*\.[\w-]*)?`
 * without backtracking ('.' is not a base64url character, so each run ends
 * where it must). Returns the end of the JWT, or -(where it failed) - 1: every
 * start before that point fails the same way, as it ends its runs at the same
 * places.
 */
export function matchJwt(s: string, i: number): number {
  const n = s.length;
  const h = b64uRun(s, i + 3);
  if (h - (i + 3) < 4 || h >= n || s.charCodeAt(h) !== 46) return -h - 1;
  const p = b64uRun(s, h + 1);
  if (p - (h + 1) < 4 || p >= n || s.charCodeAt(p) !== 46) return -p - 1;
  const sig = b64uRun(s, p + 1);
  if (sig < n && s.charCodeAt(sig) === 46) {
    const four = b64uRun(s, sig + 1);
    if (four < n && s.charCodeAt(four) === 46) return b64uRun(s, four + 1);
  }
  return sig;
}

const PEM_BEGIN = '-----BEGIN';
const PEM_END = '-----END';
const PEM_TAIL = 'PRIVATE KEY-----';
const isUpperOrSpace = (c: number) => (c >= 65 && c <= 90) || c === 32;

const PGP_TAIL = 'PRIVATE KEY BLOCK-----';
/**
 * Where `[A-Z ]*PRIVATE KEY-----` (or `…PRIVATE KEY BLOCK-----`, PGP) starting at i
 * ends, or -1: the run of [A-Z ] must end with "PRIVATE KEY" or "PRIVATE KEY BLOCK".
 */
function pemLabelEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length && isUpperOrSpace(s.charCodeAt(j))) j++;
  const tail = j - 11; // "PRIVATE KEY"
  if (tail >= i && s.startsWith(PEM_TAIL, tail)) return tail + PEM_TAIL.length;
  const pgp = j - 17; // "PRIVATE KEY BLOCK"
  return pgp >= i && s.startsWith(PGP_TAIL, pgp) ? pgp + PGP_TAIL.length : -1;
}

/**
 * The end of a key body cut before its END line: base64 characters, line
 * breaks (also written as `\n` escapes in JSON text), and armor headers' `:`.
 */
function pemBodyEnd(s: string, i: number): number {
  const n = s.length;
  let j = i;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (isAlnum(c) || c === 43 || c === 47 || c === 61 || c === 10 || c === 13 || c === 32 || c === 9) j++;
    else if (c === 92 && (s.charCodeAt(j + 1) === 110 || s.charCodeAt(j + 1) === 114)) j += 2;
    else break;
  }
  while (j > i && (s.charCodeAt(j - 1) === 10 || s.charCodeAt(j - 1) === 13 || s.charCodeAt(j - 1) === 32)) j--;
  return j;
}

// Tried only where a word starts with one of API_STARTS.
// Free of backtracking: each alternative starts with its own literal, and each
// repeat either ends the alternative or is followed by a character it cannot
// match (SendGrid's '.'), so an attempt reads at most one run of key characters.
// PEM private keys, whose body is any text, are matched by hand (matchPem).
const API_KEY_Y = new RegExp(
  [
    'sk-[A-Za-z0-9_-]{20,}', // OpenAI (sk-…, sk-proj-…), Anthropic (sk-ant-…)
    '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe secret / restricted
    'whsec_[A-Za-z0-9]{20,}', // Stripe webhook secret
    '(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])', // AWS access key id
    'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub tokens
    'github_pat_[A-Za-z0-9_]{22,}',
    'glpat-[A-Za-z0-9_-]{20,}', // GitLab
    'xox[abposr]-[A-Za-z0-9-]{10,}', // Slack
    'AIza[0-9A-Za-z_-]{35}', // Google API key
    'hf_[A-Za-z0-9]{30,}', // Hugging Face
    'npm_[A-Za-z0-9]{36}', // npm
    'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}', // SendGrid
    'xapp-\\d-[A-Za-z0-9-]{20,}', // Slack app-level token
    'pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{16,}', // PyPI upload token
    'SK[0-9a-fA-F]{32}(?![A-Za-z0-9])', // Twilio API key
    'HRKU-[A-Za-z0-9_-]{20,}', // Heroku
    'do[opr]_v1_[a-f0-9]{64}', // DigitalOcean personal / OAuth / refresh
  ].join('|'),
  'y',
);
/**
 * The first three characters of each shape above. Checking them before the regex
 * lets common words (when, which, give, global, skip) pass with a few compares
 * instead of a failed regex call (bench/README.md).
 */
const API_STARTS = [
  'sk-',
  'sk_',
  'rk_',
  'whs',
  'AKI',
  'ASI',
  'ABI',
  'ACC',
  'ghp',
  'gho',
  'ghu',
  'ghs',
  'ghr',
  'git',
  'glp',
  'xox',
  'AIz',
  'hf_',
  'npm',
  'SG.',
  '---',
  'xap',
  'pyp',
  'HRK',
  'doo',
  'dop',
  'dor',
  ...[...'0123456789abcdefABCDEF'].map((h) => `SK${h}`),
];
/** (first, second character) → the third characters an API key can continue with. */
const API_THIRD = new Map<number, string>();
for (const p of API_STARTS) {
  const k = pairKey(p.charCodeAt(0), p.charCodeAt(1));
  API_THIRD.set(k, (API_THIRD.get(k) ?? '') + p[2]);
}
function pairKey(c: number, c2: number): number {
  return c * 65536 + c2;
}

// Where a word starting with these characters may hold a key, a JWT (eyJ…) or an auth scheme (Bearer/Basic).
for (const ch of ['e', 'b', 'B', 'M', 'N', 'O', ...API_STARTS.map((p) => p[0]!)]) CLS[ch.charCodeAt(0)]! |= START;

/**
 * A Discord bot token at i: `[MNO]` + 23–25 base64url characters, '.', 6, '.',
 * 27–38 (the regex shape `[MNO][\w-]{23,25}\.[\w-]{6}\.[\w-]{27,38}`, by hand).
 * Returns its end, or i.
 */
function matchDiscord(s: string, i: number): number {
  const h = b64uRun(s, i);
  if (h - i < 24 || h - i > 26 || s.charCodeAt(h) !== 46) return i;
  const t = b64uRun(s, h + 1);
  if (t - h - 1 !== 6 || s.charCodeAt(t) !== 46) return i;
  const g = b64uRun(s, t + 1);
  return g - t - 1 >= 27 && g - t - 1 <= 38 ? g : i;
}

const AUTH_Y = /(bearer|basic)[ \t]+([A-Za-z0-9._~+/=-]+)/iy;

/** Separates credentials from prose ("Basic plan", "Bearer authentication required"). */
function looksLikeCredential(basic: boolean, tok: string): boolean {
  if (tok.length < 8) return false;
  if (basic) {
    // Basic credentials are base64("user:password"): the decoded text has a colon.
    return /^[A-Za-z0-9+/]+={0,2}$/.test(tok) && Buffer.from(tok, 'base64').includes(0x3a);
  }
  return tok.length >= 20 || /[0-9._~+/=-]/.test(tok);
}

/**
 * Under this length only an email or a `pwd=…` pair fits: the shortest card
 * number has 13 digits, and keys, JWTs and Bearer/Basic credentials are longer.
 */
export const SHORT_TEXT = 13;

export interface DetectorSwitches {
  emails: boolean;
  card_numbers: boolean;
  jwts: boolean;
  credentials: boolean;
  api_keys: boolean;
  /** Extra secret names for `name=value` pairs in text (privacy.secret_keys). */
  secret_keys: string[];
  /** Content keys are dropped: the values of `"prompt":`, `"messages":` … inside JSON text are masked too. */
  drop_content?: boolean;
  /** The opt-in pii profile's detectors (absent: off). */
  pii?: { ibans: boolean; national_ids: boolean; phone_numbers: boolean; ip_addresses: boolean };
}

/** What a name written before '=' / ':' / '=>' / '>' in text announces. */
const NameKind = { None: 0, Secret: 1, Authorization: 2, Cookie: 3, SetCookie: 4, Content: 5, XmlValue: 6 } as const;
type NameKind = (typeof NameKind)[keyof typeof NameKind];
const CONTENT_SUFFIXES = CONTENT_WORDS.map(keyWords);
const NAME_CACHE_LIMIT = 4096;
/** Bytes of a name in text: letters, digits, _ - . */
const isNameChar = (c: number) => isAlnum(c) || c === 95 || c === 45 || c === 46;

export class PrivacyScanner {
  private readonly emails: boolean;
  private readonly cards: boolean;
  private readonly jwts: boolean;
  private readonly auth: boolean;
  private readonly apiKeys: boolean;
  private readonly keyValues: boolean;
  private readonly content: boolean;
  private readonly ibans: boolean;
  private readonly ssns: boolean;
  private readonly phones: boolean;
  private readonly ips: boolean;
  private readonly pii: boolean;
  /** Set while scanning a value whose key keeps IP addresses (client.address). */
  keepIps = false;
  private readonly any: boolean;
  private readonly nameRules: SecretNameRules | undefined;
  private readonly nameKinds = new Map<string, NameKind>();
  private readonly isSecret = (name: string): boolean => isSecretName(name, this.nameRules);
  /** '@' positions that end a URL's user:password (not emails), for this scan. */
  private readonly urlAts: number[] = [];
  // Per-scan memos (reset by scan): every JWT start before jwtMissBefore fails; the first
  // valid PEM END line at or after any position in [pemSearchFrom, pemEndAt] starts at
  // pemEndAt and the key ends at pemEnd (-1: there is none).
  private jwtMissBefore = 0;
  private pemSearchFrom = 0;
  private pemEndAt = -1;
  private pemEnd = -1;

  constructor(sw: DetectorSwitches) {
    this.emails = sw.emails;
    this.cards = sw.card_numbers;
    this.jwts = sw.jwts;
    this.auth = sw.credentials;
    this.apiKeys = sw.api_keys;
    this.keyValues = sw.credentials;
    this.content = sw.drop_content ?? false;
    this.ibans = sw.pii?.ibans ?? false;
    this.ssns = sw.pii?.national_ids ?? false;
    this.phones = sw.pii?.phone_numbers ?? false;
    this.ips = sw.pii?.ip_addresses ?? false;
    this.pii = this.ibans || this.ssns || this.phones || this.ips;
    this.any = this.emails || this.cards || this.jwts || this.auth || this.apiKeys || this.content || this.pii;
    this.nameRules = secretNameRules(sw.secret_keys);
  }

  /**
   * For a string shorter than SHORT_TEXT: false when `scan` can find nothing in
   * it, which is so unless it holds '@' (emails) or '=' / ':' (credentials).
   * Those three all lie in 58..64, so one compare clears most characters:
   * cheaper than three indexOf calls.
   */
  shortMayMatch(s: string): boolean {
    if (this.pii) return true; // an SSN or an IPv4 address fits in 7–12 characters
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (
        (c - 58) >>> 0 < 7 &&
        (c === 64 ? this.emails : (c === 61 || c === 58 || c === 62) && (this.keyValues || this.content))
      )
        return true;
    }
    return false;
  }

  /** Pushes every detected range of s into out. */
  scan(s: string, out: Spans): void {
    if (!this.any) return;
    const n = s.length;
    if (n < SHORT_TEXT) return this.scanShort(s, out);
    this.jwtMissBefore = 0;
    this.pemSearchFrom = 0;
    this.pemEndAt = -1;
    let flags = 0;
    let digits = 0; // digits in the current card-shaped run
    let maxDigits = 0;
    let tainted = false; // the current digit group touches a letter
    let prevSep = false;
    let prevAlnum = false;
    // Runs of letters or of digits are consumed by tight inner loops (one compare per
    // character); only the first character of a run goes through the class table and
    // the state updates (faster on words and paths).
    // Invariant at the loop head: c === s.charCodeAt(i).
    let i = 0;
    let c = s.charCodeAt(0);
    while (i < n) {
      const k = c < 128 ? CLS[c]! : 0;
      if (k & ALPHA) {
        digits = 0;
        tainted = true;
        prevSep = false;
        if ((k & START) !== 0 && !prevAlnum) {
          const end = this.startsAt(s, i, c, out);
          if (end > i) {
            i = end;
            if (i < n) c = s.charCodeAt(i);
            prevAlnum = true;
            continue;
          }
        }
        prevAlnum = true;
        while (++i < n) {
          c = s.charCodeAt(i);
          if (((c | 32) - 97) >>> 0 >= 26) break;
        }
      } else if (k & DIGIT) {
        const from = i;
        while (++i < n) {
          c = s.charCodeAt(i);
          if ((c - 48) >>> 0 >= 10) break;
        }
        // A run of 13+ digits glued to a word (PAN4111…) may be a card too.
        if (!tainted) {
          if ((digits += i - from) > maxDigits) maxDigits = digits;
        } else if (i - from > maxDigits) maxDigits = i - from;
        prevSep = false;
        prevAlnum = true;
      } else {
        if (k & SEP) {
          // Two spaces may separate card groups; a third resets the run.
          if (prevSep && c !== 32) digits = 0;
          prevSep = true;
          tainted = false;
          if (c === 45) flags |= DASH;
          if ((k & START) !== 0 && !prevAlnum) {
            const end = this.startsAt(s, i, c, out);
            if (end > i) {
              i = end;
              if (i < n) c = s.charCodeAt(i);
              prevAlnum = true;
              digits = 0;
              continue;
            }
          }
        } else if (c === 46 || c === 0xa0 || c === 0x202f) {
          // A dot or a no-break space may separate card groups.
          if (prevSep) digits = 0;
          prevSep = true;
          tainted = false;
        } else {
          digits = 0;
          tainted = false;
          prevSep = false;
          flags |= k;
        }
        prevAlnum = false;
        if (++i < n) c = s.charCodeAt(i);
      }
    }
    this.runFinders(s, out, flags, maxDigits);
  }

  /** A short string: only the finders its characters allow (no class scan). */
  private scanShort(s: string, out: Spans): void {
    if (this.emails && s.indexOf('@') !== -1) findEmails(s, out);
    if ((this.keyValues || this.content) && (s.indexOf('=') !== -1 || s.indexOf(':') !== -1 || s.indexOf('>') !== -1))
      this.findKeyValues(s, out);
    if (this.pii) this.findPii(s, out);
  }

  /** The finders the scan's character classes (`flags`) and longest digit run call for. */
  private runFinders(s: string, out: Spans, flags: number, maxDigits: number): void {
    let ats = 0;
    if (this.keyValues && (flags & COLON) !== 0) {
      ats = findUrlCredentials(s, out, this.urlAts);
      findTelegramTokens(s, out);
      findSlackWebhooks(s, out);
    }
    if (this.emails && (flags & AT) !== 0) findEmails(s, out, this.urlAts, ats);
    if (this.emails && (flags & PCT) !== 0) findEncodedEmails(s, out);
    if (this.cards && maxDigits >= 13) findCards(s, out);
    if ((this.keyValues || this.content) && (flags & KV) !== 0) this.findKeyValues(s, out);
    if (this.keyValues && (flags & DASH) !== 0) findCliSecrets(s, out, this.isSecret);
    if (this.keyValues && (flags & QUOTE) !== 0) findSqlPasswords(s, out);
    if (this.pii) this.findPii(s, out);
  }

  /** The pii profile: IBANs, SSNs, international phone numbers, IP addresses (unless keepIps). */
  private findPii(s: string, out: Spans): void {
    if (this.ibans) findIbans(s, out);
    if (this.ssns) findSsns(s, out);
    if (this.phones) findPhones(s, out);
    if (this.ips && !this.keepIps) findIps(s, out);
  }

  /** Tries a key, JWT or auth scheme starting at i; returns where a match ends, or i. */
  private startsAt(s: string, i: number, c: number, out: Spans): number {
    const c2 = s.charCodeAt(i + 1);
    if (c === 101 /* e */) {
      if (this.jwts && c2 === 121 && s.charCodeAt(i + 2) === 74 && i >= this.jwtMissBefore) {
        const end = matchJwt(s, i);
        if (end > i) {
          out.push(i, end);
          return end;
        }
        this.jwtMissBefore = -end - 1;
      }
      return i;
    }
    if (c === 98 || c === 66 /* b B */) {
      // "bea…" (bearer) or "bas…" (basic), any case: other b-words (because, bench) skip the regex.
      const c3 = s.charCodeAt(i + 2) | 32;
      if (this.auth && (((c2 | 32) === 101 && c3 === 97) || ((c2 | 32) === 97 && c3 === 115))) {
        AUTH_Y.lastIndex = i;
        const m = AUTH_Y.exec(s);
        if (m !== null && looksLikeCredential(m[1]!.length === 5, m[2]!)) {
          out.push(AUTH_Y.lastIndex - m[2]!.length, AUTH_Y.lastIndex);
          return AUTH_Y.lastIndex;
        }
      }
      return i;
    }
    if (this.apiKeys) {
      if (c === 77 || c === 78 || c === 79 /* M N O: a Discord bot token */) {
        const end = matchDiscord(s, i);
        if (end > i) {
          out.push(i, end);
          return end;
        }
        if (c !== 79) return i;
      }
      const thirds = API_THIRD.get(pairKey(c, c2));
      if (c === 45 /* - */) {
        if (c2 === 45 && s.startsWith(PEM_BEGIN, i)) {
          const end = this.matchPem(s, i);
          if (end > i) {
            out.push(i, end);
            return end;
          }
        }
        return i;
      }
      if (thirds !== undefined && includesCode(thirds, s.charCodeAt(i + 2))) {
        API_KEY_Y.lastIndex = i;
        if (API_KEY_Y.test(s)) {
          out.push(i, API_KEY_Y.lastIndex);
          return API_KEY_Y.lastIndex;
        }
      }
    }
    return i;
  }

  /**
   * A PEM private key at i (s starts with "-----BEGIN" there): as
   * `-----BEGIN[A-Z ]*PRIVATE KEY-----[\s\S]*?-----END[A-Z ]*PRIVATE KEY-----`.
   * The search for the first END line after a BEGIN is remembered: a value of
   * many BEGIN lines and no END searches the rest of it once, not once per BEGIN.
   */
  private matchPem(s: string, i: number): number {
    const body = pemLabelEnd(s, i + PEM_BEGIN.length);
    if (body < 0) return i;
    if (body < this.pemSearchFrom || body > this.pemEndAt) {
      // No remembered answer covers this start: find the first valid END line at or after body.
      let e = s.indexOf(PEM_END, body);
      while (e !== -1 && pemLabelEnd(s, e + PEM_END.length) < 0) e = s.indexOf(PEM_END, e + 1);
      this.pemSearchFrom = body;
      this.pemEndAt = e === -1 ? s.length : e;
      this.pemEnd = e === -1 ? -1 : pemLabelEnd(s, e + PEM_END.length);
    }
    if (this.pemEnd >= 0) return this.pemEnd;
    // No END line: the key was cut (a logger's limit); the body runs as far as base64 does.
    const end = pemBodyEnd(s, body);
    return end - body >= 16 ? end : i;
  }

  /** What the name s[b, e) announces (cached by name). */
  private nameKind(s: string, b: number, e: number): NameKind {
    while (b < e && s.charCodeAt(b) === 45) b++; // --password
    if (e - b < 2) return NameKind.None;
    const name = s.slice(b, e);
    let k = this.nameKinds.get(name);
    if (k !== undefined) return k;
    const lower = name.toLowerCase();
    if (lower.endsWith('authorization')) k = NameKind.Authorization;
    else if (lower.endsWith('set-cookie') || lower.endsWith('set_cookie')) k = NameKind.SetCookie;
    else if (lower === 'cookie' || lower.endsWith('.cookie') || lower.endsWith('-cookie') || lower.endsWith('_cookie'))
      k = NameKind.Cookie;
    else if (this.keyValues && this.isSecret(name)) k = NameKind.Secret;
    else if (lower === 'value') k = NameKind.XmlValue;
    else if (this.content && isContentName(name)) k = NameKind.Content;
    else k = NameKind.None;
    if (this.nameKinds.size >= NAME_CACHE_LIMIT) this.nameKinds.clear();
    this.nameKinds.set(name, k);
    return k;
  }

  /**
   * `password=…`, `"api_key": "…"`, `token: …`, `"password"=>"…"`, `[password] => …`,
   * `<password>…</password>`, `Cookie: a=1; b=2`, `Authorization: Digest …`,
   * `"messages": […]` inside text: the value after a name that names a secret
   * (or content), found from each '=' / ':' / '>' backwards.
   */
  private findKeyValues(s: string, out: Spans): void {
    let eq = s.indexOf('=');
    let colon = s.indexOf(':');
    let gt = s.indexOf('>');
    while (eq !== -1 || colon !== -1 || gt !== -1) {
      // Jump from separator to separator with native indexOf rather than visiting every character.
      let p = eq;
      if (p === -1 || (colon !== -1 && colon < p)) p = colon;
      if (p === -1 || (gt !== -1 && gt < p)) p = gt;
      const sep = s.charCodeAt(p);
      const arrow = sep === 61 && s.charCodeAt(p + 1) === 62; // =>
      // The name: word characters before the separator, after blanks, closing quotes,
      // escapes and brackets (`\\"password\\":`, `[password] =>`, `["db_pass"]=>`).
      let e = p;
      while (e > 0 && p - e < 8 && (s.charCodeAt(e - 1) === 32 || s.charCodeAt(e - 1) === 9)) e--;
      const nameEnd = e;
      while (e > 0 && nameEnd - e < 8) {
        const d = s.charCodeAt(e - 1);
        if (d === 34 || d === 39 || d === 92 || d === 93) e--;
        else break;
      }
      const quoted = e < nameEnd;
      let b = e;
      while (b > 0 && e - b < 64 && isNameChar(s.charCodeAt(b - 1))) b--;
      let resume = arrow ? p + 2 : p + 1;
      if (b < e && (sep !== 62 || (b > 0 && s.charCodeAt(b - 1) === 60 && !quoted))) {
        const kind = this.nameKind(s, b, e);
        if (kind !== NameKind.None) resume = Math.max(resume, this.valueAt(s, b, p, arrow, kind, quoted, out));
      }
      if (eq !== -1 && eq < resume) eq = s.indexOf('=', resume);
      if (colon !== -1 && colon < resume) colon = s.indexOf(':', resume);
      if (gt !== -1 && gt < resume) gt = s.indexOf('>', resume);
    }
  }

  /** Masks the value after the separator at p (the name starting at b); returns where scanning resumes. */
  private valueAt(
    s: string,
    b: number,
    p: number,
    arrow: boolean,
    kind: NameKind,
    quotedName: boolean,
    out: Spans,
  ): number {
    const n = s.length;
    const xml = s.charCodeAt(p) === 62;
    let v = arrow ? p + 2 : p + 1;
    while (
      v < n &&
      (s.charCodeAt(v) === 32 || s.charCodeAt(v) === 9 || (arrow && (s.charCodeAt(v) === 10 || s.charCodeAt(v) === 13)))
    )
      v++;
    if (arrow && s.startsWith('string(', v)) {
      // PHP var_dump: string(13) "value"
      let close = v + 7;
      while (close < n && close - v < 16 && isDigit(s.charCodeAt(close))) close++;
      if (s.charCodeAt(close) === 41 && s.charCodeAt(close + 1) === 32) v = close + 2;
    }
    // The quote that opened the text this pair sits in (`-H 'Authorization: …'`).
    const outerQuote =
      b > 0 && (s.charCodeAt(b - 1) === 39 || s.charCodeAt(b - 1) === 34) && !quotedName ? s.charCodeAt(b - 1) : -1;
    let bs = v;
    while (bs < n && bs - v < 8 && s.charCodeAt(bs) === 92) bs++;
    const q = s.charCodeAt(bs);
    const quoted = !xml && (q === 34 || q === 39);
    const escaped = quoted && bs > v;
    let a = quoted ? bs + 1 : v;
    let z: number;
    if (kind === NameKind.Content) {
      if (escaped || !(q === 34 || q === 91 || q === 123) || !quotedName) return p + 1;
      const end = jsonValueEnd(s, v);
      z = end === -1 ? n : end;
      if (q === 34) {
        a = v + 1;
        if (end !== -1) z = end - 1;
      } else a = v;
      if (z > a) out.push(a, z);
      return Math.max(z, p + 1);
    }
    if (kind === NameKind.XmlValue) {
      // <add key="DbPassword" value="…" />: a secret when the key attribute names one.
      if (!quoted || !this.keyAttributeNamesSecret(s, b)) return p + 1;
      kind = NameKind.Secret;
    }
    if (kind === NameKind.Cookie || kind === NameKind.SetCookie) {
      const before = out.n;
      const stop = cookieValues(s, a, kind === NameKind.SetCookie, quoted ? q : outerQuote, out);
      if (out.n > before) return Math.max(stop, p + 1);
      kind = NameKind.Secret;
    }
    if (kind === NameKind.Authorization) {
      const [x, y] = authValue(s, a, quoted ? q : outerQuote);
      if (y > x) out.push(x, y);
      return Math.max(y, p + 1);
    }
    if (quoted) {
      z = a;
      while (z < n && s.charCodeAt(z) !== q && s.charCodeAt(z) !== 10 && !(escaped && s.charCodeAt(z) === 92)) z++;
    } else if (xml) {
      z = a;
      while (z < n && s.charCodeAt(z) !== 60 && s.charCodeAt(z) !== 10) z++;
    } else {
      AUTH_Y.lastIndex = v;
      z = AUTH_Y.test(s) ? AUTH_Y.lastIndex : v;
      while (z < n && !isValueEnd(s.charCodeAt(z))) z++;
      const len = z - a;
      // A bare true / false / null is a setting, not a secret.
      if ((len === 4 || len === 5) && /^(?:true|false|null)$/i.test(s.slice(a, z))) return Math.max(z, p + 1);
    }
    if (z > a && !clearlyNotSecret(s.slice(a, Math.min(z, a + 40)), s.slice(b, Math.min(p, b + 64)).trim()))
      out.push(a, z);
    return Math.max(z, p + 1);
  }

  /** `key="…"` (or `name="…"`) just before position b names a secret. */
  private keyAttributeNamesSecret(s: string, b: number): boolean {
    let e = b;
    while (e > 0 && b - e < 4 && s.charCodeAt(e - 1) === 32) e--;
    if (e === 0 || (s.charCodeAt(e - 1) !== 34 && s.charCodeAt(e - 1) !== 39)) return false;
    const q = s.charCodeAt(e - 1);
    // The opening quote, looked for at most 80 characters back (an unbounded search per pair would be quadratic).
    let open = e - 2;
    while (open >= 0 && e - open <= 80 && s.charCodeAt(open) !== q) open--;
    if (open < 0 || e - open > 80) return false;
    const attr = s.slice(Math.max(0, open - 5), open);
    return (attr.endsWith('key=') || attr.endsWith('name=')) && this.isSecret(s.slice(open + 1, e - 1));
  }
}

/** A JSON name that holds content (`"prompt"`, `"messages"`, `"chat_history"`), as the content key rules read it. */
function isContentName(name: string): boolean {
  const words = keyWords(name);
  if (words.length === 0) return false;
  for (const suf of CONTENT_SUFFIXES) {
    if (suf.length > words.length) continue;
    let ok = true;
    for (let i = 0; i < suf.length; i++)
      if (words[words.length - suf.length + i] !== suf[i]) {
        ok = false;
        break;
      }
    if (ok) return true;
  }
  return false;
}

function includesCode(set: string, c: number): boolean {
  for (let j = 0; j < set.length; j++) if (set.charCodeAt(j) === c) return true;
  return false;
}

/** Ends an unquoted value: blank, quote, & , ; { } [ ] */
function isValueEnd(c: number): boolean {
  return (
    c === 32 ||
    c === 9 ||
    c === 10 ||
    c === 13 ||
    c === 34 ||
    c === 39 ||
    c === 38 ||
    c === 44 ||
    c === 59 ||
    c === 123 ||
    c === 125 ||
    c === 91 ||
    c === 93
  );
}
