// Each alert rule firing and resolving with hysteresis, fed through host.tap
// (the records leaving the pipelines) and evaluated by calling evaluate()
// (what the extension's timer does every evaluation_interval).
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertsExtension } from '../../../src/extensions/alerts/alerts.js';
import { record, SEV, testHost, type TestHost } from '../../exporters/sqlite/fixtures.js';
import { configIssues, parseAlertsConfig, startAlerts, startWebhook, until, type Webhook } from './helpers.js';

let running: AlertsExtension[] = [];
let hooks: Webhook[] = [];
afterEach(async () => {
  for (const e of running) await e.shutdown();
  for (const h of hooks) await h.close();
  running = [];
  hooks = [];
});

async function start(raw: Record<string, unknown>, host?: TestHost) {
  const s = await startAlerts(raw, host);
  running.push(s.ext);
  return s;
}

const state = (ext: AlertsExtension, rule: string) => ext.status().rules.find((r) => r.rule === rule)!.state;

function requests(n: number, f: (i: number) => { status?: number; ms?: number; severity?: number } = () => ({})) {
  return Array.from({ length: n }, (_, i) => {
    const o = f(i);
    return record({
      severity: o.severity ?? SEV.INFO,
      attrs: {
        'http.request.method': 'GET',
        'url.path': `/r/${i}`,
        'http.response.status_code': o.status ?? 200,
        ...(o.ms !== undefined ? { duration_ms: o.ms } : {}),
      },
    });
  });
}

describe('alerts config', () => {
  it('accepts an empty config (no rules) and fills the defaults', () => {
    const c = parseAlertsConfig({});
    expect(c.evaluation_interval).toBe(10_000);
    expect(c.fire_after).toBe(2);
    expect(c.resolve_after).toBe(2);
    expect(c.error_rate).toBeUndefined();
  });

  it('refuses a traffic rule without a band, a webhook without endpoint and a non-http URL, each with its path', () => {
    const issues = configIssues({ traffic: {}, webhook: { max_retries: 2 }, error_rate: { threshold: 2 } });
    expect(issues).toContain('extensions::alerts::traffic: needs min or max');
    expect(issues.some((i) => i.startsWith('extensions::alerts::error_rate::threshold'))).toBe(true);
    expect(configIssues({ webhook: { endpoint: 'ftp://x' } })).toEqual([
      'extensions::alerts::webhook::endpoint: must be an http:// or https:// URL',
    ]);
    expect(configIssues({ webhook: { endpoint: 'http://127.0.0.1:1/h' } })).toEqual([]);
  });
});

describe('alerts rules', () => {
  it('error_rate fires after fire_after bad evaluations and resolves after resolve_after good ones; logged and counted', async () => {
    const { ext, host, lines } = await start({
      fire_after: 2,
      resolve_after: 2,
      error_rate: { threshold: 0.2, min_requests: 5, window: '1h' },
    });
    // window 1h = one evaluation interval: each evaluation looks at what arrived since the last.
    const bad = () =>
      host.tap.publish(
        [...requests(6, (i) => ({ status: i < 2 ? 503 : 200 })), ...requests(2, () => ({ severity: SEV.ERROR }))],
        'logs',
      );
    bad();
    ext.evaluate();
    expect(state(ext, 'error_rate')).toBe('pending');
    expect(ext.status().rules[0]!.value).toBeCloseTo(4 / 8);
    bad();
    ext.evaluate();
    expect(state(ext, 'error_rate')).toBe('firing');
    expect(host.telemetry.value('auditline_alerts_fired_total', { rule: 'error_rate' })).toBe(1);
    expect(host.telemetry.value('auditline_alert_active', { rule: 'error_rate' })).toBe(1);
    expect(lines.some((l) => l.includes('[WARNING]') && l.includes('Alert "error_rate" fired'))).toBe(true);
    // One good evaluation is not enough to resolve; a bad one in between restarts the count.
    host.tap.publish(requests(10), 'logs');
    ext.evaluate();
    expect(state(ext, 'error_rate')).toBe('firing');
    bad();
    ext.evaluate();
    host.tap.publish(requests(10), 'logs');
    ext.evaluate();
    expect(state(ext, 'error_rate')).toBe('firing');
    host.tap.publish(requests(10), 'logs');
    ext.evaluate();
    expect(state(ext, 'error_rate')).toBe('ok');
    expect(host.telemetry.value('auditline_alert_active', { rule: 'error_rate' })).toBe(0);
    expect(host.telemetry.value('auditline_alerts_fired_total', { rule: 'error_rate' })).toBe(1);
    expect(lines.some((l) => l.includes('[INFO]') && l.includes('Alert "error_rate" resolved'))).toBe(true);
    expect(ext.status().history.map((e) => e.status)).toEqual(['firing', 'resolved']);
    expect(await host.telemetry.prometheus()).toContain('auditline_alerts_fired_total{rule="error_rate"} 1');
  });

  it('error_rate ignores windows with fewer than min_requests records', async () => {
    const { ext, host } = await start({ fire_after: 1, error_rate: { threshold: 0.1, min_requests: 5 } });
    host.tap.publish(
      requests(3, () => ({ status: 500 })),
      'logs',
    );
    ext.evaluate();
    expect(state(ext, 'error_rate')).toBe('ok');
  });

  it('response_time_p95 and p99 fire on `duration_ms` above their thresholds and resolve', async () => {
    const { ext, host } = await start({
      fire_after: 1,
      resolve_after: 1,
      response_time_p95: { threshold_ms: 500, min_requests: 10 },
      response_time_p99: { threshold_ms: 900, min_requests: 10 },
    });
    // 100 requests: 90 fast, 10 at 800 ms → p95 = 800 (> 500), p99 = 800 (< 900).
    host.tap.publish(
      requests(100, (i) => ({ ms: i < 90 ? 20 : 800 })),
      'logs',
    );
    ext.evaluate();
    expect(state(ext, 'response_time_p95')).toBe('firing');
    expect(state(ext, 'response_time_p99')).toBe('ok');
    expect(ext.status().rules.find((r) => r.rule === 'response_time_p95')!.value).toBe(800);
    // OTel's http.server.request.duration is in seconds: 2 s → 2000 ms.
    host.tap.publish(
      [
        ...requests(97, () => ({ ms: 20 })),
        ...Array.from({ length: 3 }, () => record({ attrs: { 'http.server.request.duration': 2 } })),
      ],
      'logs',
    );
    ext.evaluate();
    expect(state(ext, 'response_time_p95')).toBe('ok');
    expect(state(ext, 'response_time_p99')).toBe('firing');
    expect(ext.status().rules.find((r) => r.rule === 'response_time_p99')!.value).toBe(2000);
    host.tap.publish(
      requests(100, () => ({ ms: 20 })),
      'logs',
    );
    ext.evaluate();
    expect(ext.status().active).toEqual([]);
    expect(host.telemetry.value('auditline_alerts_fired_total', { rule: 'response_time_p99' })).toBe(1);
  });

  it('response_time with degraded_factor also fires when the percentile degrades against the previous window', async () => {
    const { ext, host } = await start({
      fire_after: 1,
      resolve_after: 1,
      response_time_p95: { threshold_ms: 5000, min_requests: 10, degraded_factor: 3, window: '1h' },
    });
    const timed = (ms: number) => requests(20, () => ({ ms }));
    host.tap.publish(timed(100), 'logs');
    ext.evaluate(); // no previous window yet
    expect(state(ext, 'response_time_p95')).toBe('ok');
    host.tap.publish(timed(250), 'logs');
    ext.evaluate(); // 250 ≤ 3 × 100
    expect(state(ext, 'response_time_p95')).toBe('ok');
    host.tap.publish(timed(800), 'logs');
    ext.evaluate(); // 800 > 3 × 250, though far below 5000 ms
    expect(state(ext, 'response_time_p95')).toBe('firing');
    expect(ext.status().history[0]!.message).toBe(
      'Alert "response_time_p95" fired: p95 response time 800 ms over 1h, more than 3× the previous window\'s 250 ms.',
    );
    expect(ext.status().rules[0]!.condition).toBe('> 5000 ms or > 3× the previous window');
    host.tap.publish(timed(900), 'logs');
    ext.evaluate(); // steady at the new level: resolves
    expect(state(ext, 'response_time_p95')).toBe('ok');
  });

  it('percentiles stay close to exact beyond the reservoir size (sampled, O(1) per record)', async () => {
    const { ext, host } = await start({ fire_after: 1, response_time_p95: { threshold_ms: 1 } });
    // 20000 records, durations 0..19999 in a shuffled order: exact p95 = 18999.
    const ms = Array.from({ length: 20_000 }, (_, i) => i).sort(() => Math.random() - 0.5);
    for (let i = 0; i < ms.length; i += 1000)
      host.tap.publish(
        ms.slice(i, i + 1000).map((m) => record({ attrs: { duration_ms: m } })),
        'logs',
      );
    ext.evaluate();
    const v = ext.status().rules[0]!.value!;
    expect(Math.abs(v - 18_999)).toBeLessThan(1000);
  });

  it('traffic fires above max, and below min only once a whole window has passed', async () => {
    const { ext, host } = await start({
      evaluation_interval: '1h',
      fire_after: 1,
      resolve_after: 1,
      traffic: { min: 5, max: 50, window: '2h' },
    });
    // The first evaluation has half a window: too little traffic is no verdict yet.
    host.tap.publish(requests(2), 'logs');
    ext.evaluate();
    expect(state(ext, 'traffic')).toBe('ok');
    host.tap.publish(requests(1), 'logs');
    ext.evaluate();
    expect(state(ext, 'traffic')).toBe('firing'); // 3 records over 2 intervals < 5
    expect(ext.status().rules[0]!.value).toBe(3);
    host.tap.publish(requests(10), 'logs');
    ext.evaluate();
    expect(state(ext, 'traffic')).toBe('ok'); // 1 + 10 = 11
    host.tap.publish(requests(60), 'logs');
    ext.evaluate();
    expect(state(ext, 'traffic')).toBe('firing'); // 70 > 50
    expect(ext.status().history.map((e) => e.status)).toEqual(['firing', 'resolved', 'firing']);
    expect(host.telemetry.value('auditline_alerts_fired_total', { rule: 'traffic' })).toBe(2);
  });

  it('oauth_failures counts OAuth events with a failure outcome, not successes or other events', async () => {
    const { ext, host } = await start({ fire_after: 1, resolve_after: 1, oauth_failures: { threshold: 3 } });
    const oauth = (event: string, attrs: Record<string, string | number> = {}, severity = SEV.INFO) =>
      record({ event, severity, attrs: { 'oauth.client_id': 'app', ...attrs } });
    host.tap.publish(
      [
        oauth('oauth.token', { 'event.outcome': 'failure' }),
        oauth('oauth_login_failed'),
        oauth('oauth.authorize', { 'http.response.status_code': 401 }),
        oauth('oauth.token', {}, SEV.ERROR),
        // not failures
        oauth('oauth.token', { 'event.outcome': 'success' }),
        oauth('oauth.authorize'),
        record({ event: 'login_failed', attrs: { 'event.outcome': 'failure' } }),
      ],
      'logs',
    );
    ext.evaluate();
    expect(ext.status().rules[0]!.value).toBe(4);
    expect(state(ext, 'oauth_failures')).toBe('firing');
    // The event name may also come from the `event.name` attribute.
    host.tap.publish([record({ attrs: { 'event.name': 'oauth.token', outcome: 'denied' } })], 'logs');
    ext.evaluate();
    expect(ext.status().rules[0]!.value).toBe(1);
    expect(state(ext, 'oauth_failures')).toBe('ok');
  });

  it('watches only the listed pipelines', async () => {
    const { ext, host } = await start({ fire_after: 1, pipelines: ['logs/audit'], traffic: { max: 5 } });
    host.tap.publish(requests(10), 'logs/other');
    ext.evaluate();
    expect(ext.status().rules[0]!.value).toBe(0);
    host.tap.publish(requests(10), 'logs/audit');
    ext.evaluate();
    expect(state(ext, 'traffic')).toBe('firing');
  });

  it('with no rules it does not listen to the tap; shutdown is safe without start and twice', async () => {
    const host = testHost();
    const { ext } = await start({}, host);
    expect(host.tap.active).toBe(false);
    await ext.shutdown();
    await ext.shutdown();
    const { ext: other } = await start({ traffic: { max: 1 } }, host);
    expect(host.tap.active).toBe(true);
    await other.shutdown();
    expect(host.tap.active).toBe(false);
  });
});

describe('alerts webhook', () => {
  it('POSTs each firing and resolution as JSON', async () => {
    const hook = await startWebhook();
    hooks.push(hook);
    const { ext, host } = await start({
      fire_after: 1,
      resolve_after: 1,
      traffic: { max: 2 },
      webhook: { endpoint: hook.url, headers: { 'x-test': 'yes' } },
    });
    host.tap.publish(requests(5), 'logs');
    ext.evaluate();
    ext.evaluate();
    await hook.waitFor(2);
    await until(() => host.telemetry.value('auditline_alerts_webhook_sent_total') === 2);
    expect(hook.received.map((b) => [b.status, b.rule, b.value])).toEqual([
      ['firing', 'traffic', 5],
      ['resolved', 'traffic', 0],
    ]);
    expect(hook.received[0]!._method).toBe('POST');
    expect(hook.received[0]!._contentType).toBe('application/json');
    expect(hook.received[0]!.message).toContain('Alert "traffic" fired');
  });

  it('retries a failing webhook with backoff until it answers', async () => {
    const hook = await startWebhook(3);
    hooks.push(hook);
    const { ext, host } = await start({
      fire_after: 1,
      traffic: { max: 2 },
      webhook: { endpoint: hook.url, initial_interval: '10ms', max_interval: '40ms', max_retries: 5 },
    });
    host.tap.publish(requests(5), 'logs');
    ext.evaluate();
    await hook.waitFor(1);
    expect(hook.attempts).toBe(4);
    expect(hook.received[0]!.status).toBe('firing');
    expect(host.telemetry.value('auditline_alerts_webhook_retries_total')).toBe(3);
    await until(() => host.telemetry.value('auditline_alerts_webhook_sent_total') === 1);
  });

  it('drops a notification after max_retries (counted) and goes on with the next', async () => {
    const hook = await startWebhook(2);
    hooks.push(hook);
    const { ext, host } = await start({
      fire_after: 1,
      resolve_after: 1,
      traffic: { max: 2 },
      webhook: { endpoint: hook.url, initial_interval: '5ms', max_retries: 1 },
    });
    host.tap.publish(requests(5), 'logs');
    ext.evaluate(); // firing: 2 attempts, both refused
    ext.evaluate(); // resolved: delivered
    await hook.waitFor(1);
    expect(hook.received.map((b) => b.status)).toEqual(['resolved']);
    expect(host.telemetry.value('auditline_alerts_webhook_failed_total')).toBe(1);
  });

  it('a webhook that is down never delays the tap or evaluation, and its queue is bounded', async () => {
    const hook = await startWebhook(1_000_000);
    hooks.push(hook);
    const { ext, host } = await start({
      fire_after: 1,
      resolve_after: 1,
      traffic: { max: 0 },
      webhook: { endpoint: hook.url, initial_interval: '1h', max_interval: '1h', queue_size: 3 },
    });
    for (let i = 1; i <= 20; i++) {
      host.tap.publish(requests(i % 2), 'logs');
      ext.evaluate();
    }
    // 10 firings + 10 resolutions: one in flight (waiting for its retry), three queued, the rest dropped.
    expect(ext.status().history).toHaveLength(20);
    expect(host.telemetry.value('auditline_alerts_webhook_dropped_total')).toBe(16);
    await ext.shutdown();
    // At shutdown the queued three and the one waiting for its retry are dropped too.
    await until(() => host.telemetry.value('auditline_alerts_webhook_dropped_total') === 20);
  });
});
