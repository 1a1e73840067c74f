// Issue #12 item 4: the default privacy profile (`redaction: {}`) against the
// labelled corpus in ./corpus/ — recall 100% and zero over-redactions, per
// category. The figures and every miss: `npm run bench -- quality`.
// This is the target for the implementation of issue #12; until it lands,
// the categories the issue lists fail here (see the commit message).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  defaultCorpus,
  scoreCases,
  show,
  type CaseResult,
  type QualityReport,
} from '../../../bench/redaction-quality.js';
import { cardCandidates, labelProblems, luhn, valueStrings } from './corpus/checks.js';
import { CATEGORIES, PLACES, type Category } from './corpus/model.js';

const cases = defaultCorpus();
const secretCases = cases.filter((c) => !c.lookAlike);
const lookAlikes = cases.filter((c) => c.lookAlike);
const DEFAULT_CATEGORIES = (Object.keys(CATEGORIES) as Category[]).filter(
  (c) => !['iban', 'national_id', 'phone', 'ip_address'].includes(c),
);

describe('redaction corpus – labels', () => {
  it('holds at least 300 planted secrets and 150 look-alikes', () => {
    expect(secretCases.length).toBeGreaterThanOrEqual(300);
    expect(lookAlikes.length).toBeGreaterThanOrEqual(150);
  });

  it('has secrets of every category in the issue, and secrets and look-alikes in every place', () => {
    for (const cat of DEFAULT_CATEGORIES)
      expect(secretCases.filter((c) => c.category === cat).length, cat).toBeGreaterThanOrEqual(8);
    for (const place of PLACES) {
      expect(secretCases.filter((c) => c.place === place).length, place).toBeGreaterThanOrEqual(7);
      expect(lookAlikes.filter((c) => c.place === place).length, place).toBeGreaterThanOrEqual(1);
    }
    // The kinds already promised are planted in the places issue #12 adds, too.
    for (const place of ['scope', 'event.name', 'bytes', 'map.key'] as const) {
      const promised = secretCases.filter((c) => c.place === place && CATEGORIES[c.category].promised);
      expect(promised.length, place).toBeGreaterThanOrEqual(3);
    }
  });

  it('has every shape the issue names', () => {
    const text = cases.map((c) => `key=${c.key}\u0000${valueStrings(c.value).join('\u0000')}`).join('\n');
    const shapes = [
      'postgres://',
      'mongodb://',
      'amqp://',
      'Digest username=',
      'Authorization: Token ',
      'Authorization: Bot ',
      'Signature=',
      'Cookie: ',
      '\\"password\\":',
      '"password"=>',
      '[password] =>',
      '<password>',
      "PASSWORD '",
      'IDENTIFIED BY',
      'mysqldump -u root -p',
      'SMTP_PASS=',
      'SECRET_KEY_BASE=',
      'APP_KEY=',
      'ENCRYPTION_KEY=',
      '--api-key ',
      '--password=',
      'password1',
      'api_key_2',
      'access_token_old',
      'key=pass\u0000',
      'key=auth\u0000',
      'db.password.value',
      'AccountKey=',
      '&sig=',
      'hooks.slack.com/services/',
      'xapp-',
      'pypi-AgEIcHlwaS5vcmc',
      'SKa6dd',
      'HRKU-',
      'dop_v1_',
      'discord bot',
      'api.telegram.org/bot',
      'BEGIN PGP PRIVATE KEY BLOCK',
      'BEGIN RSA PRIVATE KEY-----\nFsQ',
      '\u00a0',
      '  6573  ',
      '4026.9395',
      'PAN4290',
      'Mir card',
      'rupay',
      'troy',
      '%40',
      '.xn--',
      'http.request.body',
      '"prompt":',
      '"messages":',
      'arguments',
      'chat_history',
      'llm.prompt_template.variables',
      'llm.token_count.prompt',
      'password reset requested',
      'PWD=/srv/app',
      'password_changed_at',
      '-----BEGIN PGP',
      'eyJ',
      'Bearer ',
      'Basic ',
    ];
    for (const s of shapes) expect(text.includes(s), JSON.stringify(s)).toBe(true);
  });

  it('labels are consistent: unique ids, secrets and keep fragments found in the value, keep fragments hold no part of a secret', () => {
    expect(labelProblems(cases)).toEqual([]);
  });

  it('planted card numbers pass the Luhn check and look-alike numbers fail it', () => {
    for (const c of secretCases.filter((x) => x.category === 'card' || x.category === 'card_format')) {
      for (const s of c.secrets) expect(luhn(s.replace(/\D/g, '')), `${c.id} ${s}`).toBe(true);
    }
    for (const c of lookAlikes) {
      for (const s of valueStrings(c.value)) {
        for (const digits of cardCandidates(s))
          expect(luhn(digits), `${c.id}: ${digits} in ${JSON.stringify(s)}`).toBe(false);
      }
    }
  });
});

function line(r: CaseResult): string {
  const what = r.case.lookAlike
    ? r.lost.join('; ')
    : r.leaked !== undefined
      ? `leaked ${show(r.leaked, 40)}`
      : r.lost.join('; ');
  return `${r.case.id} [${r.case.kind}]: ${what} → ${r.after}`;
}

describe('redaction corpus – default profile (issue #12): recall 100%, zero over-redactions', () => {
  let report: QualityReport;
  beforeAll(async () => {
    report = await scoreCases(cases, {}, 'default profile');
  });

  for (const cat of DEFAULT_CATEGORIES) {
    it(`${cat} (${CATEGORIES[cat].title}): every secret masked, every look-alike and kept fragment intact`, () => {
      const misses = report.misses.filter((r) => r.case.category === cat).map(line);
      const overRedactions = report.overRedactions.filter((r) => r.case.category === cat).map(line);
      expect({ misses, overRedactions }).toEqual({ misses: [], overRedactions: [] });
    });
  }

  it('overall', () => {
    expect({
      recall: `${report.total.caught}/${report.total.secrets}`,
      overRedactions: report.overRedactions.length,
    }).toEqual({ recall: `${report.total.secrets}/${report.total.secrets}`, overRedactions: 0 });
  });
});
