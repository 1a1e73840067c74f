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
import { SECRET_SUFFIXES, SECRET_WORDS } from './key-rules.js';
import type { Spans } from './spans.js';

// Character classes for ASCII; everything else is "other".
const DIGIT = 1;
const ALPHA = 2;
const SEP = 4; // ' ' and '-' may separate card digit groups
const AT = 8;
const KV = 16; // '=' or ':' may follow a secret's name
const START = 32; // may start an API key, a JWT or an auth scheme
const CLS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLS[c] = DIGIT;
for (let c = 65; c <= 90; c++) CLS[c] = ALPHA;
for (let c = 97; c <= 122; c++) CLS[c] = ALPHA;
CLS[32] = SEP;
CLS[45] = SEP;
CLS[64] = AT;
CLS[61] = KV;
CLS[58] = KV;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number) => isDigit(c) || isAlpha(c);
// Email characters by table (measured ~1.5x faster than compare chains on an email):
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

/**
 * Emails, found from each '@' outwards rather than by one regex: a regex
 * with a `+` local part backtracks quadratically on long '@'-free runs.
 */
export function findEmails(s: string, out: Spans): void {
  const n = s.length;
  let at = s.indexOf('@');
  while (at !== -1) {
    let a = at;
    while (a > 0 && at - a < 64 && isLocal(s.charCodeAt(a - 1))) a--;
    while (a < at && s.charCodeAt(a) === 46) a++; // a local part cannot start with '.'
    let b = at + 1;
    while (b < n && b - at <= 253 && isDomain(s.charCodeAt(b))) b++;
    while (b > at + 1 && (s.charCodeAt(b - 1) === 46 || s.charCodeAt(b - 1) === 45)) b--;
    if (a < at && b > at + 1) {
      // The last dot of the domain, looked for in the domain only (a lastIndexOf over the whole
      // value made `x@x x@x …` quadratic).
      let dot = b - 1;
      while (dot > at + 1 && s.charCodeAt(dot) !== 46) dot--;
      let tld = dot > at + 1 ? b - dot - 1 : 0;
      for (let i = dot + 1; tld >= 2 && i < b; i++) if (!isAlpha(s.charCodeAt(i))) tld = 0;
      if (tld >= 2) out.push(a, b);
    }
    at = s.indexOf('@', Math.max(b, at + 1));
  }
}

const MAX_GROUPS = 32;
const gStart = new Int32Array(MAX_GROUPS);
const gEnd = new Int32Array(MAX_GROUPS);
const gDigits = new Int32Array(MAX_GROUPS);

/**
 * Card numbers: digit groups joined by single spaces or dashes, 13–19 digits
 * in total, with a card network prefix and a valid Luhn digit. Digits glued to
 * letters or decimal points (ids, fractions) are skipped. Within a longer
 * grouped run the longest valid sub-run starting at each group is taken, so a
 * card followed by a year (`4111 1111 1111 1111 2024`) is still found.
 */
export function findCards(s: string, out: Spans): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(s.charCodeAt(i))) { i++; continue; }
    if (i > 0 && (isAlpha(s.charCodeAt(i - 1)) || isNumericJoin(s, i - 1, i - 2))) {
      while (i < n && isAlnum(s.charCodeAt(i))) i++;
      continue;
    }
    let g = 0;
    let j = i;
    for (;;) {
      const gs = j;
      while (j < n && isDigit(s.charCodeAt(j))) j++;
      gStart[g] = gs; gEnd[g] = j; gDigits[g] = j - gs; g++;
      const c = j < n ? s.charCodeAt(j) : 0;
      if (g < MAX_GROUPS && (c === 32 || c === 45) && j + 1 < n && isDigit(s.charCodeAt(j + 1))) { j++; continue; }
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
      if (best >= 0) { out.push(gStart[a]!, gEnd[best]!); a = best; }
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
  while (i < n) { const c = s.charCodeAt(i); if (c >= 128 || B64U[c] === 0) break; i++; }
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

/** Where `[A-Z ]*PRIVATE KEY-----` starting at i ends, or -1: the run of [A-Z ] must end with "PRIVATE KEY". */
function pemLabelEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length && isUpperOrSpace(s.charCodeAt(j))) j++;
  const tail = j - 11; // "PRIVATE KEY"
  return tail >= i && s.startsWith(PEM_TAIL, tail) ? tail + PEM_TAIL.length : -1;
}

// Tried only where a word starts with one of API_STARTS.
// Free of backtracking: each alternative starts with its own literal, and each
// repeat either ends the alternative or is followed by a character it cannot
// match (SendGrid's '.'), so an attempt reads at most one run of key characters.
// PEM private keys, whose body is any text, are matched by hand (matchPem).
const API_KEY_Y = new RegExp([
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
].join('|'), 'y');
/**
 * The first three characters of each shape above. Checking them before the regex
 * lets common words (when, which, give, global, skip) pass with a few compares
 * instead of a failed regex call (~80 ns each: an 83-character sentence with
 * three such words, 700 -> 455 ns, measured).
 */
const API_STARTS = ['sk-', 'sk_', 'rk_', 'whs', 'AKI', 'ASI', 'ABI', 'ACC', 'ghp', 'gho', 'ghu', 'ghs', 'ghr', 'git', 'glp', 'xox', 'AIz', 'hf_', 'npm', 'SG.', '---'];
/** (first, second character) → the third characters an API key can continue with. */
const API_THIRD = new Map<number, string>();
for (const p of API_STARTS) {
  const k = pairKey(p.charCodeAt(0), p.charCodeAt(1));
  API_THIRD.set(k, (API_THIRD.get(k) ?? '') + p[2]);
}
function pairKey(c: number, c2: number): number { return c * 65536 + c2; }

// Where a word starting with these characters may hold a key, a JWT (eyJ…) or an auth scheme (Bearer/Basic).
for (const ch of ['e', 'b', 'B', ...API_STARTS.map((p) => p[0]!)]) CLS[ch.charCodeAt(0)]! |= START;

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
}

/** Lowercase, separators removed: `X-Api-Key` → `xapikey`. */
const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

export class PrivacyScanner {
  private readonly emails: boolean;
  private readonly cards: boolean;
  private readonly jwts: boolean;
  private readonly auth: boolean;
  private readonly apiKeys: boolean;
  private readonly keyValues: boolean;
  private readonly any: boolean;
  /** Squashed secret names that end a `name=` / `"name":` in text. */
  private readonly kvNames: string[];
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
    this.any = this.emails || this.cards || this.jwts || this.auth || this.apiKeys;
    const names = [...SECRET_WORDS, ...SECRET_SUFFIXES, ...sw.secret_keys.map((n) => n.slice(n.lastIndexOf('.') + 1))];
    this.kvNames = [...new Set(names.map(squash).filter((n) => n !== ''))];
  }

  /**
   * For a string shorter than SHORT_TEXT: false when `scan` can find nothing in
   * it, which is so unless it holds '@' (emails) or '=' / ':' (credentials).
   * Those three all lie in 58..64, so one compare clears most characters:
   * ~21 ns for an 8-character id, against ~30 ns for three indexOf calls (measured).
   */
  shortMayMatch(s: string): boolean {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if ((c - 58) >>> 0 < 7 && (c === 64 ? this.emails : (c === 61 || c === 58) && this.keyValues)) return true;
    }
    return false;
  }

  /** Pushes every detected range of s into out. */
  scan(s: string, out: Spans): void {
    if (!this.any) return;
    const n = s.length;
    if (n < SHORT_TEXT) {
      if (this.emails && s.indexOf('@') !== -1) findEmails(s, out);
      if (this.keyValues && (s.indexOf('=') !== -1 || s.indexOf(':') !== -1)) this.findKeyValues(s, out);
      return;
    }
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
    // the state updates (measured 10-20% faster on words and paths, same on hex ids).
    // Invariant at the loop head: c === s.charCodeAt(i).
    let i = 0;
    let c = s.charCodeAt(0);
    while (i < n) {
      const k = c < 128 ? CLS[c]! : 0;
      if (k & ALPHA) {
        digits = 0; tainted = true; prevSep = false;
        if ((k & START) !== 0 && !prevAlnum) {
          const end = this.startsAt(s, i, c, out);
          if (end > i) { i = end; if (i < n) c = s.charCodeAt(i); prevAlnum = true; continue; }
        }
        prevAlnum = true;
        while (++i < n) { c = s.charCodeAt(i); if (((c | 32) - 97) >>> 0 >= 26) break; }
      } else if (k & DIGIT) {
        const from = i;
        while (++i < n) { c = s.charCodeAt(i); if ((c - 48) >>> 0 >= 10) break; }
        if (!tainted && (digits += i - from) > maxDigits) maxDigits = digits;
        prevSep = false; prevAlnum = true;
      } else {
        if (k & SEP) {
          if (prevSep) digits = 0;
          prevSep = true; tainted = false;
          if ((k & START) !== 0 && !prevAlnum) {
            const end = this.startsAt(s, i, c, out);
            if (end > i) { i = end; if (i < n) c = s.charCodeAt(i); prevAlnum = true; digits = 0; continue; }
          }
        } else {
          digits = 0; tainted = false; prevSep = false;
          flags |= k;
        }
        prevAlnum = false;
        if (++i < n) c = s.charCodeAt(i);
      }
    }
    if (this.emails && (flags & AT) !== 0) findEmails(s, out);
    if (this.cards && maxDigits >= 13) findCards(s, out);
    if (this.keyValues && (flags & KV) !== 0) this.findKeyValues(s, out);
  }

  /** Tries a key, JWT or auth scheme starting at i; returns where a match ends, or i. */
  private startsAt(s: string, i: number, c: number, out: Spans): number {
    const c2 = s.charCodeAt(i + 1);
    if (c === 101 /* e */) {
      if (this.jwts && c2 === 121 && s.charCodeAt(i + 2) === 74 && i >= this.jwtMissBefore) {
        const end = matchJwt(s, i);
        if (end > i) { out.push(i, end); return end; }
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
      const thirds = API_THIRD.get(pairKey(c, c2));
      if (c === 45 /* - */) {
        if (c2 === 45 && s.startsWith(PEM_BEGIN, i)) {
          const end = this.matchPem(s, i);
          if (end > i) { out.push(i, end); return end; }
        }
        return i;
      }
      if (thirds !== undefined && includesCode(thirds, s.charCodeAt(i + 2))) {
        API_KEY_Y.lastIndex = i;
        if (API_KEY_Y.test(s)) { out.push(i, API_KEY_Y.lastIndex); return API_KEY_Y.lastIndex; }
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
    return this.pemEnd < 0 ? i : this.pemEnd;
  }

  /**
   * `password=…`, `"api_key": "…"`, `token: …` inside text: the value after a
   * name that ends with a secret's name (`db_password=`, `access_token=`,
   * `x-api-key:`), found from each '=' / ':' backwards.
   */
  private findKeyValues(s: string, out: Spans): void {
    let eq = s.indexOf('=');
    let colon = s.indexOf(':');
    while (eq !== -1 || colon !== -1) {
      // Jump from separator to separator with native indexOf rather than visiting every character.
      const p = eq === -1 ? colon : colon === -1 ? eq : Math.min(eq, colon);
      const next = p + 1;
      // The name: word characters before the separator, after an optional quote and blanks.
      let e = p;
      while (e > 0 && (s.charCodeAt(e - 1) === 32 || s.charCodeAt(e - 1) === 9)) e--;
      if (e > 0 && (s.charCodeAt(e - 1) === 34 || s.charCodeAt(e - 1) === 39)) e--;
      let b = e;
      while (b > 0 && e - b < 64) {
        const d = s.charCodeAt(b - 1);
        if (isAlnum(d) || d === 95 || d === 45 || d === 46) b--;
        else break;
      }
      let resume = next;
      if (b < e && this.namesSecret(s, b, e)) resume = this.valueAt(s, p, out);
      if (eq !== -1 && eq < resume) eq = s.indexOf('=', resume);
      if (colon !== -1 && colon < resume) colon = s.indexOf(':', resume);
    }
  }

  /** Masks the value after the separator at p; returns where scanning resumes. */
  private valueAt(s: string, p: number, out: Spans): number {
    // The value: quoted, or a Bearer/Basic pair, or up to the next delimiter.
    const n = s.length;
    let v = p + 1;
    while (v < n && (s.charCodeAt(v) === 32 || s.charCodeAt(v) === 9)) v++;
    const q = s.charCodeAt(v);
    let a = v;
    let z: number;
    if (q === 34 || q === 39) {
      a = v + 1;
      z = a;
      while (z < n && s.charCodeAt(z) !== q && s.charCodeAt(z) !== 10) z++;
    } else {
      AUTH_Y.lastIndex = v;
      z = AUTH_Y.test(s) ? AUTH_Y.lastIndex : v;
      while (z < n && !isValueEnd(s.charCodeAt(z))) z++;
    }
    if (z > a) out.push(a, z);
    return Math.max(z, p + 1);
  }

  /** s[b, e) ends with a secret's name, compared lowercase with separators skipped (no allocation). */
  private namesSecret(s: string, b: number, e: number): boolean {
    for (const nm of this.kvNames) {
      let j = nm.length - 1;
      for (let i = e - 1; i >= b && j >= 0; i--) {
        let c = s.charCodeAt(i);
        if (c >= 65 && c <= 90) c += 32;
        else if (!isAlnum(c)) continue;
        if (c !== nm.charCodeAt(j)) break;
        j--;
      }
      if (j < 0) return true;
    }
    return false;
  }
}

function includesCode(set: string, c: number): boolean {
  for (let j = 0; j < set.length; j++) if (set.charCodeAt(j) === c) return true;
  return false;
}

/** Ends an unquoted value: blank, quote, & , ; { } [ ] */
function isValueEnd(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 34 || c === 39 || c === 38 || c === 44 || c === 59
    || c === 123 || c === 125 || c === 91 || c === 93;
}
