// SQL literal obfuscation for `db_sanitizer.sql`: string, number, hex,
// dollar-quoted and escaped-string literals become `?`, comments are removed
// and `IN (?, ?, ?)` lists collapse to `(?)`. Identifiers (bare, "quoted",
// `backticked`), keywords, bind parameters ($1, :name, ?) are kept. One pass.

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
/** After one of these, `-5` is a negative literal rather than a subtraction. */
const UNARY_AFTER = new Set(['', '(', ',', '=', '<', '>', '+', '-', '*', '/', '%']);

export function obfuscateSql(q: string): string {
  const parts: string[] = [];
  /** Start of the run of input copied unchanged, flushed at each replacement. */
  let plain = 0;
  const replace = (from: number, to: number, text: string): number => {
    parts.push(q.slice(plain, from), text);
    plain = to;
    return to;
  };
  let i = 0;
  const n = q.length;
  while (i < n) {
    const c = q[i]!;
    const next = q[i + 1];
    if (c === "'") {
      i = replace(i, skipQuoted(q, i, "'"), '?');
      continue;
    }
    if (c === '"' || c === '`') {
      i = skipQuoted(q, i, c);
      continue;
    }
    if (c === '-' && next === '-') {
      i = replace(i, lineEnd(q, i), '');
      continue;
    }
    if (c === '/' && next === '*') {
      const j = q.indexOf('*/', i + 2);
      i = replace(i, j < 0 ? n : j + 2, ' ');
      continue;
    }
    if (c === '$' && next !== undefined && isDigit(next)) {
      // $1: a bind parameter, not a literal.
      i++;
      while (i < n && isDigit(q[i]!)) i++;
      continue;
    }
    if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(q.slice(i, i + 64));
      if (tag) {
        const j = q.indexOf(tag[0], i + tag[0].length);
        i = replace(i, j < 0 ? n : j + tag[0].length, '?');
        continue;
      }
    }
    if (isDigit(c) || (c === '.' && next !== undefined && isDigit(next))) {
      const minus = i > plain && q[i - 1] === '-' && UNARY_AFTER.has(charBefore(q, i - 1));
      i = replace(minus ? i - 1 : i, numberEnd(q, i), '?');
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(q[j]!)) j++;
      // N'…', E'…', X'…', B'…': a prefixed string literal.
      if (j === i + 1 && q[j] === "'" && /[NnEeXxBb]/.test(c)) {
        i = replace(i, skipQuoted(q, j, "'"), '?');
        continue;
      }
      i = j;
      continue;
    }
    i++;
  }
  parts.push(q.slice(plain));
  return collapseLists(parts.join('')).trim();
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Index after a quoted run starting at `i` (doubled quotes and backslash escapes stay inside). */
function skipQuoted(q: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < q.length) {
    const c = q[j]!;
    if (c === '\\' && quote === "'") {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (q[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return q.length;
}

function lineEnd(q: string, i: number): number {
  const j = q.indexOf('\n', i);
  return j < 0 ? q.length : j;
}

function numberEnd(q: string, i: number): number {
  let j = i;
  if (q[j] === '0' && (q[j + 1] === 'x' || q[j + 1] === 'X')) {
    j += 2;
    while (j < q.length && /[0-9A-Fa-f]/.test(q[j]!)) j++;
    return j;
  }
  while (j < q.length && (isDigit(q[j]!) || q[j] === '.')) j++;
  if ((q[j] === 'e' || q[j] === 'E') && /[-+0-9]/.test(q[j + 1] ?? '')) {
    j += 2;
    while (j < q.length && isDigit(q[j]!)) j++;
  }
  return j;
}

/** The last non-space character of `q` before index `i`, or '' at the start. */
function charBefore(q: string, i: number): string {
  for (let k = i - 1; k >= 0; k--) if (q[k] !== ' ' && q[k] !== '\t' && q[k] !== '\n' && q[k] !== '\r') return q[k]!;
  return '';
}

/** `(?, ?, ?)` → `(?)`: a list's length would otherwise make each query text distinct. */
function collapseLists(s: string): string {
  return s.replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?)');
}
