// The console in headless Chromium against a query API with no exporter and no
// alerts: pages without a backend say so (and how to add it), and the basics a
// keyboard or screen-reader user needs hold: a skip link first in tab order,
// landmarks, labelled fields, focus moved to the page heading on navigation.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../extensions/query-api/helpers.js';

const TOKEN = 'console-a11y-token';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let run: RunningApi;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH.`);
  run = await startApi({ auth: { tokens: [TOKEN] } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  page = await (await browser.newContext({ colorScheme: 'light' })).newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${run.url}/`);
  await page.fill('#token', TOKEN);
  await page.press('#token', 'Enter');
  await page.waitForSelector('#nav a[data-page="live"][aria-current="page"]');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await run?.api.shutdown();
});

/** Form fields without a label or aria-label. */
const unlabelled = () =>
  page.evaluate(() =>
    [...document.querySelectorAll('input, select')]
      .filter((el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML),
  );

describe('web console without backends, by keyboard', () => {
  it('marks and explains the pages whose backend is not configured', async () => {
    const off = await page.locator('#nav a.off').evaluateAll((els) => els.map((a) => (a as HTMLElement).dataset.page));
    expect(off).toEqual(['audit', 'jobs', 'requests', 'alerts']);
    for (const [name, needs] of [
      ['audit', 'sqlite:'],
      ['jobs', 'sqlite:'],
      ['requests', 'redis:'],
      ['alerts', 'alerts:'],
    ]) {
      await page.click(`#nav a[data-page="${name}"]`);
      await page.waitForSelector(`#nav a[data-page="${name}"][aria-current="page"]`);
      const notice = await page.textContent('#page .notice');
      expect(notice, name).toMatch(/not configured|no (sqlite|redis) exporter serves/);
      expect(notice, name).toContain(needs);
    }
    await page.click('#nav a[data-page="health"]');
    await page.waitForSelector('#health-tiles');
  });

  it('has landmarks, a skip link first in tab order, labelled fields, and moves focus to the heading', async () => {
    await page.goto('about:blank');
    await page.goto(`${run.url}/#/live`);
    await page.waitForSelector('#live-status');
    expect(await page.locator('header[role=banner], nav[aria-label="Pages"], main#main').count()).toBe(3);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(await unlabelled()).toEqual([]);
    expect(await page.getAttribute('#live-status', 'aria-live')).toBe('polite');
    // Navigating by keyboard: focus lands on the new page's heading.
    await page.focus('#nav a[data-page="health"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#nav a[data-page="health"][aria-current="page"]');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Health');
    // The focused link shows a visible outline.
    await page.focus('#nav a[data-page="live"]');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
  });

  it('follows prefers-color-scheme: dark without the toggle', async () => {
    const dark = await browser.newContext({ colorScheme: 'dark' });
    try {
      const p = await dark.newPage();
      await p.goto(`${run.url}/`);
      await p.waitForSelector('#sign-in-form', { state: 'visible' });
      const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe('rgb(13, 17, 23)');
      expect(await p.getAttribute('#theme-toggle', 'aria-pressed')).toBe('true');
    } finally {
      await dark.close();
    }
  });
});
