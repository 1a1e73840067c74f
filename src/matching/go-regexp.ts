// Regular expressions written for the Collector are Go RE2 syntax. JavaScript
// accepts nearly all of it; this translates the differences that show up in
// real configs: `(?P<name>…)` named groups, leading inline flags such as
// `(?i)`, and the `\A` / `\z` anchors. Matching is unanchored, as Go's
// MatchString is: anchor with ^…$ to match the whole value.
import type { ConfigIssue, Spec } from '../config/schema.js';

const LEADING_FLAGS = /^\(\?([imsU]+)\)/;

/** Compiles a Go-syntax pattern; throws a SyntaxError naming the problem. */
export function compileGoRegExp(pattern: string): RegExp {
  let src = pattern;
  let flags = '';
  const m = LEADING_FLAGS.exec(src);
  if (m) {
    if (m[1]!.includes('U')) throw new SyntaxError('the (?U) ungreedy flag has no JavaScript equivalent');
    flags = [...new Set(m[1]!)].join('');
    src = src.slice(m[0].length);
  }
  src = src.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\z/g, '$');
  return new RegExp(src, flags);
}

/** A string spec that compiles to a RegExp at config time. */
export function goRegExp(opts: { namedGroups?: boolean } = {}): Spec<RegExp> {
  return {
    shape: 'regular expression (RE2 / JavaScript syntax)',
    parse(v: unknown, p: (string | number)[], is: ConfigIssue[]) {
      if (typeof v !== 'string' || v === '') { is.push({ path: p, message: 'must be a non-empty regular expression' }); return undefined; }
      let re: RegExp;
      try {
        re = compileGoRegExp(v);
      } catch (err) {
        is.push({ path: p, message: `is not a valid regular expression: ${(err as Error).message}` });
        return undefined;
      }
      if (opts.namedGroups && !/\(\?<[A-Za-z_]/.test(re.source)) {
        is.push({ path: p, message: 'must contain at least one named group such as (?<name>...)' });
        return undefined;
      }
      return re;
    },
  };
}
