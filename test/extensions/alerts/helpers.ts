// Builds the alerts extension the way the collector does, on a host with a real tap,
// and a real local webhook receiver (node:http on 127.0.0.1:0).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatIssue, type ConfigIssue } from '../../../src/config/schema.js';
import type { AlertsExtension } from '../../../src/extensions/alerts/alerts.js';
import { alertsExtensionFactory } from '../../../src/extensions/alerts/factory.js';
import type { AlertsConfig } from '../../../src/extensions/alerts/config.js';
import { captureLogger, testHost, type TestHost } from '../../exporters/sqlite/fixtures.js';

export function parseAlertsConfig(raw: Record<string, unknown>): AlertsConfig {
  const issues: ConfigIssue[] = [];
  const cfg = alertsExtensionFactory.config.parse(raw, ['extensions', 'alerts'], issues);
  if (!cfg) throw new Error(issues.map(formatIssue).join('\n'));
  return cfg;
}

export function configIssues(raw: Record<string, unknown>): string[] {
  const issues: ConfigIssue[] = [];
  alertsExtensionFactory.config.parse(raw, ['extensions', 'alerts'], issues);
  return issues.map(formatIssue);
}

/** Started with a long evaluation interval so the test drives evaluate() itself. */
export async function startAlerts(
  raw: Record<string, unknown>,
  host: TestHost = testHost(captureLogger()),
): Promise<{ ext: AlertsExtension; host: TestHost; lines: string[] }> {
  const { logger, lines } = captureLogger();
  const ext = alertsExtensionFactory.create(
    { id: 'alerts', logger, telemetry: host.telemetry },
    parseAlertsConfig({ evaluation_interval: '1h', ...raw }),
  ) as AlertsExtension;
  await ext.start(host);
  return { ext, host, lines };
}

export interface Webhook {
  url: string;
  /** Parsed bodies of the POSTs answered 200. */
  received: Record<string, any>[];
  attempts: number;
  close(): Promise<void>;
  /** Resolves once `n` notifications were received. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
}

/** A webhook receiver that answers the first `failFirst` attempts with 503. */
export async function startWebhook(failFirst = 0): Promise<Webhook> {
  const received: Record<string, any>[] = [];
  const state = { attempts: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.attempts++;
      if (state.attempts <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      received.push({
        ...JSON.parse(Buffer.concat(chunks).toString('utf8')),
        _contentType: req.headers['content-type'],
        _method: req.method,
      });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get attempts() {
      return state.attempts;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
    waitFor: (n, timeoutMs = 10_000) => until(() => received.length >= n, timeoutMs, `${n} webhook notifications`),
  };
}

/** Polls `cond` every 10 ms; rejects after `timeoutMs` (a generous bound, not a timing assertion). */
export async function until(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'the condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
