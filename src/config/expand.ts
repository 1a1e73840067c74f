// Environment expansion as the Collector does it: `${env:VAR}`, `${env:VAR:-default}`
// and `${VAR}` inside string values; `$$` is a literal `$`. A value that is
// exactly one reference is re-read as a YAML scalar, so `${env:PORT}` can be a number.
// Every expanded string is recorded (path, text as written, result, and each
// environment value put in), so messages can show the reference instead of the
// value (see secrets.ts). The walk is bounded in depth and in values, because
// YAML aliases can make a small document a large (or cyclic) object.
import { parse as parseYamlScalar } from 'yaml';
import type { ConfigIssue } from './schema.js';

const REF = /\$\$|\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{(?:env:)?[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/** Nesting deeper than this is refused (configs are a handful of levels deep). */
export const MAX_DEPTH = 64;
/** Values (maps, lists and scalars, aliases counted each time they are used) beyond this are refused. */
export const MAX_VALUES = 1_000_000;

export interface Expansion {
  path: (string | number)[];
  /** The string as written, with its references. */
  source: string;
  /** What it expanded to, as text. */
  value: string;
  /** Each environment value substituted (not `:-` fallbacks, which are in the file), with its reference as written. */
  refs: { ref: string; value: string }[];
}

/** The config is too deep or too large once aliases are followed; the message is one sentence. */
export class ExpandLimitError extends Error {}

export function expandEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[] = [],
  issues: ConfigIssue[] = [],
  expansions: Expansion[] = [],
): unknown {
  const budget = { values: 0 };
  const walk = (v: unknown, p: (string | number)[]): unknown => {
    if (++budget.values > MAX_VALUES) {
      throw new ExpandLimitError(
        `the configuration holds more than ${MAX_VALUES.toLocaleString('en')} values once YAML aliases are followed`,
      );
    }
    if (typeof v === 'string') return expandString(v, env, p, issues, expansions);
    if (v === null || typeof v !== 'object') return v;
    if (p.length >= MAX_DEPTH)
      throw new ExpandLimitError(`the configuration is nested more than ${MAX_DEPTH} levels deep`);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...p, i]));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, [...p, k]);
    return out;
  };
  return walk(value, path);
}

function expandString(
  s: string,
  env: NodeJS.ProcessEnv,
  path: (string | number)[],
  issues: ConfigIssue[],
  expansions: Expansion[],
): unknown {
  if (!s.includes('$')) return s;
  const refs: Expansion['refs'] = [];
  const out = s.replace(REF, (m, name: string | undefined, fallback: string | undefined) => {
    if (m === '$$') return '$';
    const v = env[name!];
    if (v !== undefined && v !== '') {
      refs.push({ ref: m, value: v });
      return v;
    }
    if (fallback !== undefined) return fallback;
    if (v === undefined) issues.push({ path, message: `environment variable "${name}" is not set` });
    return '';
  });
  if (out !== s) expansions.push({ path, source: s, value: out, refs });
  if (WHOLE.test(s)) {
    try {
      const scalar = parseYamlScalar(out);
      if (typeof scalar === 'number' || typeof scalar === 'boolean') return scalar;
    } catch {
      /* not a scalar; keep the string */
    }
  }
  return out;
}
