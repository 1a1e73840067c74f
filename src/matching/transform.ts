import type { ConfigIssue, Spec } from '../config/schema.js';

/** Reports a problem under the spec's path (plus an optional sub-path). */
export type AddIssue = (sub: (string | number)[], message: string) => void;

/**
 * Parses with `spec`, then turns the value into something compiled (a
 * predicate, a regex list) at config time, so compile errors carry YAML paths.
 */
export function transform<T, U>(
  spec: Spec<T>,
  fn: (v: T, add: AddIssue) => U | undefined,
  shape = spec.shape,
): Spec<U> {
  return {
    shape,
    parse(v: unknown, p: (string | number)[], is: ConfigIssue[]) {
      const parsed = spec.parse(v, p, is);
      if (parsed === undefined) return undefined;
      const before = is.length;
      const out = fn(parsed, (sub, message) => {
        is.push({ path: [...p, ...sub], message });
      });
      return is.length === before ? out : undefined;
    },
  };
}
