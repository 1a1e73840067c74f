// The `alerts` extension: rules evaluated over the records leaving the
// pipelines (the RecordTap). The tap listener only adds each record to the
// open bucket (O(1)); an unref'd timer closes the bucket every
// evaluation_interval and evaluates each rule over its window, firing and
// resolving with hysteresis. Each change is logged, counted in /metrics,
// kept for GET /api/alerts and POSTed to the webhook.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { CreateSettings, Extension, Host } from '../../component/types.js';
import type { InternalLogger } from '../../telemetry/logger.js';
import type { Telemetry } from '../../telemetry/metrics.js';
import { findQueryApi, registerRoutesOnce } from '../query-api/routes.js';
import { RULE_NAMES, type AlertsConfig, type RuleName } from './config.js';
import { fmtMs, fmtNum, makeRule, type Rule } from './rules.js';
import { Bucket, observe } from './window.js';
import { WebhookSender } from './webhook.js';

export const AM = {
  fired: 'auditline_alerts_fired_total',
  active: 'auditline_alert_active',
} as const;

export const ALERTS_ROUTE = '/api/alerts';
const HISTORY = 100;
/** Samples kept per bucket in all, shared among a window's buckets. */
const SAMPLE_BUDGET = 4096;

export type AlertState = 'ok' | 'pending' | 'firing';

export interface RuleStatus {
  rule: RuleName;
  state: AlertState;
  /** The last evaluated value (undefined when the window had too little data). */
  value: number | null;
  /** What the value is compared with, e.g. "> 0.05" or "outside 10..1000". */
  condition: string;
  window_ms: number;
  fire_after: number;
  resolve_after: number;
  /** Since when the rule is in its current state (ISO). */
  since: string;
  fired_count: number;
  last_evaluated: string | null;
}

export interface AlertEvent {
  status: 'firing' | 'resolved';
  rule: RuleName;
  value: number | null;
  condition: string;
  message: string;
  window_ms: number;
  at: string;
  started_at: string;
}

export interface AlertsBody {
  evaluation_interval_ms: number;
  rules: RuleStatus[];
  active: RuleStatus[];
  history: AlertEvent[];
}

export class AlertsExtension implements Extension {
  private readonly rules: Rule[] = [];
  private readonly ring: Bucket[] = [];
  private open: Bucket;
  private spare: Bucket[] = [];
  private readonly maxBuckets: number;
  private readonly reservoir: number;
  private closedCount = 0;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private telemetry: Telemetry;
  private readonly logger: InternalLogger;
  private readonly webhook?: WebhookSender;
  private readonly history: AlertEvent[] = [];
  private readonly pipelines?: Set<string>;
  private stopped = false;

  constructor(
    private readonly settings: CreateSettings,
    private readonly cfg: AlertsConfig,
  ) {
    this.logger = settings.logger;
    this.telemetry = settings.telemetry;
    const every = cfg.evaluation_interval;
    const now = Date.now();
    for (const name of RULE_NAMES) {
      const r = cfg[name];
      if (!r) continue;
      const base = {
        name,
        buckets: Math.max(1, Math.ceil(r.window / every)),
        keep: 0,
        fireAfter: r.fire_after || cfg.fire_after,
        resolveAfter: r.resolve_after || cfg.resolve_after,
        state: 'ok' as AlertState,
        bad: 0,
        good: 0,
        since: now,
        startedAt: now,
        fired: 0,
        value: null,
        evaluatedAt: null,
      };
      this.rules.push(makeRule(name, cfg, base, fmtMs(base.buckets * every)));
    }
    for (const r of this.rules) r.keep = Math.max(r.keep, r.buckets);
    this.maxBuckets = Math.max(1, ...this.rules.map((r) => r.keep));
    this.reservoir = Math.min(1024, Math.max(32, Math.ceil(SAMPLE_BUDGET / this.maxBuckets)));
    this.open = new Bucket(this.reservoir);
    if (cfg.webhook) this.webhook = new WebhookSender(cfg.webhook, this.logger, () => this.telemetry);
    if (cfg.pipelines.length > 0) this.pipelines = new Set(cfg.pipelines);
  }

  async start(host?: Host): Promise<void> {
    if (this.stopped || this.timer) return;
    if (host) this.telemetry = host.telemetry;
    this.telemetry.describe(AM.fired, 'Times each alert rule fired.');
    this.telemetry.describe(AM.active, 'Whether each alert rule is firing (1) or not (0).');
    for (const r of this.rules) this.telemetry.set(AM.active, 0, { rule: r.name });
    if (this.rules.length > 0 && host) {
      const pipelines = this.pipelines;
      this.unsubscribe = host.tap.subscribe((records, pipeline) => {
        if (pipelines && !pipelines.has(pipeline)) return;
        this.observe(records);
      });
    }
    this.timer = setInterval(() => this.evaluate(), this.cfg.evaluation_interval);
    this.timer.unref();
    if (host) {
      const o = { logger: this.logger, id: this.settings.id, what: 'alert routes' };
      const api = findQueryApi({ host, ...o });
      if (api) registerRoutesOnce(api, o, (a) => a.route('GET', ALERTS_ROUTE, () => this.status()));
    }
  }

  /** Adds records to the open window bucket (what the tap listener does). */
  observe(records: readonly ReadableLogRecord[]): void {
    const b = this.open;
    for (let i = 0; i < records.length; i++) observe(b, records[i]!);
  }

  /** Closes the open bucket and evaluates every rule (what the timer does every evaluation_interval). */
  evaluate(): void {
    if (this.stopped) return;
    const closed = this.open;
    this.ring.push(closed);
    this.closedCount++;
    if (this.ring.length > this.maxBuckets) this.spare.push(this.ring.shift()!);
    const next = this.spare.pop() ?? new Bucket(this.reservoir);
    next.reset();
    this.open = next;
    const now = Date.now();
    for (const r of this.rules) {
      const w = this.ring.slice(-r.buckets);
      const prev = r.keep > r.buckets ? this.ring.slice(-r.keep, -r.buckets) : [];
      let res: { value: number | null; bad: boolean };
      try {
        res = r.check(w, this.closedCount >= r.buckets, prev);
      } catch (err) {
        this.logger.burst('error', `alerts-${r.name}`, 'An alert rule failed to evaluate.', {
          rule: r.name,
          error: (err as Error).message,
        });
        continue;
      }
      r.value = res.value;
      r.evaluatedAt = now;
      this.step(r, res.bad, now);
    }
  }

  private step(r: Rule, bad: boolean, now: number): void {
    if (bad) {
      r.bad++;
      r.good = 0;
    } else {
      r.good++;
      r.bad = 0;
    }
    if (r.state !== 'firing') {
      if (bad && r.bad >= r.fireAfter) {
        r.state = 'firing';
        r.since = now;
        r.startedAt = now;
        r.fired++;
        this.telemetry.add(AM.fired, 1, { rule: r.name });
        this.telemetry.set(AM.active, 1, { rule: r.name });
        this.emit(r, 'firing', now);
      } else {
        const s: AlertState = bad ? 'pending' : 'ok';
        if (s !== r.state) {
          r.state = s;
          r.since = now;
        }
      }
    } else if (!bad && r.good >= r.resolveAfter) {
      r.state = 'ok';
      r.since = now;
      this.telemetry.set(AM.active, 0, { rule: r.name });
      this.emit(r, 'resolved', now);
    }
  }

  private emit(r: Rule, status: 'firing' | 'resolved', now: number): void {
    const message =
      status === 'firing'
        ? `Alert "${r.name}" fired: ${r.describe(r.value)}.`
        : `Alert "${r.name}" resolved (value ${fmtNum(r.value)}, condition ${r.condition}).`;
    const event: AlertEvent = {
      status,
      rule: r.name,
      value: r.value,
      condition: r.condition,
      message,
      window_ms: r.buckets * this.cfg.evaluation_interval,
      at: new Date(now).toISOString(),
      started_at: new Date(r.startedAt).toISOString(),
    };
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.shift();
    const fields = { rule: r.name, value: r.value, condition: r.condition };
    if (status === 'firing') this.logger.warn(message, fields);
    else this.logger.info(message, fields);
    this.webhook?.enqueue({ source: 'auditline', extension: this.settings.id, ...event });
  }

  /** What GET /api/alerts answers. */
  status(): AlertsBody {
    const rules = this.rules.map((r): RuleStatus => ({
      rule: r.name,
      state: r.state,
      value: r.value,
      condition: r.condition,
      window_ms: r.buckets * this.cfg.evaluation_interval,
      fire_after: r.fireAfter,
      resolve_after: r.resolveAfter,
      since: new Date(r.since).toISOString(),
      fired_count: r.fired,
      last_evaluated: r.evaluatedAt === null ? null : new Date(r.evaluatedAt).toISOString(),
    }));
    return {
      evaluation_interval_ms: this.cfg.evaluation_interval,
      rules,
      active: rules.filter((r) => r.state === 'firing'),
      history: [...this.history],
    };
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.webhook?.close();
  }
}
