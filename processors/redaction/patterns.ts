// User-supplied regular expressions. Collector configs are written for Go's
// RE2, so the few RE2 spellings JavaScript lacks are translated: a leading
// flag group `(?i)` / `(?s)` / `(?m)`, `(?P<name>…)`, and `\A` / `\z`.
import type { Spec } from '../../src/config/schema.js';

/** Source and flags of a pattern after RE2 → JavaScript translation. */
export function translatePattern(source: string): { source: string; flags: string } {
  let src = source;
  let flags = '';
  const lead = /^\(\?([ims]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]!) if (!flags.includes(f)) flags += f;
    src = src.slice(lead[0].length);
  }
  src = src.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\z/g, '$');
  return { source: src, flags };
}

/** Compiles a translated pattern; `extraFlags` adds e.g. `g` for match-all scans. */
export function compilePattern(source: string, extraFlags = ''): RegExp {
  const t = translatePattern(source);
  return new RegExp(t.source, t.flags + extraFlags);
}

/** A string that must compile as a regular expression; the issue names the pattern's YAML path. */
export function regex(): Spec<string> {
  return {
    shape: 'regular expression',
    parse(v, p, is) {
      if (typeof v !== 'string') {
        is.push({ path: p, message: 'must be a regular expression string' });
        return undefined;
      }
      try {
        compilePattern(v);
      } catch (e) {
        is.push({ path: p, message: `is not a valid regular expression: ${(e as Error).message}` });
        return undefined;
      }
      return v;
    },
  };
}
