// Attributes patterns (`pattern` of delete / hash / extract, and regexp
// include / exclude) are RE2: matching takes time linear in the value or key
// whatever the pattern. 8× the size (128 KiB → 1 MiB) must take under 32× the
// time. On 84bff8d they were V8 regexes: `a+$` on a run of `a` then `b` is
// quadratic, `(a+)+$` exponential.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import { GrowthRunner, KiB, MiB, expectLinear, type Shape } from '../../matching/linear.js';

const SUBJECTS = fileURLToPath(new URL('../pattern-subjects.ts', import.meta.url));
const runner = new GrowthRunner();
afterAll(() => runner.close());

// Both sizes above re2js's bit-state backtracker limit, so that both run in its NFA.
const SIZES = [128 * KiB, MiB];

describe('attributes – patterns match in time linear in the value or key', () => {
  const cases: [string, unknown, 'body' | 'value' | 'key', Shape][] = [
    // First a pattern that is only quadratic when backtracking, so that old code fails in seconds.
    [
      'extract a+$ from a value',
      { actions: [{ key: 'v', action: 'extract', pattern: '(?P<x>a+)$' }] },
      'value',
      { unit: 'a', suffix: 'b' },
    ],
    [
      'extract (?P<x>(a+)+)$ from a value',
      { actions: [{ key: 'v', action: 'extract', pattern: '(?P<x>(a+)+)$' }] },
      'value',
      { unit: 'a', suffix: '!' },
    ],
    ['delete keys matching (a|aa)*b', { actions: [{ action: 'delete', pattern: '(a|aa)*b' }] }, 'key', { unit: 'a' }],
    [
      'hash keys matching ^(a+)+$',
      { actions: [{ action: 'hash', pattern: '^(a+)+$' }] },
      'key',
      { unit: 'a', suffix: '!' },
    ],
    [
      'include attributes (x+x+)+y',
      {
        include: { match_type: 'regexp', attributes: [{ key: 'v', value: '(x+x+)+y' }] },
        actions: [{ key: 'seen', value: true, action: 'insert' }],
      },
      'value',
      { unit: 'x' },
    ],
    [
      'exclude log_bodies (a|a)*c',
      {
        exclude: { match_type: 'regexp', log_bodies: ['(a|a)*c'] },
        actions: [{ key: 'seen', value: true, action: 'insert' }],
      },
      'body',
      { unit: 'a' },
    ],
  ];
  it(
    cases.map((c) => c[0]).join('; '),
    async () => {
      for (const [name, config, where, shape] of cases) {
        await expectLinear(
          runner,
          name,
          { module: SUBJECTS, export: 'attributes', args: [config, where] },
          shape,
          SIZES,
        );
      }
    },
    300_000,
  );
});
