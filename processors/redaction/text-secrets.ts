// Secrets written inside free text that the word scan of detectors.ts does
// not see: a URL's user:password, every cookie of a Cookie header, the
// credential after any Authorization scheme, command-line flags, SQL
// passwords, Slack webhook paths and Telegram bot tokens.
//
// Linear time: each matcher starts at a landmark found with indexOf and reads
// forward from it a bounded distance or up to where the search resumes, so no
// character is read more than a constant number of times.
import type { Spans } from './spans.js';

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number) => isDigit(c) || isAlpha(c);
const isBlank = (c: number) => c === 32 || c === 9;
const isLineEnd = (c: number) => c === 10 || c === 13;

/** How far past `://` the user:password@ of a URL may end. */
const MAX_AUTHORITY = 512;

/** Ends a URL's authority: whitespace, '/', quotes, angle brackets, backslash. */
function endsAuthority(c: number): boolean {
  return c <= 32 || c === 47 || c === 34 || c === 39 || c === 60 || c === 62 || c === 92 || c === 96;
}

/**
 * `scheme://user:password@host…`: masks the password only (scheme, user, host,
 * port and path kept), whatever it holds (`#`, `!`, `?`, `%40`). The host
 * starts after the last '@' before the path. Pushes each such '@' into `ats`
 * (sorted) so the email detector leaves `password@host` alone; returns their count.
 */
export function findUrlCredentials(s: string, out: Spans, ats: number[]): number {
  const n = s.length;
  let count = 0;
  let p = s.indexOf('://');
  while (p !== -1) {
    const start = p + 3;
    let lastAt = -1;
    let colon = -1;
    let j = start;
    const limit = Math.min(n, start + MAX_AUTHORITY);
    for (; j < limit; j++) {
      const c = s.charCodeAt(j);
      if (endsAuthority(c)) break;
      if (c === 64) lastAt = j;
      else if (c === 58 && colon === -1 && lastAt === -1) colon = j;
    }
    if (lastAt !== -1 && colon !== -1 && colon < lastAt) {
      if (lastAt > colon + 1) out.push(colon + 1, lastAt);
      ats[count++] = lastAt;
    }
    if (lastAt !== -1 && colon === -1) {
      // user@host: no password, but the '@' is not an email's either when a scheme precedes.
      ats[count++] = lastAt;
    }
    p = s.indexOf('://', Math.max(j, start));
  }
  return count;
}

/** `https://hooks.slack.com/services/T…/B…/secret`: the path after services/ is the credential. */
export function findSlackWebhooks(s: string, out: Spans): void {
  const MARK = 'hooks.slack.com/services/';
  let p = s.indexOf(MARK);
  while (p !== -1) {
    const a = p + MARK.length;
    let b = a;
    while (
      b < s.length &&
      (isAlnum(s.charCodeAt(b)) || s.charCodeAt(b) === 47 || s.charCodeAt(b) === 95 || s.charCodeAt(b) === 45)
    )
      b++;
    if (b - a >= 8) out.push(a, b);
    p = s.indexOf(MARK, Math.max(b, a));
  }
}

/** Telegram bot tokens, `123456789:AA…` (8–10 digits, ':', 'AA', 33 more token characters), found from each `:AA`. */
export function findTelegramTokens(s: string, out: Spans): void {
  let p = s.indexOf(':AA');
  while (p !== -1) {
    let a = p;
    while (a > 0 && p - a < 11 && isDigit(s.charCodeAt(a - 1))) a--;
    let b = p + 1;
    while (b < s.length && (isAlnum(s.charCodeAt(b)) || s.charCodeAt(b) === 95 || s.charCodeAt(b) === 45)) b++;
    const digits = p - a;
    // Alone, or glued to `bot` as in the API's URLs (`/bot123456789:AA…/sendMessage`).
    const alone = !(a > 0 && isAlnum(s.charCodeAt(a - 1))) || (a >= 3 && s.startsWith('bot', a - 3));
    if (digits >= 8 && digits <= 10 && alone && b - (p + 1) >= 35) out.push(a, b);
    p = s.indexOf(':AA', Math.max(b, p + 1));
  }
}

/** The end of a quoted or bare shell word starting at i (quotes excluded from the range): [start, end, resume]. */
function shellWord(s: string, i: number): [number, number, number] {
  const n = s.length;
  const q = s.charCodeAt(i);
  if (q === 34 || q === 39) {
    let e = i + 1;
    while (e < n && s.charCodeAt(e) !== q && !isLineEnd(s.charCodeAt(e))) e++;
    return [i + 1, e, e + 1];
  }
  let e = i;
  while (
    e < n &&
    !isBlank(s.charCodeAt(e)) &&
    !isLineEnd(s.charCodeAt(e)) &&
    s.charCodeAt(e) !== 34 &&
    s.charCodeAt(e) !== 39
  )
    e++;
  return [i, e, e];
}

/** Flags that take no secret even though their name holds a secret's name (`--disabled-password`). */
const NOT_SECRET_FLAG =
  /^(?:disable|disabled|no|without|skip|allow|ask|prompt|show|print|check|verify|forgot|reset|change)[-_]/i;

/**
 * Command-line flags followed by a secret: `--api-key VALUE`, `--password 'a b'`,
 * `--client-secret VALUE` (the `--name=VALUE` form is a name=value pair, found
 * elsewhere), and the short forms of well-known tools: `mysql -pVALUE` /
 * `-p'VALUE'`, `redis-cli -a VALUE`, `curl -u user:VALUE`.
 */
export function findCliSecrets(s: string, out: Spans, isSecretName: (name: string) => boolean): void {
  const n = s.length;
  // The tool is looked for in the 256 characters before a short flag only, so the
  // cost per flag is bounded (a search of the whole value per flag would be quadratic).
  const tool = (p: number, name: string) => s.slice(Math.max(0, p - 256), p).includes(name);
  let p = s.indexOf(' -');
  while (p !== -1) {
    let a = p + 2;
    const long = s.charCodeAt(a) === 45;
    if (long) a++;
    let e = a;
    while (e < n && (isAlnum(s.charCodeAt(e)) || s.charCodeAt(e) === 45 || s.charCodeAt(e) === 95)) e++;
    let resume = Math.max(e, p + 2);
    if (e > a) {
      const c = s.charCodeAt(e);
      if (!long && s.charCodeAt(a) === 112 /* p */ && (e > a + 1 || c === 39 || c === 34) && tool(p, 'mysql')) {
        // -pSECRET or -p'SECRET' (no space: a space would make the next word a database name).
        const [vs, ve, r] = shellWord(s, a + 1);
        if (ve > vs) out.push(vs, ve);
        resume = Math.max(r, resume);
      } else if (isBlank(c) && e < n - 1) {
        let v = e;
        while (v < n && isBlank(s.charCodeAt(v))) v++;
        const name = s.slice(a, e);
        const short = !long && e - a === 1;
        let secret: boolean;
        if (short) secret = (name === 'a' && tool(p, 'redis-cli')) || (name === 'u' && tool(p, 'curl'));
        else secret = !NOT_SECRET_FLAG.test(name) && isSecretName(name);
        if (secret && v < n && s.charCodeAt(v) !== 45) {
          const [vs0, ve, r] = shellWord(s, v);
          let vs = vs0;
          if (short && name === 'u') {
            // curl -u user:password: the part after the first ':' of the word.
            let colon = vs;
            while (colon < ve && s.charCodeAt(colon) !== 58) colon++;
            vs = colon < ve ? colon + 1 : ve;
          }
          if (ve > vs) out.push(vs, ve);
          resume = Math.max(r, resume);
        }
      }
    }
    p = s.indexOf(' -', resume);
  }
}

/** SQL keywords that are followed by a password literal. */
const SQL_MARKS = ['PASSWORD', 'password', 'Password', 'IDENTIFIED BY', 'identified by'];

/**
 * SQL passwords: `PASSWORD 'x'`, `PASSWORD = 'x'`, `PASSWORD('x')`,
 * `IDENTIFIED BY 'x'` / `"x"`. Only a quoted literal directly after the keyword
 * counts, so `SELECT password_hash FROM users` is left alone.
 */
export function findSqlPasswords(s: string, out: Spans): void {
  const n = s.length;
  for (const mark of SQL_MARKS) {
    let p = s.indexOf(mark);
    while (p !== -1) {
      let v = p + mark.length;
      const before = p > 0 ? s.charCodeAt(p - 1) : 32;
      // A keyword, not a quoted name ("password"=>…) or part of a word (password_hash).
      if (!isAlnum(before) && before !== 95 && before !== 34 && before !== 39) {
        const kw = v;
        while (v < n && isBlank(s.charCodeAt(v))) v++;
        if (s.charCodeAt(v) === 61 || s.charCodeAt(v) === 40) {
          v++;
          while (v < n && isBlank(s.charCodeAt(v))) v++;
        }
        const q = s.charCodeAt(v);
        if ((q === 39 || q === 34) && v > kw) {
          let e = v + 1;
          while (e < n && s.charCodeAt(e) !== q && !isLineEnd(s.charCodeAt(e))) e++;
          if (e < n && s.charCodeAt(e) === q && e > v + 1) out.push(v + 1, e);
          v = e;
        }
      }
      p = s.indexOf(mark, Math.max(v, p + 1));
    }
  }
}

/**
 * The credential of an Authorization header value starting at v (after
 * `Authorization:` and blanks): for `Digest …` and `AWS4-HMAC-SHA256 …` every
 * parameter up to the end of the line (or the quote that opened the header);
 * for any other scheme (`Bearer`, `Basic`, `Token`, `Bot`, …) the word after
 * it; with no scheme, the value itself. Returns [start, end] of what to mask
 * (the scheme with its credential, as `Authorization: ****`).
 */
export function authValue(s: string, v: number, quote: number): [number, number] {
  const n = s.length;
  let e = v;
  while (e < n && (isAlnum(s.charCodeAt(e)) || s.charCodeAt(e) === 45 || s.charCodeAt(e) === 95)) e++;
  const scheme = s.slice(v, e).toLowerCase();
  const atBlank = e < n && isBlank(s.charCodeAt(e));
  if (!atBlank) {
    // One word: the credential itself.
    let z = v;
    while (z < n && !isCredEnd(s.charCodeAt(z), quote)) z++;
    return [v, z];
  }
  let a = e;
  while (a < n && isBlank(s.charCodeAt(a))) a++;
  if (
    scheme === 'digest' ||
    scheme.startsWith('aws4-') ||
    scheme === 'hoba' ||
    scheme === 'mutual' ||
    scheme === 'negotiate' ||
    scheme === 'ntlm'
  ) {
    let z = a;
    while (z < n && !isLineEnd(s.charCodeAt(z)) && s.charCodeAt(z) !== quote) z++;
    return [v, z];
  }
  let z = a;
  while (z < n && !isCredEnd(s.charCodeAt(z), quote)) z++;
  return [v, z];
}

function isCredEnd(c: number, quote: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 34 || c === 39 || c === 44 || c === 59 || c === quote;
}

/**
 * The values of a Cookie header starting at v: `a=1; b=2; c=3` masks 1, 2 and 3.
 * For Set-Cookie only the first pair is the cookie; `Path=/; Secure` are kept.
 * Stops at the end of the line or at `quote`. Returns where it stopped.
 */
export function cookieValues(s: string, v: number, setCookie: boolean, quote: number, out: Spans): number {
  const n = s.length;
  let i = v;
  while (i < n) {
    while (i < n && isBlank(s.charCodeAt(i))) i++;
    // A cookie name holds no blank, ',' or ';': the search for its '=' stops there.
    let eq = i;
    while (eq < n) {
      const c = s.charCodeAt(eq);
      if (c === 61 || c === 59 || c === 44 || c === quote || isBlank(c) || isLineEnd(c)) break;
      eq++;
    }
    if (eq >= n || s.charCodeAt(eq) !== 61) return eq;
    let z = eq + 1;
    while (z < n && s.charCodeAt(z) !== 59 && !isLineEnd(s.charCodeAt(z)) && s.charCodeAt(z) !== quote) z++;
    // A cookie value may itself be quoted.
    let a = eq + 1;
    let b = z;
    while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
    if (b - a >= 2 && s.charCodeAt(a) === 34 && s.charCodeAt(b - 1) === 34) {
      a++;
      b--;
    }
    if (b > a) out.push(a, b);
    if (setCookie || z >= n || s.charCodeAt(z) !== 59) return z;
    i = z + 1;
  }
  return i;
}

/**
 * The end of a JSON value starting at v (a string, an array or an object),
 * strings and escapes respected; -1 when it does not close. Linear: one pass.
 */
export function jsonValueEnd(s: string, v: number): number {
  const n = s.length;
  const c0 = s.charCodeAt(v);
  if (c0 === 34) {
    for (let i = v + 1; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 92) i++;
      else if (c === 34) return i + 1;
    }
    return -1;
  }
  let depth = 0;
  let inStr = false;
  for (let i = v; i < n; i++) {
    const c = s.charCodeAt(i);
    if (inStr) {
      if (c === 92) i++;
      else if (c === 34) inStr = false;
      continue;
    }
    if (c === 34) inStr = true;
    else if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}
