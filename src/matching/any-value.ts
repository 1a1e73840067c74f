// A config value of any attribute type (string, number, boolean, list, map),
// as the Collector's `value:` keys take.
import type { AnyValue } from '@opentelemetry/api-logs';
import type { ConfigIssue, Spec } from '../config/schema.js';

export function anyValue(): Spec<AnyValue> {
  return {
    shape: 'string, number, boolean, list or map',
    parse(v: unknown, p: (string | number)[], is: ConfigIssue[]) {
      if (v === null || v === undefined) {
        is.push({ path: p, message: 'must not be empty' });
        return undefined;
      }
      return v as AnyValue;
    },
  };
}

/** Wraps a map spec so `Key:`/`Value:` (the Collector's case-insensitive keys) read as `key:`/`value:`. */
export function lowerCaseKeys<T>(spec: Spec<T>): Spec<T> {
  return {
    shape: spec.shape,
    parse(v, p, is) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return spec.parse(v, p, is);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k.toLowerCase()] = x;
      return spec.parse(out, p, is);
    },
  };
}
