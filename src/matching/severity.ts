// OTel severity numbers by name, as OTTL writes them (SEVERITY_NUMBER_WARN)
// and as match configs write them (WARN, warn2, 13).
import type { ConfigIssue, Spec } from '../config/schema.js';

const BASE: Record<string, number> = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };

/** `SEVERITY_NUMBER_UNSPECIFIED`, `SEVERITY_NUMBER_TRACE` … `SEVERITY_NUMBER_FATAL4` → 0..24. */
export const SEVERITY_NUMBER_ENUM: Readonly<Record<string, number>> = (() => {
  const out: Record<string, number> = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
  for (const [name, n] of Object.entries(BASE)) {
    out[`SEVERITY_NUMBER_${name}`] = n;
    for (let i = 2; i <= 4; i++) out[`SEVERITY_NUMBER_${name}${i}`] = n + i - 1;
  }
  return out;
})();

/** A severity given as a number (0–24) or a name (`INFO`, `warn2`, `WARNING`, `SEVERITY_NUMBER_ERROR`). */
export function parseSeverity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 24 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toUpperCase();
  if (/^\d+$/.test(t)) return parseSeverity(Number(t));
  const name = t.startsWith('SEVERITY_NUMBER_')
    ? t
    : `SEVERITY_NUMBER_${t === 'WARNING' ? 'WARN' : t === 'CRITICAL' ? 'FATAL' : t}`;
  return SEVERITY_NUMBER_ENUM[name];
}

/** A severity number or name, parsed to 0–24. */
export function severitySpec(): Spec<number> {
  return {
    shape: 'severity number (0-24) or name (INFO, WARN, ERROR, ...)',
    parse(v: unknown, p: (string | number)[], is: ConfigIssue[]) {
      const n = parseSeverity(v);
      if (n === undefined)
        is.push({ path: p, message: 'must be a severity number from 0 to 24 or a name such as INFO, WARN or ERROR' });
      return n;
    },
  };
}
