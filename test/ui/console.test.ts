// The web console in a real browser (headless Chromium through playwright-core)
// against a real collector process (otlp → redaction → sqlite + redis, query_api
// with the console, alerts) fed by the official OTLP/proto exporter, with a
// real redis-server. With AUDITLINE_SCREENSHOTS=<dir> (npm run screenshots)
// it also writes one light-theme PNG per page there.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startCollector, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { JOB_ID, otlpSender, sendAppEvents, sendJob, sendRequests, type Sender } from './data.js';

const TOKEN = 'console-e2e-token';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.AUDITLINE_SCREENSHOTS ? join(ROOT, process.env.AUDITLINE_SCREENSHOTS) : undefined;
const POLL = { timeout: 20_000, interval: 50 };

let redis: RedisServer;
let collector: RunningCollector;
let sender: Sender;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;

async function shot(name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Loads the console afresh on a page (a hash change alone may land before the old page unmounts). */
async function go(hash: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`${base}/#/${hash}`);
  await page.waitForSelector(`#nav a[data-page="${hash}"][aria-current="page"]`);
}

/** Polls `check` (for hooks, where expect.poll is not available). */
async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for the collector to store the records.');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Form fields on the page without a label or aria-label (expected: none). */
const unlabelled = () =>
  page.evaluate(() =>
    [...document.querySelectorAll('input, select')]
      .filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML),
  );

const texts = (selector: string) => page.locator(selector).allTextContents();

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH.`,
    );
  redis = await startRedis();
  const [otlpPort, apiPort] = [await freePort(), await freePort()];
  collector = await startCollector(`
receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${otlpPort}" }
processors:
  redaction: {}
  batch: { timeout: 20ms }
exporters:
  sqlite:
    path: "{{dir}}/data/auditline.db"
  redis:
    endpoint: "${redis.url}"
    slow_threshold: 500ms
extensions:
  query_api:
    endpoint: "127.0.0.1:${apiPort}"
    auth: { tokens: ["${TOKEN}"] }
    stream: { buffer_size: 50000 }
  alerts:
    evaluation_interval: 1s
    fire_after: 1
    error_rate: { threshold: 0.05, min_requests: 10, window: 1m }
    response_time_p95: { threshold_ms: 1000, window: 1m }
service:
  extensions: [query_api, alerts]
  pipelines:
    logs:
      receivers: [otlp]
      processors: [redaction, batch]
      exporters: [sqlite, redis]
`);
  base = `http://127.0.0.1:${apiPort}`;
  sender = otlpSender(otlpPort);
  sendAppEvents(sender.logger);
  sendJob(sender.logger, 37, 100);
  sendRequests(sender.logger);
  await sender.flush();
  // Stored: the audit and job routes answer with what was sent.
  await until(async () => {
    const r = await fetch(`${base}/api/logs/jobs/${JOB_ID}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return r.ok && ((await r.json()) as { logs: unknown[] }).logs.length === 38;
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    timezoneId: 'UTC',
  });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sender?.shutdown();
  await collector?.cleanup();
  await redis?.stop();
});

describe('web console in Chromium', () => {
  it('refuses a bad token and sets no cookie', async () => {
    await page.goto(`${base}/`);
    await page.fill('#token', 'not-the-token');
    await page.click('#sign-in-form button[type=submit]');
    await expect.poll(() => page.textContent('#sign-in-error'), POLL).toBe('That token was refused.');
    expect(await context.cookies()).toEqual([]);
    expect(await page.isHidden('#nav')).toBe(true);
  });

  it('signs in; the session cookie is HttpOnly and SameSite=Strict and the token is not kept by the page', async () => {
    await page.fill('#token', TOKEN);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#nav a[data-page="live"][aria-current="page"]');
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'auditline_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookies[0]!.expires).toBeGreaterThan(Date.now() / 1000);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).not.toContain(TOKEN);
    expect(await page.inputValue('#token')).toBe('');
  });

  it('Live: a record sent now arrives in the view (gap measured), filters narrow the stream', async () => {
    await go('live');
    await expect.poll(() => page.textContent('#live-status'), POLL).toMatch(/^Connected/);
    const sentAt = Date.now();
    sender.logger.emit({
      severityText: 'ERROR',
      severityNumber: 17,
      body: 'Payment webhook rejected: signature mismatch (evt_3PZ)',
      attributes: { component: 'payments', 'user.id': 'u-2077', 'session.id': 's-91bc' },
    });
    await sender.flush();
    const row = page.locator('#live-rows .lv-row', { hasText: 'Payment webhook rejected' });
    await row.waitFor().catch((err: unknown) => {
      console.log(collector.output().slice(-3000));
      throw err;
    });
    const gapMs = Date.now() - sentAt;
    console.log(`Live view: record visible ${gapMs} ms after it was emitted (the issue asks for under a second).`);
    expect(await row.getAttribute('class')).toBe('lv-row lvl-ERROR');

    // Filter: level ERROR and component checkout; an INFO and another component's error are not shown.
    await page.selectOption('select[name=level]', 'ERROR,CRITICAL');
    await page.fill('input[name=component]', 'checkout');
    await page.click('form[aria-label="Live filters"] button[type=submit]');
    await expect.poll(() => page.textContent('#live-status'), POLL).toMatch(/^Connected/);
    for (const [sev, component, body] of [
      [9, 'checkout', 'Checkout page rendered for cart C-5531'],
      [17, 'search', 'Search index shard 2 unavailable'],
      [17, 'checkout', 'Order ORD-88231 failed: address validation error'],
    ] as const) {
      sender.logger.emit({
        severityNumber: sev,
        severityText: sev === 17 ? 'ERROR' : 'INFO',
        body,
        attributes: { component },
      });
    }
    await sender.flush();
    await page.locator('#live-rows .lv-row', { hasText: 'Order ORD-88231 failed' }).waitFor();
    expect(await texts('#live-rows .lv-row')).toHaveLength(1);

    // Back to everything, with realistic traffic for the screenshot.
    await page.selectOption('select[name=level]', '');
    await page.fill('input[name=component]', '');
    await page.click('form[aria-label="Live filters"] button[type=submit]');
    await expect.poll(() => page.textContent('#live-status'), POLL).toMatch(/^Connected/);
    sendAppEvents(sender.logger, 1, 2);
    await sender.flush();
    await expect.poll(() => page.getAttribute('#live-status', 'data-rows'), POLL).toBe('24');
    await expect.poll(() => page.textContent('#live-status'), POLL).toContain('24 rows');
    await expect
      .poll(() => page.textContent('#live-rows .lv-row:last-child'), POLL)
      .toContain('Sent order confirmation');
    await shot('live');
  });

  it('Live: pause holds new records back until resumed', async () => {
    await page.click('button:has-text("Pause")');
    expect(await page.getAttribute('button:has-text("Resume")', 'aria-pressed')).toBe('true');
    sender.logger.emit({
      severityNumber: 9,
      body: 'Price list refreshed (1,204 products)',
      attributes: { component: 'pricing' },
    });
    await sender.flush();
    await expect.poll(() => page.textContent('#live-status'), POLL).toContain('1 waiting');
    expect(await page.locator('#live-rows .lv-row', { hasText: 'Price list refreshed' }).count()).toBe(0);
    await page.click('button:has-text("Resume")');
    await page.locator('#live-rows .lv-row', { hasText: 'Price list refreshed' }).waitFor();
  });

  it('Audit search: shows the stored records, filters narrow them, pages, and shows one record in full', async () => {
    await go('audit');
    await page.locator('#audit-rows tr').first().waitFor();
    expect((await texts('#audit-rows tr')).join('\n')).toContain('Order ORD-88213 created');
    await page.fill('input[name=component]', 'payments');
    await page.click('form[aria-label="Audit filters"] button[type=submit]');
    await expect
      .poll(async () => (await texts('#audit-rows tr td:nth-child(3)')).every((c) => c === 'payments'), POLL)
      .toBe(true);
    const payments = await page.locator('#audit-rows tr').count();
    expect(payments).toBeGreaterThanOrEqual(6);
    // Payment retries: three sent at start, two more by the Live test.
    await page.selectOption('select[name=level]', 'WARNING');
    await page.click('form[aria-label="Audit filters"] button[type=submit]');
    await expect.poll(() => page.locator('#audit-rows tr').count(), POLL).toBe(5);
    // Time range: payment records were sent over 50 minutes; the last 15 minutes hold fewer, all recent.
    await page.selectOption('select[name=level]', '');
    await page.selectOption('select[name=range]', '15m');
    await page.click('form[aria-label="Audit filters"] button[type=submit]');
    // Polled as a whole: the previous result (5 retries from any time) stays on screen until the answer arrives.
    const since = Date.now() - 15 * 60_000 - 5000;
    const recent = async () => {
      const times = await page.locator('#audit-rows tr td:first-child').evaluateAll((tds) => tds.map((td) => td.title));
      return times.length > 0 && times.length < payments && times.every((t) => Date.parse(t) >= since);
    };
    await expect.poll(recent, POLL).toBe(true);
    await page.selectOption('select[name=range]', '');
    await page.fill('input[name=since]', '');
    // Paging: 25 a page over every record.
    await page.fill('input[name=component]', '');
    await page.selectOption('select[name=level]', '');
    await page.selectOption('select[name=limit]', '25');
    await page.click('form[aria-label="Audit filters"] button[type=submit]');
    await expect.poll(() => page.locator('#audit-rows tr').count(), POLL).toBe(25);
    const first = await page.textContent('#audit-rows tr:first-child');
    await page.click('button:has-text("Older")');
    await expect.poll(() => page.textContent('.pager span'), POLL).toBe('Page 2');
    expect(await page.textContent('#audit-rows tr:first-child')).not.toBe(first);
    await page.click('button:has-text("Newer")');
    await expect.poll(() => page.textContent('#audit-rows tr:first-child'), POLL).toBe(first);
    // Keyboard: focus a row and press Enter for its detail.
    const target = page.locator('#audit-rows tr', { hasText: 'Payment provider answered 429' }).first();
    await target.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#audit-detail'), POLL).toContain('payment.retry');
    expect(await page.textContent('#audit-detail')).toContain('s-7f3a');
    expect(await page.textContent('#audit-detail')).not.toContain('[object');
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await unlabelled()).toEqual([]);
    await shot('audit');
  });

  it("Jobs: a job's entries as a progress bar", async () => {
    await go('jobs');
    await page.fill('input[name=job_id]', JOB_ID);
    await page.click('form[aria-label="Open a job"] button[type=submit]');
    const bar = page.locator('#job-view progress');
    await bar.waitFor();
    expect(await bar.getAttribute('max')).toBe('100');
    expect(await bar.evaluate((el) => (el as HTMLProgressElement).value)).toBe(37);
    expect(await page.textContent('.job-caption')).toBe('Track 37/100 downloaded');
    expect(await page.locator('#job-rows tr').count()).toBe(38);
    expect(await page.textContent('#job-view')).toContain('37 %');
    expect(await unlabelled()).toEqual([]);
    await shot('jobs');
  });

  it('Requests: tiles, charts, top paths, slow requests, errors and a drill-down by IP', async () => {
    await go('requests');
    await expect.poll(() => page.textContent('#req-tiles'), POLL).toContain('Requests');
    const tiles = await page.textContent('#req-tiles');
    expect(tiles).toContain('240');
    expect(await page.locator('#req-charts svg').count()).toBe(4);
    expect(await page.locator('#req-charts svg path.line').count()).toBeGreaterThanOrEqual(4);
    const paths = await texts('#path-rows tr td:first-child');
    expect(paths).toContain('/api/products/{id}');
    expect(await page.locator('#slow-rows tr').count()).toBeGreaterThan(0);
    // Failed requests and ERROR records (these have no status).
    const errorStatuses = (await texts('#error-rows tr td:nth-child(4)')).filter((s) => s !== '');
    expect(errorStatuses.length).toBeGreaterThan(0);
    expect(errorStatuses.every((s) => Number(s) >= 400)).toBe(true);
    expect((await texts('#error-rows tr td:nth-child(3)')).join('\n')).toContain(
      'Stock sync with warehouse WH-3 failed',
    );
    // Drill down by the client of the first failed request: only that client's requests.
    const ipButton = page.locator('#error-rows td:nth-child(6) button').first();
    const ip = (await ipButton.textContent())!;
    await ipButton.click();
    await page.locator('#drill-rows tr').first().waitFor();
    const ips = await texts('#drill-rows tr td:nth-child(6)');
    expect(ips.length).toBeGreaterThan(1);
    expect(new Set(ips)).toEqual(new Set([ip]));
    expect(await page.textContent('#req-drill')).toContain(`requests from client ${ip}`);
    // And by user, from a slow request's user.
    const userButton = page.locator('#slow-rows td:nth-child(7) button').first();
    const user = (await userButton.textContent())!;
    await userButton.click();
    await expect.poll(() => page.textContent('#req-drill'), POLL).toContain(`requests from user ${user}`);
    const users = await texts('#drill-rows tr td:nth-child(7)');
    expect(users.length).toBeGreaterThan(1);
    expect(new Set(users)).toEqual(new Set([user]));
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await unlabelled()).toEqual([]);
    await shot('requests');
  });

  it('Alerts: the configured rules and their state', async () => {
    await go('alerts');
    await page.locator('#alert-rules tr').first().waitFor();
    expect(await texts('#alert-rules tr td:first-child')).toEqual(['error_rate', 'response_time_p95']);
    await shot('alerts');
  });

  it("Health: the collector's own counters", async () => {
    await go('health');
    await expect
      .poll(async () => Number((await page.textContent('[data-key="accepted"] .v'))!.replace(/,/g, '')), POLL)
      .toBeGreaterThanOrEqual(300);
    expect(await page.textContent('#health-tiles')).toContain('Exported');
    await shot('health');
  });

  it('the theme toggle switches to dark and back, and is remembered across reloads', async () => {
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await bg();
    expect(await page.getAttribute('#theme-toggle', 'aria-pressed')).toBe('false');
    await page.click('#theme-toggle');
    expect(await page.getAttribute('#theme-toggle', 'aria-pressed')).toBe('true');
    expect(await bg()).not.toBe(light);
    await page.reload();
    await page.waitForSelector('#nav a[aria-current="page"]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    if (process.env.AUDITLINE_DARK_SHOT) await page.screenshot({ path: process.env.AUDITLINE_DARK_SHOT });
    await page.click('#theme-toggle');
    expect(await bg()).toBe(light);
  });

  it('refuses a DELETE made with the cookie but without the CSRF token', async () => {
    const status = await page.evaluate(async () => (await fetch('/logs', { method: 'DELETE' })).status);
    expect(status).toBe(403);
    expect(Number(await redis.cli('dbsize'))).toBeGreaterThan(0);
  });

  it('Live: 12,000 records keep at most 10,000 rows in the page', async () => {
    await go('live');
    await expect.poll(() => page.textContent('#live-status'), POLL).toMatch(/^Connected/);
    // Long main-thread tasks while the burst renders, reported (not asserted: the machine is shared).
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    for (let i = 0; i < 12_000; i++)
      sender.logger.emit({
        severityNumber: i % 50 ? 9 : 17,
        body: `bulk record ${i}`,
        attributes: { component: 'bulk' },
      });
    await sender.flush();
    await expect
      .poll(() => page.getAttribute('#live-status', 'data-received'), { timeout: 60_000, interval: 200 })
      .toBe('12000');
    await expect
      .poll(() => page.textContent('#live-rows .lv-row:last-child'), { timeout: 20_000, interval: 200 })
      .toContain('bulk record 11999');
    // The buffer holds the newest 10,000; the page draws only the rows in view.
    expect(await page.getAttribute('#live-status', 'data-rows')).toBe('10000');
    expect(await page.getAttribute('[role=table][aria-label^="Live records"]', 'aria-rowcount')).toBe('10001');
    const drawn = await page.locator('#live-rows .lv-row').count();
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThanOrEqual(10_000);
    expect(drawn).toBeLessThan(200);
    // Scrolled to the top: the oldest record kept is the 2,001st sent.
    await page.locator('.live-wrap').evaluate((el) => {
      el.scrollTop = 0;
    });
    await expect.poll(() => page.textContent('#live-rows .lv-row:first-child'), POLL).toContain('bulk record 2000');
    const long = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.log(
      `Live view, 12,000 records: ${long.length} main-thread tasks over 50 ms, ` +
        `longest ${Math.round(Math.max(0, ...long))} ms.`,
    );
    // Still responsive with a full buffer: a filter change clears and reconnects.
    await page.click('button:has-text("Clear")');
    await expect.poll(() => page.locator('#live-rows .lv-row').count(), POLL).toBe(0);
  }, 120_000);

  it('signs out: the session ends and the sign-in form returns', async () => {
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in-form', { state: 'visible' });
    expect(await page.evaluate(async () => (await fetch('/api/console')).status)).toBe(401);
  });
});
