// Every detector of the privacy profile, and every user pattern of the
// redaction processor, takes time linear in the value it scans. Each shape is a
// hostile value (a unit repeated to 16 KiB, 128 KiB and 1 MiB) built from what a
// detector's start or continuation accepts; the time for 8× the size must stay
// under 32× (quadratic growth gives 64×). On 84bff8d `eyJxxxx-` took 10 s at
// 128 KiB, `-----BEGIN PRIVATE KEY----- ` and `x@x ` were quadratic too.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GrowthRunner, KiB, MiB, expectLinear } from '../../matching/linear.js';
import { redactor } from './helpers.js';

const SUBJECTS = fileURLToPath(new URL('./subjects.ts', import.meta.url));
const runner = new GrowthRunner();
afterAll(() => runner.close());

/** Hostile values for each detector of the default privacy profile. */
const SHAPES: [detector: string, unit: string][] = [
  // JWT: eyJ + base64url runs; the class includes '-' and '_', so every eyJ after one of them is a start.
  ['jwt', 'eyJxxxx-'],
  ['jwt', '-eyJ'],
  ['jwt', '_eyJ'],
  ['jwt', 'eyJaaaa.a-'],
  ['jwt', 'eyJaaaa.eyJbbbb-'],
  ['jwt', 'eyJaaaa.eyJbbbb.'],
  ['jwt', ' eyJ'],
  // PEM private keys: BEGIN lines with no END, END lines with no valid label.
  ['pem', '-----BEGIN PRIVATE KEY----- '],
  ['pem', '-----BEGIN RSA PRIVATE KEY-----\nMIIE-----END\n'],
  ['pem', '-----BEGIN PRIVATE KEY-----x-----END PUBLIC KEY-----'],
  ['pem', '-----BEGIN '],
  ['pem', ' -----BEGIN'],
  ['pem', '-'],
  // API keys: each known prefix, repeated and cut short.
  ['api key', 'sk-'],
  ['api key', 'sk-aaaaaaaaaaaaaaaaaaa '],
  ['api key', 'sk_live_'],
  ['api key', 'whsec_'],
  ['api key', 'AKIAAKIA-'],
  ['api key', 'ghp_'],
  ['api key', 'github_pat_'],
  ['api key', 'glpat-'],
  ['api key', 'xoxb-'],
  ['api key', 'AIza-'],
  ['api key', 'hf_'],
  ['api key', 'npm_'],
  ['api key', 'SG.'],
  ['api key', 'SG.aaaaaaaaaaaaaaaaaaaa.'],
  ['api key', 'SG.aaaaaaaaaaaaaaaaaaaa.b '],
  // Bearer / Basic credentials.
  ['credentials', 'bearer '],
  ['credentials', 'Bearer \t'],
  ['credentials', 'basic '],
  ['credentials', 'Bearer q8Zr4TnV2mXw9LpK7sYd '],
  ['credentials', 'Basic dXNlcjpwYXNzd29yZA== '],
  // name=value pairs.
  ['key=value', 'password='],
  ['key=value', 'password: "'],
  ['key=value', 'token='],
  ['key=value', 'a='],
  ['key=value', ' ='],
  ['key=value', `${'x'.repeat(70)}:`],
  ['key=value', 'api_key: bearer '],
  // Emails: '@' with local and domain characters around it.
  ['email', 'x@x '],
  ['email', 'a@b.'],
  ['email', 'a@'],
  ['email', '@'],
  ['email', '.@'],
  ['email', 'a@b.io '],
  // Card numbers: digit groups and separators.
  ['card', '4111 '],
  ['card', '1-'],
  ['card', '4111111111111111 '],
  ['card', '4111 1111 1111 1111 2024 '],
  ['card', '1.'],
  // Several detectors at once: interleaved finds (sorting and masking many ranges).
  ['mixed', 'sk-aaaaaaaaaaaaaaaaaaaaaaaa a@b.io '],
  ['mixed', 'a@b.io 4111111111111111 eyJhbGciOi.eyJzdWIi.sig password=x Bearer q8Zr4TnV2mXw9LpK7sYd '],
];

describe('redaction – time linear in the value, for every detector', () => {
  for (const [detector, unit] of SHAPES) {
    it(`${detector}: ${JSON.stringify(unit)} repeated to 1 MiB`, async () => {
      await expectLinear(
        runner,
        `${detector} ${JSON.stringify(unit)}`,
        { module: SUBJECTS, export: 'redactValue' },
        { unit },
      );
    }, 120_000);
  }

  it('still finds what it should in those values', () => {
    const r = redactor();
    expect(r.redactValue('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln eyJxxxx-eyJxxxx-')).toBe('**** eyJxxxx-eyJxxxx-');
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----';
    expect(r.redactValue(`-----BEGIN PRIVATE KEY----- -----BEGIN PRIVATE KEY----- ${pem}`)).toBe('****');
    expect(r.redactValue(`-----BEGIN RSA PRIVATE KEY-----x-----END PUBLIC KEY----- ${pem} after`)).toBe('**** after');
    expect(r.redactValue('x@x a@b.io x@x')).toBe('x@x **** x@x');
  });

  for (const unit of ['a.', 'aA', '_', 'prompt.', 'x-Api-', 'content.0.', 'a']) {
    it(`keys: ${JSON.stringify(unit)} repeated to a 1 MiB key name, with key patterns`, async () => {
      await expectLinear(
        runner,
        `key ${JSON.stringify(unit)}`,
        {
          module: SUBJECTS,
          export: 'redactKey',
          args: [{ blocked_key_patterns: ['(a+)+$'], ignored_key_patterns: ['^(a|aa)*b'] }],
        },
        { unit, suffix: '!' },
      );
    }, 120_000);
  }
});

// User patterns run in re2js, which backtracks (in linear time, with a bitmap)
// under 262,144 / program-size characters and simulates the NFA above: the
// ladder starts at 128 KiB so that both sizes run in the same engine.
const BIG = [128 * KiB, MiB];

describe('redaction – user patterns are RE2: linear in the value whatever the pattern', () => {
  const cases: [string, Record<string, unknown>, { unit: string; suffix?: string }][] = [
    ['blocked_values a+$ (quadratic when backtracking)', { blocked_values: ['a+$'] }, { unit: 'a', suffix: 'b' }],
    ['blocked_values (a+)+$', { blocked_values: ['(a+)+$'] }, { unit: 'a', suffix: '!' }],
    ['blocked_values (a|aa)*b', { blocked_values: ['(a|aa)*b'] }, { unit: 'a' }],
    ['blocked_values (x+x+)+y', { blocked_values: ['(x+x+)+y'] }, { unit: 'x' }],
    ['blocked_values \\d+-\\d+$ on digits', { blocked_values: ['\\d+-\\d+$'] }, { unit: '1-' }],
    ['blocked_values with many matches', { blocked_values: ['a'] }, { unit: 'ab' }],
    ['allowed_values (a|a)*c over many emails', { allowed_values: ['(a|a)*c', '[a-z]@b\\.io'] }, { unit: 'a@b.io ' }],
    [
      'blocked and allowed values, many of each',
      { blocked_values: ['x'], allowed_values: ['x(y|y)*'] },
      { unit: 'xyz ' },
    ],
  ];
  // One test, in this order: on backtracking code the first (quadratic) case fails in seconds;
  // the exponential ones after it would never end.
  it(
    cases.map((c) => c[0]).join('; '),
    async () => {
      for (const [name, options, shape] of cases) {
        await expectLinear(runner, name, { module: SUBJECTS, export: 'redactValue', args: [options] }, shape, BIG);
      }
    },
    240_000,
  );
});
