// Comparing and printing attribute values the way the Collector's matchers do.
import type { AnyValue } from '@opentelemetry/api-logs';

/** Type-aware equality: 5 equals 5 but not "5"; lists and maps compare deeply. */
export function valuesEqual(a: AnyValue, b: AnyValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as AnyValue[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], bb[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  const ma = a as Record<string, AnyValue>;
  const mb = b as Record<string, AnyValue>;
  if (ka.length !== Object.keys(mb).length) return false;
  for (const k of ka) if (!(k in mb) || !valuesEqual(ma[k], mb[k])) return false;
  return true;
}

/** A value's string form for regexp matching: strings as-is, scalars printed, bytes as hex, lists and maps as JSON. */
export function valueString(v: AnyValue): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x));
}
