// Checks on the corpus labels themselves (not on the redaction processor): a
// wrong label would make the quality figures meaningless.
import { leakWindow } from '../../../../bench/redaction-quality.js';
import type { Case, Value } from './model.js';

/** Every string in a value, map keys included. */
export function valueStrings(v: Value, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
  else if (Array.isArray(v)) for (const x of v) valueStrings(x, out);
  else
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      valueStrings(x, out);
    }
  return out;
}

export function luhn(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/**
 * Every run of 13–19 digits a card detector could take from `text`: digit groups
 * joined by up to two separators (space, dash, dot, no-break spaces), any
 * contiguous window of groups.
 */
export function cardCandidates(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\d+(?:[ .\-\u00a0\u202f]{1,2}\d+)*/g)) {
    const groups = m[0].split(/[ .\-\u00a0\u202f]+/);
    for (let a = 0; a < groups.length; a++) {
      let digits = '';
      for (let b = a; b < groups.length; b++) {
        digits += groups[b];
        if (digits.length > 19) break;
        if (digits.length >= 13) out.push(digits);
      }
    }
  }
  return out;
}

/** Problems with the labels of `cases`; empty when they are consistent. */
export function labelProblems(cases: readonly Case[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) problems.push(`${c.id}: duplicate id`);
    ids.add(c.id);
    const text = valueStrings(c.value);
    const all = text.join('\u0000');
    if ((c.place === 'map.key' || c.place === 'event.name' || c.place === 'bytes') && typeof c.value !== 'string') {
      problems.push(`${c.id}: ${c.place} needs a string value`);
    }
    if (c.lookAlike && (c.secrets.length > 0 || c.keep.length > 0))
      problems.push(`${c.id}: a look-alike has secrets or keep`);
    if (!c.lookAlike && c.secrets.length === 0) problems.push(`${c.id}: a secret case without secrets`);
    for (const s of c.secrets) {
      if (!all.includes(s)) problems.push(`${c.id}: secret ${JSON.stringify(s)} is not in the value`);
      const w = leakWindow(s.length);
      for (const k of c.keep) {
        for (let i = 0; i + w <= s.length; i++) {
          if (k.includes(s.slice(i, i + w))) {
            problems.push(`${c.id}: keep ${JSON.stringify(k)} holds part of secret ${JSON.stringify(s)}`);
            break;
          }
        }
      }
    }
    for (const k of c.keep)
      if (!all.includes(k)) problems.push(`${c.id}: keep ${JSON.stringify(k)} is not in the value`);
  }
  return problems;
}
