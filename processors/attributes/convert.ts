// The `convert` action's type conversions, following the Collector: a value
// that cannot be converted is left unchanged.
import type { AnyValue } from '@opentelemetry/api-logs';

const INT = /^[+-]?\d+$/;

export function toInt(v: AnyValue): AnyValue {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (INT.test(t)) {
      const n = Number(t);
      if (Number.isSafeInteger(n)) return n;
    }
    return v;
  }
  return v;
}

export function toDouble(v: AnyValue): AnyValue {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    const n = t === '' ? NaN : Number(t);
    return Number.isFinite(n) ? n : v;
  }
  return v;
}

export function toStr(v: AnyValue): AnyValue {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (v === null || v === undefined) return v;
  return JSON.stringify(v);
}
