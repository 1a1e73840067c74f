import { def, duration, int, num, obj, opt, record, str, list } from '../../config/schema.js';
import { transform } from '../../matching/transform.js';

export const RULE_NAMES = [
  'error_rate',
  'response_time_p95',
  'response_time_p99',
  'traffic',
  'oauth_failures',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];
/** A window is kept as this many evaluation intervals at most. */
const MAX_BUCKETS = 10_000;

/** What every rule takes: its window and its hysteresis. */
const common = {
  /** The span the rule looks back over (rounded up to whole evaluation intervals). */
  window: def(duration({ min: 1 }), 60_000),
  /** Consecutive bad evaluations before the alert fires (0: the top-level `fire_after`). */
  fire_after: def(int({ min: 0 }), 0),
  /** Consecutive good evaluations before a firing alert resolves (0: the top-level `resolve_after`). */
  resolve_after: def(int({ min: 0 }), 0),
};

const errorRateSpec = obj({
  /** Fires above this fraction (0..1) of records that are errors (severity ERROR or above, or an HTTP status of 500 or above). */
  threshold: def(num({ min: 0, max: 1 }), 0.05),
  /** Windows with fewer records than this count as good. */
  min_requests: def(int({ min: 0 }), 10),
  ...common,
});

const responseTimeSpec = (thresholdMs: number) =>
  obj({
    /** Fires above this response time in milliseconds (attribute `duration_ms` and the other response-time names the redis exporter maps). */
    threshold_ms: def(num({ min: 0 }), thresholdMs),
    /** Windows with fewer timed records than this count as good. */
    min_requests: def(int({ min: 0 }), 10),
    /** Also fires when the percentile is more than this many times the previous window's (both with min_requests). Unset: no comparison. */
    degraded_factor: opt(num({ min: 1 })),
    ...common,
  });

const trafficSpec = obj(
  {
    /** Fires when a full window holds fewer records than this. */
    min: opt(int({ min: 0 })),
    /** Fires when a window holds more records than this. */
    max: opt(int({ min: 0 })),
    ...common,
  },
  (c, add) => {
    if (c.min === undefined && c.max === undefined) add(null, 'needs min or max');
    if (c.min !== undefined && c.max !== undefined && c.min > c.max) add('min', 'must not be above max');
  },
);

const oauthFailuresSpec = obj({
  /** Fires when a window holds more OAuth failures than this (event name starting `oauth` with a failure outcome). */
  threshold: def(int({ min: 0 }), 5),
  ...common,
});

const webhookUrl = transform(
  str({ nonEmpty: true }),
  (v, add) => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      add([], 'must be an http:// or https:// URL such as http://127.0.0.1:9000/alerts');
      return undefined;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      add([], 'must be an http:// or https:// URL');
      return undefined;
    }
    return v;
  },
  'http(s) URL',
);

const webhookSpec = obj({
  /** Where each firing and resolution is POSTed as JSON. */
  endpoint: opt(webhookUrl),
  /** Extra request headers (e.g. Authorization). */
  headers: def(record(str()), {}),
  /** Time allowed for one attempt. */
  timeout: def(duration({ min: 1 }), 5000),
  /** Attempts after the first before a notification is dropped (and counted). */
  max_retries: def(int({ min: 0 }), 5),
  /** First wait between attempts; doubles after each failure up to max_interval. */
  initial_interval: def(duration({ min: 1 }), 1000),
  max_interval: def(duration({ min: 1 }), 30_000),
  /** Notifications waiting at most; when full the oldest is dropped (and counted). */
  queue_size: def(int({ min: 1, max: 100_000 }), 100),
});

export const alertsConfigSpec = obj(
  {
    /** How often rules are evaluated. */
    evaluation_interval: def(duration({ min: 1 }), 10_000),
    /** Default consecutive bad evaluations before an alert fires. */
    fire_after: def(int({ min: 1 }), 2),
    /** Default consecutive good evaluations before a firing alert resolves. */
    resolve_after: def(int({ min: 1 }), 2),
    /** Pipelines whose records are watched; empty: all (a record leaving two pipelines counts twice). */
    pipelines: def(list(str({ nonEmpty: true })), []),
    error_rate: opt(errorRateSpec),
    response_time_p95: opt(responseTimeSpec(1000)),
    response_time_p99: opt(responseTimeSpec(2000)),
    traffic: opt(trafficSpec),
    oauth_failures: opt(oauthFailuresSpec),
    webhook: opt(webhookSpec),
  },
  (c, add) => {
    if (c.webhook && !c.webhook.endpoint) add('webhook', 'needs endpoint');
    if (c.webhook && c.webhook.max_interval < c.webhook.initial_interval)
      add('webhook', 'max_interval must not be below initial_interval');
    for (const name of RULE_NAMES) {
      const r = c[name];
      if (
        r &&
        (r.window / c.evaluation_interval) * ('degraded_factor' in r && r.degraded_factor !== undefined ? 2 : 1) >
          MAX_BUCKETS
      )
        add(name, `window must be at most ${MAX_BUCKETS} evaluation intervals`);
    }
  },
);

export type AlertsConfig = NonNullable<ReturnType<typeof alertsConfigSpec.parse>>;
export type WebhookConfig = NonNullable<AlertsConfig['webhook']>;
