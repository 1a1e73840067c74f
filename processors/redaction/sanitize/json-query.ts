// JSON-shaped queries for `db_sanitizer.mongo`, `.opensearch` and `.es`: every
// value becomes "?", keys and structure stay. Tolerant of the Mongo shell's
// relaxed syntax (unquoted keys, 'single quotes', ObjectId("…")). One pass.

const WORD = /[A-Za-z0-9_$.+-]/;

export function obfuscateJsonQuery(text: string): string {
  const parts: string[] = [];
  let plain = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const j = stringEnd(text, i, c);
      if (!isKey(text, j)) {
        parts.push(text.slice(plain, i), '"?"');
        plain = j;
      }
      i = j;
      continue;
    }
    if (WORD.test(c)) {
      let j = i + 1;
      while (j < n && WORD.test(text[j]!)) j++;
      const word = text.slice(i, j);
      // A key, a function name (ObjectId) or a path stays; a bare value does not.
      const value = /^[-+]?(?:\d|\.\d)/.test(word) || word === 'true' || word === 'false' || word === 'null';
      if (value && text[j] !== '(' && !isKey(text, j)) {
        parts.push(text.slice(plain, i), '"?"');
        plain = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  parts.push(text.slice(plain));
  return parts.join('');
}

/** Index after the string literal starting at `i`. */
function stringEnd(s: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < s.length) {
    if (s[j] === '\\') {
      j += 2;
      continue;
    }
    if (s[j] === quote) return j + 1;
    j++;
  }
  return s.length;
}

/** Whether the next non-space character after `j` is `:` (the token before it is a key). */
function isKey(s: string, j: number): boolean {
  while (j < s.length && (s[j] === ' ' || s[j] === '\t' || s[j] === '\n' || s[j] === '\r')) j++;
  return s[j] === ':';
}
