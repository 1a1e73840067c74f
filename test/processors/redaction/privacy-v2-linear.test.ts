// Issue #12 with issue #11's rule: every detector the privacy profile v2 adds
// (processors/redaction/text-secrets.ts and the extended matchers of
// detectors.ts) takes time linear in the value. Same method as
// linear-time.test.ts: a hostile unit repeated to 16 KiB, 128 KiB and 1 MiB;
// 8× the size must cost under 32× the time (quadratic growth gives 64×).
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GrowthRunner, expectLinear } from '../../matching/linear.js';
import { redactor } from './helpers.js';

const SUBJECTS = fileURLToPath(new URL('./subjects.ts', import.meta.url));
const runner = new GrowthRunner();
afterAll(() => runner.close());

const SHAPES: [detector: string, unit: string][] = [
  // URL user:password@ (the authority is read at most 512 characters past ://).
  ['url credentials', '://'],
  ['url credentials', 'a://u:p'],
  ['url credentials', 'x://:@'],
  ['url credentials', 'postgres://app:pw@db/x '],
  // Cookie and Authorization header values.
  ['cookie', 'Cookie: a'],
  ['cookie', 'Cookie: a=b; '],
  ['cookie', 'Set-Cookie: '],
  ['cookie', 'Cookie: x '],
  ['cookie', 'cookie:'],
  ['authorization', 'Authorization: Digest '],
  ['authorization', 'Authorization: x'],
  // Serialised names: Ruby / PHP arrows, XML elements and attributes, escaped JSON.
  ['serialised', '=>'],
  ['serialised', '"password"=>"'],
  ['serialised', '[password] =>string('],
  ['serialised', '[password] =>string(1) '],
  ['serialised', '<password>'],
  ['serialised', '<password>x'],
  ['serialised', ' value="'],
  ['serialised', "key='api_key' value='x"],
  ['serialised', '\\"password\\":\\"'],
  ['serialised', `${'x'.repeat(70)}=>`],
  // SQL passwords and command-line flags.
  ['sql', "PASSWORD '"],
  ['sql', "IDENTIFIED BY 'x' "],
  ['sql', 'password('],
  ['cli', ' --password'],
  ['cli', ' --api-key "'],
  ['cli', ' -p'],
  ['cli', 'mysql -px '],
  ['cli', 'redis-cli -a '],
  ['cli', 'curl -u a:b '],
  ['cli', 'curl -u ab '],
  ['cli', 'curl -u a'],
  // JSON content values inside text.
  ['content', '"prompt":['],
  ['content', '"messages":{"a":"'],
  ['content', '"prompt":"'],
  // Key shapes.
  ['key shape', ':AA'],
  ['key shape', '123456789:AA'],
  ['key shape', 'hooks.slack.com/services/'],
  ['key shape', 'MAAAAAAAAAAAAAAAAAAAAAAAA.'],
  ['key shape', 'MAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAA.'],
  ['key shape', 'SK0'],
  ['key shape', 'pypi-AgEIcHlwaS5vcmc'],
  ['private key', '-----BEGIN PRIVATE KEY-----AAAA'],
  ['private key', '-----BEGIN PGP PRIVATE KEY BLOCK-----\\n'],
  // Cards and emails in the new forms.
  ['card', '4111\u00a0'],
  ['card', '4111.'],
  ['card', '4111  '],
  ['card', 'PAN4111111111111111 '],
  ['email', '%40'],
  ['email', 'a%40b.'],
  ['email', 'a@b.xn--'],
];

describe('redaction v2 – time linear in the value, for every new detector', () => {
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

  for (const unit of [
    'DE22 ',
    'DE228927702279584965 ',
    'GB71 BARC ',
    '536-22-',
    '536-22-8471-',
    '+4',
    '+44 20 ',
    '+1-2.3 ',
    '1.2.3.',
    '192.0.2.44.',
    '2001:db8::',
    '::',
    'a:',
    '0:0:0:0:0:0:0:0:',
  ]) {
    it(`pii profile: ${JSON.stringify(unit)} repeated to 1 MiB`, async () => {
      await expectLinear(
        runner,
        `pii ${JSON.stringify(unit)}`,
        { module: SUBJECTS, export: 'redactValue', args: [{ profiles: ['secrets', 'pii'] }] },
        { unit },
      );
    }, 120_000);
  }

  it('map keys are scanned in time linear in the key', async () => {
    await expectLinear(runner, 'map key "a@b.io "', { module: SUBJECTS, export: 'redactKey' }, { unit: 'a@b.io ' });
  }, 120_000);

  it('still finds what it should in such values', () => {
    const r = redactor();
    expect(r.redactValue('Cookie: a=b; c=d\nx ://://postgres://u:pw@db/x')).toBe(
      'Cookie: a=****; c=****\nx ://://postgres://u:****@db/x',
    );
  });
});
