// Filter patterns (OTTL IsMatch and the legacy regexp match lists) are RE2:
// matching takes time linear in the value whatever the pattern. Each case runs
// the processor on one record whose body or attribute grows from 128 KiB to
// 1 MiB; 8× the size must take under 32× the time. On 84bff8d they were V8
// regexes: `a+$` on a run of `a` then `b` is quadratic, `(a+)+$` exponential.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import { GrowthRunner, KiB, MiB, expectLinear, type Shape } from '../../matching/linear.js';

const SUBJECTS = fileURLToPath(new URL('../pattern-subjects.ts', import.meta.url));
const runner = new GrowthRunner();
afterAll(() => runner.close());

// Both sizes above re2js's bit-state backtracker limit, so that both run in its NFA.
const SIZES = [128 * KiB, MiB];

describe('filter – patterns match in time linear in the value', () => {
  const cases: [string, unknown, 'body' | 'value', Shape][] = [
    // First a pattern that is only quadratic when backtracking, so that old code fails in seconds.
    ['IsMatch(body, "a+$")', { logs: { log_record: ['IsMatch(body, "a+$")'] } }, 'body', { unit: 'a', suffix: 'b' }],
    [
      'IsMatch(body, "(a+)+$")',
      { logs: { log_record: ['IsMatch(body, "(a+)+$")'] } },
      'body',
      { unit: 'a', suffix: '!' },
    ],
    [
      'IsMatch(attributes["v"], "(a|aa)*b")',
      { logs: { log_record: ['IsMatch(attributes["v"], "(a|aa)*b")'] } },
      'value',
      { unit: 'a' },
    ],
    [
      'log_conditions IsMatch(log.body, "^(\\\\w+\\\\s?)*$")',
      { log_conditions: ['IsMatch(log.body, "^(\\\\w+\\\\s?)*$")'] },
      'body',
      { unit: 'ab ', suffix: '!' },
    ],
    [
      'legacy include bodies (x+x+)+y',
      { logs: { include: { match_type: 'regexp', bodies: ['(x+x+)+y'] } } },
      'body',
      { unit: 'x' },
    ],
    [
      'legacy exclude record_attributes (a|a)*c',
      { logs: { exclude: { match_type: 'regexp', record_attributes: [{ key: 'v', value: '(a|a)*c' }] } } },
      'value',
      { unit: 'a' },
    ],
  ];
  it(
    cases.map((c) => c[0]).join('; '),
    async () => {
      for (const [name, config, where, shape] of cases) {
        await expectLinear(runner, name, { module: SUBJECTS, export: 'filter', args: [config, where] }, shape, SIZES);
      }
    },
    300_000,
  );
});
