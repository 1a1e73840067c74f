// Per-interval buckets of what the alert rules need, filled in O(1) per record:
// counts, and a fixed-size reservoir of response times for the percentiles.
// At each evaluation the open bucket is closed into a ring; a rule reads the
// last k closed buckets (its window).
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import { DEFAULT_MAPPING } from '../../model/request-fields.js';

export class Bucket {
  count = 0;
  errors = 0;
  oauthFailures = 0;
  /** Records that carried a response time. */
  timed = 0;
  readonly samples: Float64Array;
  constructor(reservoir: number) {
    this.samples = new Float64Array(reservoir);
  }

  addTime(ms: number): void {
    const i = this.timed++;
    if (i < this.samples.length) this.samples[i] = ms;
    else {
      // Reservoir sampling (Algorithm R): every timed record has the same chance to be kept.
      const j = Math.floor(Math.random() * (i + 1));
      if (j < this.samples.length) this.samples[j] = ms;
    }
  }

  reset(): void {
    this.count = 0;
    this.errors = 0;
    this.oauthFailures = 0;
    this.timed = 0;
  }
}

const STATUS = DEFAULT_MAPPING.status_code;
const TIME = DEFAULT_MAPPING.response_time_ms;
const EVENT = ['event.name', 'event', 'event_type'];
const OUTCOME = ['oauth.outcome', 'event.outcome', 'outcome', 'oauth.result', 'result', 'oauth.status'];
const FAILED_OUTCOMES = new Set([
  'failure',
  'failed',
  'fail',
  'error',
  'denied',
  'rejected',
  'invalid',
  'unauthorized',
  'false',
]);
const FAILED_EVENT = /fail|error|denied|reject|invalid|unauthori/i;

function numOf(v: AnyValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function firstNum(a: LogAttributes, names: readonly string[]): [number, string] | undefined {
  for (let i = 0; i < names.length; i++) {
    const n = numOf(a[names[i]!]);
    if (n !== undefined) return [n, names[i]!];
  }
  return undefined;
}

function isErrorSeverity(r: ReadableLogRecord): boolean {
  const n = r.severityNumber ?? 0;
  if (n > 0) return n >= 17;
  const t = r.severityText?.toUpperCase();
  return t === 'ERROR' || t === 'FATAL' || t === 'CRITICAL';
}

function eventName(r: ReadableLogRecord): string | undefined {
  if (r.eventName) return r.eventName;
  for (const k of EVENT) {
    const v = r.attributes[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** Adds one record to a bucket. */
export function observe(b: Bucket, r: ReadableLogRecord): void {
  const a = r.attributes;
  b.count++;
  const status = firstNum(a, STATUS)?.[0];
  const severe = isErrorSeverity(r);
  if (severe || (status !== undefined && status >= 500)) b.errors++;
  const t = firstNum(a, TIME);
  // OTel `*.duration` attributes are in seconds, the others in milliseconds (as in the redis exporter).
  if (t !== undefined && t[0] >= 0) b.addTime(t[1].endsWith('.duration') ? t[0] * 1000 : t[0]);
  const ev = eventName(r);
  if (
    ev !== undefined &&
    ev.length >= 5 &&
    ev.slice(0, 5).toLowerCase() === 'oauth' &&
    isOauthFailure(r, ev, status, severe)
  )
    b.oauthFailures++;
}

function isOauthFailure(r: ReadableLogRecord, ev: string, status: number | undefined, severe: boolean): boolean {
  for (const k of OUTCOME) {
    const v = r.attributes[k];
    if (v !== undefined && v !== null) return FAILED_OUTCOMES.has(String(v).toLowerCase());
  }
  if (r.attributes['oauth.success'] === false || r.attributes.success === false) return true;
  return FAILED_EVENT.test(ev) || (status !== undefined && status >= 400) || severe;
}

/** Percentile (0..100) over the reservoirs of buckets, each sample weighted by its bucket's count over its samples. */
export function percentile(buckets: readonly Bucket[], p: number): number | undefined {
  const vals: [number, number][] = [];
  let total = 0;
  for (const b of buckets) {
    const n = Math.min(b.timed, b.samples.length);
    if (n === 0) continue;
    const w = b.timed / n;
    for (let i = 0; i < n; i++) vals.push([b.samples[i]!, w]);
    total += b.timed;
  }
  if (vals.length === 0) return undefined;
  vals.sort((x, y) => x[0] - y[0]);
  const rank = (p / 100) * total;
  let acc = 0;
  for (const [v, w] of vals) {
    acc += w;
    if (acc >= rank) return v;
  }
  return vals[vals.length - 1]![0];
}
