// Every user-supplied regular expression (redaction, filter, attributes) is
// compiled here, once, with re2js: a pure-JavaScript port of RE2, whose
// matching time grows linearly with the input whatever the pattern. A
// backtracking engine (V8's RegExp) takes seconds to years on patterns such as
// `(a+)+$` or `(a|aa)*b` and a hostile value; here one search costs at most
// (pattern size × input length).
//
// Patterns are Go RE2 syntax, as Collector configs are written, and re2js reads
// that syntax itself: `(?P<name>…)` and `(?<name>…)`, leading or inner flags
// `(?i)` `(?s)` `(?m)` `(?U)`, `\A` (start of text, also under `(?m)`), `\z`,
// `\x{…}`, `\pL`, POSIX classes `[[:alpha:]]`. The one translation is the
// JavaScript escape `\uXXXX` / `\u{…}` (→ `\x{…}`), which older Auditline
// configs may hold. Backreferences, lookahead and lookbehind, atomic groups and
// possessive quantifiers are refused at validation with a message saying so.
import { RE2JS } from 're2js';
import type { ConfigIssue, Spec } from '../config/schema.js';

/** A compiled pattern. Matching is unanchored, as Go's MatchString: anchor with ^…$ for the whole value. */
export class GoRegExp {
  /** The pattern as written. */
  readonly source: string;
  /** Named capture groups, in order. */
  readonly groupNames: readonly string[];
  private readonly re: RE2JS;

  constructor(source: string) {
    this.source = source;
    this.re = RE2JS.compile(toRe2(source));
    this.groupNames = Object.keys(this.re.re2().namedGroups as Record<string, number>);
  }

  /** Whether the pattern matches anywhere in s (one linear pass; no match positions). */
  test(s: string): boolean {
    return this.re.test(s);
  }

  /**
   * Calls `found(start, end)` for each non-empty match, left to right, as Go's
   * FindAllStringIndex (UTF-16 offsets). Each search is linear in what it reads.
   */
  forEachMatch(s: string, found: (start: number, end: number) => void): void {
    // A failed test is the common case, and the fastest way to say so.
    if (!this.re.test(s)) return;
    const m = this.re.matcher(s);
    while (m.find()) {
      const a = m.start();
      const b = m.end();
      if (b > a) found(a, b);
    }
  }

  /**
   * The named groups of the first match: name → text, "" for a group that took
   * no part (as Go's FindStringSubmatch); undefined when there is no match.
   */
  namedGroups(s: string): Record<string, string> | undefined {
    const m = this.re.matcher(s);
    if (!m.find()) return undefined;
    const out: Record<string, string> = {};
    for (const name of this.groupNames) out[name] = m.group(name) ?? '';
    return out;
  }

  toString(): string {
    return this.source;
  }
}

/** Compiles a Go RE2 pattern; throws a SyntaxError saying what is wrong and where (never echoing the pattern). */
export function compileGoRegExp(pattern: string): GoRegExp {
  unsupported(pattern);
  try {
    return new GoRegExp(pattern);
  } catch (err) {
    throw new SyntaxError(describeError(pattern, err), { cause: err });
  }
}

/**
 * One test for "does any of these match?": a single pass of one automaton for
 * the alternation of the patterns, instead of one pass per pattern (the common
 * answer, no, then costs one search). Falls back to testing each in turn when
 * the alternation does not compile (the same group name in two patterns).
 */
export function anyOf(res: readonly GoRegExp[]): { test(s: string): boolean } {
  if (res.length === 1) return res[0]!;
  try {
    return new GoRegExp(res.map((r) => `(?:${r.source})`).join('|'));
  } catch {
    return { test: (s) => res.some((r) => r.test(s)) };
  }
}

/** A string spec that compiles to a GoRegExp at config time. */
export function goRegExp(opts: { nonEmpty?: boolean } = {}): Spec<GoRegExp> {
  const nonEmpty = opts.nonEmpty ?? true;
  return {
    shape: 'regular expression (RE2 syntax)',
    parse(v: unknown, p: (string | number)[], is: ConfigIssue[]) {
      if (typeof v !== 'string' || (nonEmpty && v === '')) {
        is.push({ path: p, message: `must be a${nonEmpty ? ' non-empty' : ''} regular expression string` });
        return undefined;
      }
      try {
        return compileGoRegExp(v);
      } catch (err) {
        is.push({ path: p, message: `is not a valid regular expression: ${(err as Error).message}` });
        return undefined;
      }
    },
  };
}

/** A string spec that must compile as a Go RE2 pattern and stays a string (compiled later by its user). */
export function goRegExpSource(): Spec<string> {
  const inner = goRegExp({ nonEmpty: false });
  return {
    shape: inner.shape,
    parse(v, p, is) {
      return inner.parse(v, p, is) === undefined ? undefined : (v as string);
    },
  };
}

const HEX = /^[0-9A-Fa-f]{4}$/;

/** `\uXXXX` and `\u{…}` (JavaScript) → `\x{…}` (RE2); everything else unchanged. */
function toRe2(src: string): string {
  if (!src.includes('\\u')) return src;
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c !== '\\' || i + 1 >= src.length) {
      out += c;
      continue;
    }
    const d = src[i + 1]!;
    if (d === 'u' && HEX.test(src.slice(i + 2, i + 6))) {
      out += `\\x{${src.slice(i + 2, i + 6)}}`;
      i += 5;
      continue;
    }
    if (d === 'u' && src[i + 2] === '{') {
      const close = src.indexOf('}', i + 3);
      if (close > i + 3) {
        out += `\\x${src.slice(i + 2, close + 1)}`;
        i = close;
        continue;
      }
    }
    out += c + d;
    i++;
  }
  return out;
}

/** Refuses, with a message naming the feature, the backtracking-only syntax RE2 has no equivalent for. */
function unsupported(src: string): void {
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const d = src[i + 1];
      if (!inClass && d !== undefined && d >= '1' && d <= '9' && !/[0-7]/.test(src[i + 2] ?? '')) {
        throw new SyntaxError(
          `backreferences (\\${d}) are not supported: patterns are RE2, matched in linear time (at character ${i + 1})`,
        );
      }
      if (!inClass && d === 'k' && src[i + 2] === '<') {
        throw new SyntaxError(
          `named backreferences (\\k<…>) are not supported: patterns are RE2, matched in linear time (at character ${i + 1})`,
        );
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // A ']' right after '[' or '[^' is a literal member.
      if (src[i + 1] === '^') i++;
      if (src[i + 1] === ']') i++;
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2, i + 4);
      const kind = rest.startsWith('=')
        ? 'lookahead (?=…)'
        : rest.startsWith('!')
          ? 'negative lookahead (?!…)'
          : rest === '<='
            ? 'lookbehind (?<=…)'
            : rest === '<!'
              ? 'negative lookbehind (?<!…)'
              : rest.startsWith('>')
                ? 'atomic groups (?>…)'
                : undefined;
      if (kind !== undefined)
        throw new SyntaxError(
          `${kind} is not supported: patterns are RE2, matched in linear time (at character ${i + 1})`,
        );
    }
  }
}

/** re2js's error without the offending text (a pattern may hold an expanded ${env:…} value). */
function describeError(pattern: string, err: unknown): string {
  const e = err as { error?: unknown; input?: unknown; message?: unknown };
  if (typeof e.error === 'string') {
    const at = typeof e.input === 'string' && e.input !== '' ? pattern.indexOf(e.input) : -1;
    return at >= 0 ? `${e.error} (at character ${at + 1})` : e.error;
  }
  return 'the pattern cannot be compiled';
}
