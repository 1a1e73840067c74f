// `GET /logs/path?pattern=` globs: the same answers as the regex they replace,
// in time linear in the route (and in the pattern). On 84bff8d a pattern of 40
// `*` then `Z` turned into `^.*.*…Z$` and froze the collector.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compileGlob } from '../../../exporters/redis/queries.js';
import { GrowthRunner, KiB, MiB, expectLinear } from '../../matching/linear.js';

const SUBJECTS = fileURLToPath(new URL('./glob-subjects.ts', import.meta.url));
const runner = new GrowthRunner();
afterAll(() => runner.close());

/** The regex the glob replaced, as a reference on inputs small enough for it. */
function reference(glob: string): RegExp {
  let re = '^';
  for (const ch of glob) re += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${re}$`, 's');
}

describe('redis query globs', () => {
  it('match as `*` = any run (slashes included) and `?` = one character, everything else literal', () => {
    const cases: [string, string, boolean][] = [
      ['/api/users/*', '/api/users/42', true],
      ['/api/users/*', '/api/users/42/orders', true],
      ['/api/users/*', '/api/user', false],
      ['/api/*/orders', '/api/users/42/orders', true],
      ['/api/?', '/api/x', true],
      ['/api/?', '/api/xy', false],
      ['*', '', true],
      ['', '', true],
      ['', '/', false],
      ['/a.b', '/aXb', false],
      ['/a.b', '/a.b', true],
      ['/(x)+[y]', '/(x)+[y]', true],
      ['*a*a*', 'aa', true],
      ['*a*a*', 'a', false],
      ['a*a', 'a', false],
      ['**Z', 'abcZ', true],
    ];
    for (const [glob, route, want] of cases) expect(compileGlob(glob).test(route), `${glob} ~ ${route}`).toBe(want);
  });

  it('give the same answer as the regex they replace, on 20,000 small random cases', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = (alphabet: string, max: number) =>
      Array.from({ length: rnd(max + 1) }, () => alphabet[rnd(alphabet.length)]).join('');
    for (let i = 0; i < 20_000; i++) {
      const glob = pick('ab/*?.', 7);
      const route = pick('ab/.', 9);
      expect(compileGlob(glob).test(route), `${glob} ~ ${route}`).toBe(reference(glob).test(route));
    }
  });
});

describe('redis query globs – time linear in the route and in the pattern', () => {
  // In this order: on 84bff8d the first case already stops at the watchdog.
  it('40 stars then Z, and other star-heavy globs, against routes up to 1 MiB', async () => {
    const cases: [string, { unit: string; suffix?: string }][] = [
      ['*'.repeat(40) + 'Z', { unit: 'a' }], // the query; answered from the last piece alone
      ['*'.repeat(40) + 'Y*Z', { unit: 'a', suffix: 'Z' }],
      ['*a*a*a*a*b', { unit: 'a', suffix: 'b' }],
      ['*Y*Z', { unit: '/api/x', suffix: 'Z' }],
      ['/api/*/x?y*?z', { unit: '/api/x', suffix: 'z' }],
      ['*' + 'a?'.repeat(50) + 'b*', { unit: 'a' }],
    ];
    for (const [glob, shape] of cases) {
      await expectLinear(
        runner,
        `glob ${JSON.stringify(glob)} on ${JSON.stringify(shape)}`,
        { module: SUBJECTS, export: 'routeAgainst', args: [glob] },
        shape,
      );
    }
  }, 240_000);

  it('patterns of up to 1 MiB of `*a`, `*`, `?` against a long route', async () => {
    const route = 'a'.repeat(2 * MiB);
    for (const unit of ['*a', '*', '?*', '*?a']) {
      await expectLinear(
        runner,
        `pattern ${JSON.stringify(unit)}`,
        { module: SUBJECTS, export: 'globAgainst', args: [route] },
        { unit, suffix: 'Z' },
        [16 * KiB, 128 * KiB, MiB],
      );
    }
  }, 240_000);
});
