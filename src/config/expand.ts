// Environment expansion as the Collector does it: `${env:VAR}`, `${env:VAR:-default}`
// and `${VAR}` inside string values; `$$` is a literal `$`. A value that is
// exactly one reference is re-read as a YAML scalar, so `${env:PORT}` can be a number.
import { parse as parseYamlScalar } from 'yaml';
import type { ConfigIssue } from './schema.js';

const REF = /\$\$|\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{(?:env:)?[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

export function expandEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[] = [],
  issues: ConfigIssue[] = [],
): unknown {
  if (typeof value === 'string') return expandString(value, env, path, issues);
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, [...path, i], issues));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandEnv(v, env, [...path, k], issues);
    return out;
  }
  return value;
}

function expandString(s: string, env: NodeJS.ProcessEnv, path: (string | number)[], issues: ConfigIssue[]): unknown {
  if (!s.includes('$')) return s;
  const out = s.replace(REF, (m, name: string | undefined, fallback: string | undefined) => {
    if (m === '$$') return '$';
    const v = env[name!];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    if (v === undefined) issues.push({ path, message: `environment variable "${name}" is not set` });
    return '';
  });
  if (WHOLE.test(s)) {
    try {
      const scalar = parseYamlScalar(out);
      if (typeof scalar === 'number' || typeof scalar === 'boolean') return scalar;
    } catch { /* not a scalar; keep the string */ }
  }
  return out;
}
