// Payment card validation over a range of a string, skipping the space and
// dash separators a card may be written with. Works on char codes so a
// candidate costs no allocation.

/** Luhn checksum over the digits in s[start, end). */
export function luhnValid(s: string, start: number, end: number): boolean {
  let sum = 0;
  let double = false;
  for (let i = end - 1; i >= start; i--) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    if (double) sum += d > 4 ? d * 2 - 9 : d * 2;
    else sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Whether `digits` digits with this 4-digit prefix fit a card network
 * (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro, Mir,
 * RuPay, Troy).
 * The prefix rule is what keeps millisecond timestamps (1…) and other
 * Luhn-valid numbers from being taken for cards.
 */
export function cardPrefixFits(prefix4: number, digits: number): boolean {
  const p1 = (prefix4 / 1000) | 0;
  const p2 = (prefix4 / 100) | 0;
  switch (p1) {
    case 4:
      return digits === 13 || digits === 16 || digits === 19;
    case 5:
      return p2 >= 51 && p2 <= 55 ? digits === 16 : digits >= 13; // 50, 56–59: Maestro
    case 2:
      if (prefix4 >= 2200 && prefix4 <= 2204) return digits >= 16; // Mir
      return prefix4 >= 2221 && prefix4 <= 2720 && digits === 16;
    case 3:
      if (p2 === 34 || p2 === 37) return digits === 15;
      if (p2 === 35) return prefix4 >= 3528 && digits >= 16;
      return (p2 === 30 || p2 === 36 || p2 === 38 || p2 === 39) && digits >= 14;
    case 6:
      return digits >= 16;
    case 8:
      return (p2 === 81 || p2 === 82) && digits === 16; // RuPay
    case 9:
      return prefix4 === 9792 && digits === 16; // Troy
    default:
      return false;
  }
}

/** A card number occupies s[start, end) holding `digits` digits (separators allowed between them). */
export function isCardNumber(s: string, start: number, end: number, digits: number): boolean {
  if (digits < 13 || digits > 19) return false;
  let prefix = 0;
  let seen = 0;
  for (let i = start; i < end && seen < 4; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d >= 0 && d <= 9) {
      prefix = prefix * 10 + d;
      seen++;
    }
  }
  return cardPrefixFits(prefix, digits) && luhnValid(s, start, end);
}
