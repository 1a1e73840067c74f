// The one compiler of user patterns (redaction, filter, attributes): Go RE2
// syntax, compiled with re2js, matched in linear time.
import { describe, expect, it } from 'vitest';
import type { ConfigIssue } from '../../src/config/schema.js';
import { anyOf, compileGoRegExp, goRegExp, goRegExpSource } from '../../src/matching/go-regexp.js';

const matches = (pattern: string, s: string) => compileGoRegExp(pattern).test(s);
const all = (pattern: string, s: string) => {
  const out: string[] = [];
  compileGoRegExp(pattern).forEachMatch(s, (a, b) => out.push(s.slice(a, b)));
  return out;
};
const error = (pattern: string) => {
  try {
    compileGoRegExp(pattern);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
};

describe('Go RE2 patterns', () => {
  it('\\A and \\z are the start and end of the text, also under (?m); ^ and $ follow (?m)', () => {
    expect(matches('\\Ab', 'a\nb')).toBe(false);
    expect(matches('(?m)\\Ab', 'a\nb')).toBe(false);
    expect(matches('(?m)^b', 'a\nb')).toBe(true);
    expect(matches('a\\z', 'a\n')).toBe(false);
    expect(matches('(?m)a$', 'a\nb')).toBe(true);
    expect(matches('(?m)a\\z', 'a\nb')).toBe(false);
    // An escaped backslash followed by A is a backslash and an A, not an anchor (nor a literal caret).
    expect(matches('x\\\\A', 'x\\A')).toBe(true);
    expect(matches('x\\\\A', 'x^')).toBe(false);
  });

  it('reads Go spellings: (?P<name>…), (?<name>…), inline flags, (?U), \\x{…}, \\pL, POSIX classes', () => {
    expect(compileGoRegExp('(?P<user>\\w+)@(?<host>[a-z.]+)').namedGroups('mail bob@example.org')).toEqual({
      user: 'bob',
      host: 'example.org',
    });
    expect(matches('(?i)secret', 'SeCrEt')).toBe(true);
    expect(matches('x(?i:y)z', 'xYz')).toBe(true);
    expect(matches('x(?i:y)z', 'xYZ')).toBe(false);
    expect(all('(?U)a+', 'aaa')).toEqual(['a', 'a', 'a']);
    expect(matches('(?s)a.b', 'a\nb')).toBe(true);
    expect(matches('a.b', 'a\nb')).toBe(false);
    expect(matches('\\x{e9}', 'café')).toBe(true);
    expect(matches('^\\pL+$', 'Grüße')).toBe(true);
    expect(matches('^[[:alpha:]]+$', 'abc')).toBe(true);
  });

  it('accepts JavaScript \\uXXXX and \\u{…} escapes', () => {
    expect(matches('caf\\u00e9', 'café')).toBe(true);
    expect(matches('\\u{1F600}', 'x😀')).toBe(true);
    expect(matches('\\\\u00e9', '\\u00e9')).toBe(true);
  });

  it('reports every match as UTF-16 offsets, skipping empty ones', () => {
    const s = '😀 a1 b22 c333';
    const spans: [number, number][] = [];
    compileGoRegExp('\\d+|x*').forEachMatch(s, (a, b) => spans.push([a, b]));
    expect(spans.map(([a, b]) => s.slice(a, b))).toEqual(['1', '22', '333']);
    expect(spans[0]).toEqual([4, 5]);
  });

  it('gives "" for a named group that took no part, as Go does, and undefined without a match', () => {
    const re = compileGoRegExp('^(?P<a>x)|(?P<b>y)$');
    expect(re.namedGroups('y')).toEqual({ a: '', b: 'y' });
    expect(re.namedGroups('z')).toBeUndefined();
    expect(re.groupNames).toEqual(['a', 'b']);
  });

  it('refuses backreferences, lookaround, atomic groups and possessive repeats, saying why', () => {
    expect(error('(a)\\1')).toMatch(/backreferences .* not supported: patterns are RE2, matched in linear time/);
    expect(error('(?<n>a)\\k<n>')).toMatch(/named backreferences .* not supported/);
    expect(error('a(?=b)')).toMatch(/lookahead .* not supported/);
    expect(error('a(?!b)')).toMatch(/negative lookahead .* not supported/);
    expect(error('(?<=a)b')).toMatch(/lookbehind .* not supported/);
    expect(error('(?<!a)b')).toMatch(/negative lookbehind .* not supported/);
    expect(error('(?>a+)b')).toMatch(/atomic groups .* not supported/);
    expect(error('a*+')).toMatch(/invalid nested repetition operator/);
    // Inside a class these characters are only characters.
    expect(error('[(?=]\\d')).toBeUndefined();
    expect(error('\\012')).toBeUndefined(); // an octal escape, as in Go
  });

  it('never echoes the pattern in an error (it may hold an expanded secret), only where the problem is', () => {
    const secret = 'hunter2-very-secret';
    for (const p of [`(${secret}`, `${secret}[`, `${secret}\\q`, `${secret}(?=x)`, `x{2,1}${secret}`]) {
      const msg = error(p);
      expect(msg, p).toBeDefined();
      expect(msg, p).not.toContain('hunter2');
      expect(msg, p).toMatch(/character \d+/);
    }
  });

  it('anyOf tests several patterns in one search, each keeping its own flags', () => {
    const any = anyOf(['(?i)secret', 'xyz$', '\\Ak'].map(compileGoRegExp));
    expect(any.test('a SECRET')).toBe(true);
    expect(any.test('a XYZ')).toBe(false);
    expect(any.test('.xyz')).toBe(true);
    expect(any.test('kx')).toBe(true);
    expect(any.test('xk')).toBe(false);
    // The same group name twice cannot be one pattern: each is tested in turn.
    const dup = anyOf(['(?P<n>a)b', '(?P<n>c)d'].map(compileGoRegExp));
    expect([dup.test('cd'), dup.test('ab'), dup.test('ad')]).toEqual([true, true, false]);
  });

  it('as a config value: a compiled pattern, or an issue naming the problem; the source spec keeps the string', () => {
    const is: ConfigIssue[] = [];
    expect(goRegExp().parse('a+', ['p'], is)?.test('caa')).toBe(true);
    expect(goRegExp().parse('', ['q'], is)).toBeUndefined();
    expect(goRegExp().parse('(', ['r'], is)).toBeUndefined();
    expect(goRegExpSource().parse('a|b', ['s'], is)).toBe('a|b');
    expect(goRegExpSource().parse('a(?=b)', ['t'], is)).toBeUndefined();
    expect(is.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'q: must be a non-empty regular expression string',
      'r: is not a valid regular expression: missing closing ) (at character 1)',
      't: is not a valid regular expression: lookahead (?=…) is not supported: patterns are RE2, matched in linear time (at character 2)',
    ]);
  });
});
