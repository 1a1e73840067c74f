// The four alert rules: how each reads a window of buckets into a value and a verdict.
import type { AlertState } from './alerts.js';
import type { AlertsConfig, RuleName } from './config.js';
import { type Bucket, percentile } from './window.js';

export interface Rule {
  name: RuleName;
  buckets: number;
  fireAfter: number;
  resolveAfter: number;
  condition: string;
  /** The value over the window, and whether it is bad; `value` null when there was not enough data. */
  /** Closed buckets kept for this rule: its window, or two windows to compare with the previous one. */
  keep: number;
  /** `w`: the last `buckets` closed buckets; `prev`: the `buckets` before them (only with keep > buckets). */
  check(w: readonly Bucket[], full: boolean, prev: readonly Bucket[]): { value: number | null; bad: boolean };
  describe(value: number | null): string;
  state: AlertState;
  bad: number;
  good: number;
  since: number;
  startedAt: number;
  fired: number;
  value: number | null;
  evaluatedAt: number | null;
}

/** A rule's configuration-independent state, as the extension starts it. */
export type RuleBase = Omit<Rule, 'condition' | 'check' | 'describe'>;

/** The rule `name` with its condition, check and description, from its configuration. */
export function makeRule(name: RuleName, cfg: AlertsConfig, base: RuleBase, win: string): Rule {
  switch (name) {
    case 'error_rate':
      return errorRateRule(cfg.error_rate!, base, win);
    case 'response_time_p95':
      return responseTimeRule(cfg.response_time_p95!, 95, base, win);
    case 'response_time_p99':
      return responseTimeRule(cfg.response_time_p99!, 99, base, win);
    case 'traffic':
      return trafficRule(cfg.traffic!, base, win);
    default:
      return oauthFailuresRule(cfg.oauth_failures!, base, win);
  }
}

function errorRateRule(c: NonNullable<AlertsConfig['error_rate']>, base: RuleBase, win: string): Rule {
  return {
    ...base,
    condition: `> ${c.threshold}`,
    check: (w) => {
      let n = 0,
        e = 0;
      for (const b of w) {
        n += b.count;
        e += b.errors;
      }
      if (n < Math.max(1, c.min_requests)) return { value: n === 0 ? null : e / n, bad: false };
      return { value: e / n, bad: e / n > c.threshold };
    },
    describe: (v) => `error rate ${fmtNum(v)} above ${c.threshold} over ${win}`,
  };
}

function responseTimeRule(
  c: NonNullable<AlertsConfig['response_time_p95']>,
  p: 95 | 99,
  base: RuleBase,
  win: string,
): Rule {
  const factor = c.degraded_factor;
  const enough = (w: readonly Bucket[]) => {
    let n = 0;
    for (const b of w) n += b.timed;
    return n >= Math.max(1, c.min_requests);
  };
  let previous: number | null = null;
  return {
    ...base,
    keep: factor === undefined ? 0 : 2 * base.buckets,
    condition: `> ${c.threshold_ms} ms${factor === undefined ? '' : ` or > ${factor}× the previous window`}`,
    check: (w, _full, prev) => {
      const v = percentile(w, p) ?? null;
      previous = null;
      if (v === null || !enough(w)) return { value: v, bad: false };
      if (factor !== undefined && prev.length === base.buckets && enough(prev)) previous = percentile(prev, p) ?? null;
      return { value: v, bad: v > c.threshold_ms || (previous !== null && v > factor! * previous) };
    },
    describe: (v) =>
      previous !== null && v !== null && v <= c.threshold_ms
        ? `p${p} response time ${fmtNum(v)} ms over ${win}, more than ${factor}× the previous window's ${fmtNum(previous)} ms`
        : `p${p} response time ${fmtNum(v)} ms above ${c.threshold_ms} ms over ${win}`,
  };
}

function trafficRule(c: NonNullable<AlertsConfig['traffic']>, base: RuleBase, win: string): Rule {
  const band =
    c.min !== undefined && c.max !== undefined
      ? `outside ${c.min}..${c.max}`
      : c.min !== undefined
        ? `< ${c.min}`
        : `> ${c.max}`;
  const limits = `${c.min !== undefined ? ` (min ${c.min})` : ''}${c.max !== undefined ? ` (max ${c.max})` : ''}`;
  return {
    ...base,
    condition: band,
    check: (w, full) => {
      let n = 0;
      for (const b of w) n += b.count;
      // Below min only counts once a whole window has passed (no verdict on a half-filled first window).
      return { value: n, bad: (c.max !== undefined && n > c.max) || (full && c.min !== undefined && n < c.min) };
    },
    describe: (v) => `${fmtNum(v)} records over ${win}, outside the expected band${limits}`,
  };
}

function oauthFailuresRule(c: NonNullable<AlertsConfig['oauth_failures']>, base: RuleBase, win: string): Rule {
  return {
    ...base,
    condition: `> ${c.threshold}`,
    check: (w) => {
      let n = 0;
      for (const b of w) n += b.oauthFailures;
      return { value: n, bad: n > c.threshold };
    },
    describe: (v) => `${fmtNum(v)} OAuth authentication failures over ${win}, above ${c.threshold}`,
  };
}

export function fmtNum(v: number | null): string {
  if (v === null) return 'n/a';
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
}

export function fmtMs(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
