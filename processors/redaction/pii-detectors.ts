// The opt-in `pii` profile (`profiles: [secrets, pii]`, issue #12 item 2):
// personal data the default profile does not promise. Each finder is one
// forward pass; a candidate reads a bounded number of characters from a word
// start (an IBAN at most 34 characters and its group spaces, a phone number 15
// digits and their separators), so the time is linear in the value.
import type { Spans } from './spans.js';

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number) => isDigit(c) || isAlpha(c);
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** IBAN length by country (ISO 13616 registry). */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};

/** ISO 13616 mod-97 check over the compact IBAN at positions pos[0..len). */
function ibanChecksumOk(s: string, pos: Int32Array, len: number): boolean {
  let r = 0;
  for (let k = 0; k < len; k++) {
    const c = s.charCodeAt(pos[(k + 4) % len]!) | 0;
    if (isDigit(c)) r = (r * 10 + (c - 48)) % 97;
    else r = (r * 100 + ((c | 32) - 97 + 10)) % 97;
  }
  return r === 1;
}

const ibanPos = new Int32Array(40);

/** IBANs with valid check digits, compact or in groups of four separated by single spaces, any case. */
export function findIbans(s: string, out: Spans): void {
  const n = s.length;
  for (let i = 0; i + 4 <= n; i++) {
    const c = s.charCodeAt(i);
    if (!isAlpha(c) || (i > 0 && isAlnum(s.charCodeAt(i - 1)))) continue;
    if (!isAlpha(s.charCodeAt(i + 1)) || !isDigit(s.charCodeAt(i + 2)) || !isDigit(s.charCodeAt(i + 3))) continue;
    const len = IBAN_LENGTHS[s.slice(i, i + 2).toUpperCase()];
    if (len === undefined) continue;
    let j = i;
    let count = 0;
    while (count < len && j < n) {
      const d = s.charCodeAt(j);
      if (isAlnum(d)) {
        ibanPos[count++] = j;
        j++;
      } else if (d === 32 && count > 0 && count % 4 === 0 && j + 1 < n && isAlnum(s.charCodeAt(j + 1))) j++;
      else break;
    }
    if (count === len && !(j < n && isAlnum(s.charCodeAt(j))) && ibanChecksumOk(s, ibanPos, len)) {
      out.push(i, j);
      i = j;
    }
  }
}

/**
 * US Social Security numbers: `123-45-6789` or `123 45 6789` (one separator
 * kind), standing alone, with the SSA rules: area not 000, 666 or 900–999,
 * group not 00, serial not 0000.
 */
export function findSsns(s: string, out: Spans): void {
  const n = s.length;
  for (let i = 0; i + 11 <= n; i++) {
    if (!isDigit(s.charCodeAt(i)) || (i > 0 && (isAlnum(s.charCodeAt(i - 1)) || s.charCodeAt(i - 1) === 45))) continue;
    const sep = s.charCodeAt(i + 3);
    if ((sep !== 45 && sep !== 32) || s.charCodeAt(i + 6) !== sep) {
      while (i + 1 < n && isDigit(s.charCodeAt(i + 1))) i++;
      continue;
    }
    let ok =
      isDigit(s.charCodeAt(i + 1)) &&
      isDigit(s.charCodeAt(i + 2)) &&
      isDigit(s.charCodeAt(i + 4)) &&
      isDigit(s.charCodeAt(i + 5));
    for (let k = 7; ok && k < 11; k++) ok = isDigit(s.charCodeAt(i + k));
    const after = i + 11 < n ? s.charCodeAt(i + 11) : 32;
    if (!ok || isAlnum(after) || ((after === 45 || after === sep) && isDigit(s.charCodeAt(i + 12)))) continue;
    const area = Number(s.slice(i, i + 3));
    const group = s.slice(i + 4, i + 6);
    const serial = s.slice(i + 7, i + 11);
    if (area === 0 || area === 666 || area >= 900 || group === '00' || serial === '0000') continue;
    out.push(i, i + 11);
    i += 10;
  }
}

/**
 * Phone numbers in international form: '+', a country code and digit groups
 * separated by single spaces, dashes or dots, 8–15 digits in all (E.164),
 * standing alone (`latency +200ms`, `N+1`, `1.0.0+build.5` and `+05:30` are not).
 */
export function findPhones(s: string, out: Spans): void {
  const n = s.length;
  let p = s.indexOf('+');
  while (p !== -1) {
    let end = p + 1;
    if ((p === 0 || !isAlnum(s.charCodeAt(p - 1))) && isDigit(s.charCodeAt(p + 1)) && s.charCodeAt(p + 1) !== 48) {
      let j = p + 1;
      let digits = 0;
      let last = j;
      while (j < n && digits <= 15) {
        const c = s.charCodeAt(j);
        if (isDigit(c)) {
          digits++;
          j++;
          last = j;
          continue;
        }
        if ((c === 32 || c === 45 || c === 46) && isDigit(s.charCodeAt(j + 1)) && isDigit(s.charCodeAt(j - 1))) {
          j++;
          continue;
        }
        break;
      }
      end = last;
      if (digits >= 8 && digits <= 15 && !(last < n && isAlpha(s.charCodeAt(last)))) out.push(p, last);
    }
    p = s.indexOf('+', Math.max(end, p + 1));
  }
}

/** Digits of an IPv4 octet at i (1–3 digits, at most 255): its end, or -1. */
function octetEnd(s: string, i: number): number {
  let j = i;
  let v = 0;
  while (j < s.length && j - i < 4 && isDigit(s.charCodeAt(j))) {
    v = v * 10 + s.charCodeAt(j) - 48;
    j++;
  }
  return j === i || j - i > 3 || v > 255 ? -1 : j;
}

/** The end of an IPv4 address starting at `i` that no letter, digit or `.digit` continues; -1 if there is none. */
function ipv4End(s: string, i: number): number {
  let j = i;
  let parts = 0;
  while (parts < 4) {
    const e = octetEnd(s, j);
    if (e < 0) return -1;
    parts++;
    j = e;
    if (parts < 4) {
      if (s.charCodeAt(j) !== 46) return -1;
      j++;
    }
  }
  const after = j < s.length ? s.charCodeAt(j) : 32;
  return !isAlnum(after) && !(after === 46 && isDigit(s.charCodeAt(j + 1))) ? j : -1;
}

/**
 * IPv4 addresses (four octets up to 255, not part of a longer dotted number
 * such as an OID or a version) and IPv6 addresses (eight groups, or fewer with
 * one `::`; a MAC address or a clock time is neither) in free text.
 */
export function findIps(s: string, out: Spans): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    const prev = i > 0 ? s.charCodeAt(i - 1) : 32;
    if (!isHex(c) && c !== 58) {
      i++;
      continue;
    }
    if (isAlnum(prev) || prev === 46 || (prev === 58 && !isDigit(c))) {
      // Inside a word: skip it (a ':' after it is stepped over alone, so `name:192.0.2.1` is still read).
      while (i < n && isAlnum(s.charCodeAt(i))) i++;
      if (i < n && s.charCodeAt(i) === 58) i++;
      continue;
    }
    // IPv4
    if (isDigit(c)) {
      const j = ipv4End(s, i);
      if (j > 0) {
        out.push(i, j);
        i = j;
        continue;
      }
    }
    if (prev === 58) {
      // After a ':' only an IPv4 address is looked for (`login.failed:192.0.2.44`); an IPv6 group would be mid-address.
      while (i < n && isAlnum(s.charCodeAt(i))) i++;
      if (i < n && s.charCodeAt(i) === 58) i++;
      continue;
    }
    // IPv6: a run of hex digits and ':' with the right groups.
    let j = i;
    let groups = 0;
    let doubles = 0;
    let groupLen = 0;
    let bad = false;
    while (j < n) {
      const d = s.charCodeAt(j);
      if (isHex(d)) {
        if (++groupLen > 4) bad = true;
        j++;
        continue;
      }
      if (d === 58) {
        if (groupLen > 0) groups++;
        if (s.charCodeAt(j + 1) === 58) {
          doubles++;
          j += 2;
          groupLen = 0;
          continue;
        }
        if (groupLen === 0 && j > i) bad = true;
        groupLen = 0;
        j++;
        continue;
      }
      break;
    }
    if (groupLen > 0) groups++;
    const after = j < n ? s.charCodeAt(j) : 32;
    const endsOk = !isAlpha(after) && !(groupLen === 0 && doubles === 0);
    if (
      !bad &&
      endsOk &&
      !isAlnum(after) &&
      ((doubles === 0 && groups === 8) || (doubles === 1 && groups >= 2 && groups <= 7))
    ) {
      out.push(i, j);
    }
    i = Math.max(j, i + 1);
    while (i < n && isAlnum(s.charCodeAt(i))) i++;
  }
}
