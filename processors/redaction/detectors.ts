// The privacy profile's value detectors. Each pushes the [start, end) ranges
// to mask into a Spans list. A cheap test (a character that must be present,
// a minimum length or digit count) guards every regex, because nearly all
// values contain nothing to find.
import { isCardNumber } from './luhn.js';
import { SECRET_SUFFIXES, SECRET_WORDS } from './key-rules.js';
import type { Spans } from './spans.js';

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number) => isDigit(c) || isAlpha(c);
/** RFC 5322 "atext" subset seen in practice: letters, digits, . _ % + - */
const isLocal = (c: number) => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
const isDomain = (c: number) => isAlnum(c) || c === 46 || c === 45;
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
      const dot = s.lastIndexOf('.', b - 1);
      let tld = dot > at + 1 ? b - dot - 1 : 0;
      for (let i = dot + 1; tld >= 2 && i < b; i++) if (!isAlpha(s.charCodeAt(i))) tld = 0;
      if (tld >= 2) out.push(a, b);
    }
    at = s.indexOf('@', Math.max(b, at + 1));
  }
}

/** At least `min` ASCII digits in s (stops counting as soon as it knows). */
export function hasDigits(s: string, min: number): boolean {
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++d >= min) return true;
  }
  return false;
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

// Header (and usually payload) are base64url JSON, so a JWT starts with eyJ; JWE has five segments.
const JWT_RE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?/y;

export function findJwts(s: string, out: Spans): void {
  let k = s.indexOf('eyJ');
  while (k !== -1) {
    JWT_RE.lastIndex = k;
    if (JWT_RE.exec(s) !== null) {
      out.push(k, JWT_RE.lastIndex);
      k = s.indexOf('eyJ', JWT_RE.lastIndex);
    } else {
      k = s.indexOf('eyJ', k + 3);
    }
  }
}

const API_KEY_RE = new RegExp([
  'sk-[A-Za-z0-9_-]{20,}', // OpenAI (sk-…, sk-proj-…), Anthropic (sk-ant-…)
  '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe secret / restricted
  'whsec_[A-Za-z0-9]{20,}', // Stripe webhook secret
  '(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}', // AWS access key id
  'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub tokens
  'github_pat_[A-Za-z0-9_]{22,}',
  'glpat-[A-Za-z0-9_-]{20,}', // GitLab
  'xox[abposr]-[A-Za-z0-9-]{10,}', // Slack
  'AIza[0-9A-Za-z_-]{35}', // Google API key
  'hf_[A-Za-z0-9]{30,}', // Hugging Face
  'npm_[A-Za-z0-9]{36}', // npm
  'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}', // SendGrid
  '-----BEGIN[A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END[A-Z ]*PRIVATE KEY-----', // PEM
].map((p) => `(?:${p})`).join('|').replace(/^/, '(?<![A-Za-z0-9])(?:') + ')', 'g');

export function findApiKeys(s: string, out: Spans): void {
  API_KEY_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = API_KEY_RE.exec(s)) !== null) out.push(m.index, API_KEY_RE.lastIndex);
}

const BEARER_RE = /\b(bearer|basic)[ \t]+([A-Za-z0-9._~+/=-]+)/gi;

/** `Bearer <token>` / `Basic <base64 user:pass>`; the scheme word is kept, the credential masked. */
export function findAuthSchemes(s: string, out: Spans): void {
  BEARER_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BEARER_RE.exec(s)) !== null) {
    const tok = m[2]!;
    const end = m.index + m[0].length;
    if (looksLikeCredential(m[1]!.length === 5 ? 'basic' : 'bearer', tok)) out.push(end - tok.length, end);
  }
}

/** Separates credentials from prose ("Basic plan", "Bearer authentication required"). */
function looksLikeCredential(scheme: 'basic' | 'bearer', tok: string): boolean {
  if (tok.length < 8) return false;
  if (scheme === 'basic') {
    // Basic credentials are base64("user:password"): the decoded text has a colon.
    return /^[A-Za-z0-9+/]+={0,2}$/.test(tok) && Buffer.from(tok, 'base64').includes(0x3a);
  }
  return tok.length >= 20 || /[0-9._~+/=-]/.test(tok);
}

function namePattern(name: string): string {
  return name.toLowerCase().split(/[_\-\s]+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[_-]?');
}

/**
 * `password=…`, `"api_key": "…"`, `token: …` inside text: the value after a
 * name that names a secret. Built per config because `privacy.secret_keys`
 * adds names.
 */
export function makeKeyValueFinder(extraNames: string[]): (s: string, out: Spans) => void {
  const names = [...SECRET_WORDS, ...SECRET_SUFFIXES, ...extraNames.map((n) => n.slice(n.lastIndexOf('.') + 1))];
  const alt = [...new Set(names.map(namePattern))].sort((a, b) => b.length - a.length).join('|');
  const re = new RegExp(
    `(?:${alt})["']?[ \\t]*[=:][ \\t]*(?:"([^"\\r\\n]*)"|'([^'\\r\\n]*)'|((?:bearer|basic)[ \\t]+[^\\s"'&,;]+|[^\\s"'&,;{}\\[\\]]+))`,
    'gi',
  );
  return (s, out) => {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      const end = m.index + m[0].length;
      if (m[3] !== undefined) out.push(end - m[3].length, end);
      else {
        const v = m[1] ?? m[2] ?? '';
        out.push(end - 1 - v.length, end - 1);
      }
    }
  };
}
