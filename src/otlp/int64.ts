// Exact 64-bit integer conversions without BigInt: a 64-bit value arrives as
// two unsigned 32-bit halves (lo, hi) and every intermediate stays below 2^53.
import type { HrTime } from '@opentelemetry/api';

const TWO_32 = 4294967296;
const NS_PER_S = 1e9;

/**
 * Unix nanoseconds held as (lo, hi) → exact [seconds, nanos].
 * Long division by 1e9: hi first, then the low word in two 16-bit limbs, so
 * each partial dividend is < 1e9 * 2^16 < 2^53.
 */
export function nanosToHrTime(lo: number, hi: number): HrTime {
  const qh = Math.floor(hi / NS_PER_S);
  let r = hi - qh * NS_PER_S;
  let cur = r * 65536 + (lo >>> 16);
  const q1 = Math.floor(cur / NS_PER_S);
  r = cur - q1 * NS_PER_S;
  cur = r * 65536 + (lo & 0xffff);
  const q0 = Math.floor(cur / NS_PER_S);
  return [qh * TWO_32 + q1 * 65536 + q0, cur - q0 * NS_PER_S];
}

/** Decimal text of the unsigned 64-bit value (lo, hi). */
export function uint64ToDecimal(lo: number, hi: number): string {
  if (hi === 0) return String(lo);
  // 2^32 = 4294 * 1e6 + 967296; t < 2^32 * 967296 + 2^32 < 2^53.
  const t = hi * 967296 + lo;
  const q = hi * 4294 + Math.floor(t / 1e6);
  const rest = String(t % 1e6);
  return q === 0 ? rest : String(q) + '000000'.slice(rest.length) + rest;
}

/**
 * A protobuf int64 (two's complement in lo, hi) as a JS value: a number when
 * |v| <= 2^53 (exact), else its exact decimal string.
 */
export function int64ToValue(lo: number, hi: number): number | string {
  if (hi < 0x200000) return hi * TWO_32 + lo; // 0 <= v < 2^53
  if (hi >= 0x80000000) {
    // Negative: magnitude is the two's complement.
    const mlo = (~lo + 1) >>> 0;
    const mhi = (~hi + (mlo === 0 ? 1 : 0)) >>> 0;
    if (mhi < 0x200000 || (mhi === 0x200000 && mlo === 0)) return -(mhi * TWO_32 + mlo);
    return '-' + uint64ToDecimal(mlo, mhi);
  }
  if (hi === 0x200000 && lo === 0) return 2 ** 53;
  return uint64ToDecimal(lo, hi);
}

const DECIMAL = /^[0-9]{1,20}$/;
const SIGNED_DECIMAL = /^[-+]?[0-9]{1,20}$/;
const UINT64_MAX = '18446744073709551615';
const INT64_MAX = '9223372036854775807';

/**
 * JSON fixed64 nanoseconds (decimal string or number) → exact HrTime.
 * Returns undefined when the value is not an unsigned 64-bit integer.
 */
export function jsonNanosToHrTime(v: string | number): HrTime | undefined {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 64 - 1) return undefined;
    // Integers above 2^53 were already rounded by JSON.parse; this keeps what is left.
    let s = Math.floor(v / NS_PER_S);
    let ns = v - s * NS_PER_S;
    if (ns < 0) {
      s -= 1;
      ns += NS_PER_S;
    } else if (ns >= NS_PER_S) {
      s += 1;
      ns -= NS_PER_S;
    }
    return [s, Math.round(ns)];
  }
  if (!DECIMAL.test(v)) return undefined;
  if (v.length === 20 && v > UINT64_MAX) return undefined;
  if (v.length <= 9) return [0, Number(v)];
  // Split the digits: the last nine are the nanoseconds.
  return [Number(v.slice(0, v.length - 9)), Number(v.slice(v.length - 9))];
}

/**
 * JSON int64 (number or decimal string) → number when |v| <= 2^53, else a
 * normalised decimal string. Undefined when it is not an int64.
 */
export function jsonInt64ToValue(v: string | number): number | string | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 2 ** 63 ? v : undefined;
  if (!SIGNED_DECIMAL.test(v)) return undefined;
  if (v.length <= 15) {
    const n = Number(v); // at most 15 digits: exact
    return n === 0 ? 0 : n; // no -0 from "-0"
  }
  const neg = v.charCodeAt(0) === 45;
  const digits = v.replace(/^[-+]?0*/, '');
  // |v| <= 2^53 (9007199254740992, 16 digits) is exact as a number.
  if (digits.length < 16 || (digits.length === 16 && digits <= '9007199254740992')) {
    const n = Number(digits);
    return neg && n !== 0 ? -n : n;
  }
  if (digits.length > 19 || (digits.length === 19 && digits > (neg ? '9223372036854775808' : INT64_MAX))) {
    return undefined;
  }
  return neg ? '-' + digits : digits;
}
