// Text from a config file (keys, values, file names) is shown to a terminal
// only through these: control characters, terminal escapes and invisible
// direction overrides are written as escapes, and echoes are kept short.

// C0 and C1 controls (ESC starts terminal sequences; 0x9b is a one-byte CSI), DEL, zero-width and
// direction marks, line/paragraph separators, bidi embeddings/overrides/isolates, the BOM.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `s` with every control or invisible formatting character written as `\n`, `\t`, `\x1b`, `\u202e`. */
export function escapeControl(s: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `s` cut to `max` characters (a cut is marked with `…` and the number left out). */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length - max} more characters)`;
}
