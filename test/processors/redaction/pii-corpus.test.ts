// Issue #12 item 2 and 4: the opt-in `pii` profile (`profiles: [secrets, pii]`)
// against ./corpus/pii.ts — IBANs with a valid checksum, US SSNs by the SSA
// rules, international phone numbers, IPs in free text (never client.address).
// The label checks always run. The scoring skips, with the config's own
// message, while the redaction config refuses `profiles` (found by parsing the
// config, see PII_PROFILE_CANDIDATES); it runs as soon as either shape is accepted.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PII_PROFILE_CANDIDATES,
  configProblems,
  piiCorpus,
  piiProfileOptions,
  scoreCases,
  show,
  type CaseResult,
  type QualityReport,
} from '../../../bench/redaction-quality.js';
import { labelProblems, valueStrings } from './corpus/checks.js';
import { CATEGORIES, type Category } from './corpus/model.js';

const cases = piiCorpus();
const PII_CATEGORIES: Category[] = ['iban', 'national_id', 'phone', 'ip_address'];
const options = piiProfileOptions();
const SKIP_NOTE =
  options === undefined
    ? `the redaction config does not accept \`profiles: [secrets, pii]\` yet: ${configProblems(PII_PROFILE_CANDIDATES[0]!)[0] ?? 'refused'}`
    : '';

function ibanValid(s: string): boolean {
  const compact = s.replace(/\s/g, '').toUpperCase();
  const moved = compact.slice(4) + compact.slice(0, 4);
  let r = 0;
  for (const ch of moved) {
    const n = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of n) r = (r * 10 + Number(d)) % 97;
  }
  return r === 1;
}

function ssnValid(s: string): boolean {
  const m = /^(\d{3})[- ](\d{2})[- ](\d{4})$/.exec(s);
  if (!m) return false;
  const area = Number(m[1]);
  return area !== 0 && area !== 666 && area < 900 && m[2] !== '00' && m[3] !== '0000';
}

describe('redaction corpus – pii labels', () => {
  it('labels are consistent', () => {
    expect(labelProblems(cases)).toEqual([]);
    for (const cat of PII_CATEGORIES)
      expect(cases.filter((c) => c.category === cat && !c.lookAlike).length, cat).toBeGreaterThanOrEqual(8);
  });

  it('planted IBANs pass the ISO 13616 check and IBAN look-alikes fail it; SSNs follow the SSA rules and their look-alikes break one', () => {
    for (const c of cases.filter((x) => x.category === 'iban')) {
      if (c.lookAlike) {
        for (const s of valueStrings(c.value)) {
          for (const m of s.matchAll(/[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?/g))
            expect(ibanValid(m[0]), `${c.id} ${m[0]}`).toBe(false);
        }
      } else for (const s of c.secrets) expect(ibanValid(s), `${c.id} ${s}`).toBe(true);
    }
    for (const c of cases.filter((x) => x.category === 'national_id')) {
      if (c.lookAlike) {
        for (const s of valueStrings(c.value)) {
          for (const m of s.matchAll(/\d{3}[- ]\d{2}[- ]\d{4}/g)) expect(ssnValid(m[0]), `${c.id} ${m[0]}`).toBe(false);
        }
      } else for (const s of c.secrets) expect(ssnValid(s), `${c.id} ${s}`).toBe(true);
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

describe(`redaction corpus – pii profile (profiles: [secrets, pii]): recall 100%, zero over-redactions${options === undefined ? ' — skipped until the redaction config accepts profiles: [secrets, pii]' : ''}`, () => {
  let report: QualityReport | undefined;
  beforeAll(async () => {
    if (options !== undefined) report = await scoreCases(cases, options, 'pii profile');
  });

  for (const cat of PII_CATEGORIES) {
    it(`${cat} (${CATEGORIES[cat].title})`, (ctx) => {
      ctx.skip(options === undefined, SKIP_NOTE);
      const misses = report!.misses.filter((r) => r.case.category === cat).map(line);
      const overRedactions = report!.overRedactions.filter((r) => r.case.category === cat).map(line);
      expect({ misses, overRedactions }).toEqual({ misses: [], overRedactions: [] });
    });
  }
});
