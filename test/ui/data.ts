// Realistic records for the console tests and screenshots, sent through the
// official OTLP/proto exporter: application events of a small web shop, one
// download job's progress, and an hour of HTTP requests for the redis pages.
import { SeverityNumber, type Logger } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';

export interface Sender {
  logger: Logger;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function otlpSender(otlpPort: number): Sender {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop-api' }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${otlpPort}/v1/logs` }),
        scheduledDelayMillis: 10,
        maxQueueSize: 40_000,
        maxExportBatchSize: 1000,
      }),
    ],
  });
  return {
    logger: provider.getLogger('shop-api'),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

const SEV: Record<string, SeverityNumber> = {
  DEBUG: SeverityNumber.DEBUG,
  INFO: SeverityNumber.INFO,
  WARNING: SeverityNumber.WARN,
  ERROR: SeverityNumber.ERROR,
};

/** Application events, spread over the last `minutes` (oldest first). */
export const APP_EVENTS: [
  level: string,
  component: string,
  event: string,
  message: string,
  user: string,
  session: string,
][] = [
  ['INFO', 'auth', 'user.login', 'User signed in with password', 'u-1042', 's-7f3a'],
  ['INFO', 'cart', 'cart.item_added', 'Added SKU-2231 (espresso beans, 1 kg) to cart', 'u-1042', 's-7f3a'],
  ['DEBUG', 'pricing', 'price.computed', 'Computed cart total 42.90 EUR with 2 discounts', 'u-1042', 's-7f3a'],
  ['INFO', 'checkout', 'order.created', 'Order ORD-88213 created (3 items)', 'u-1042', 's-7f3a'],
  ['WARNING', 'payments', 'payment.retry', 'Payment provider answered 429; retrying in 2 s', 'u-1042', 's-7f3a'],
  ['INFO', 'payments', 'payment.captured', 'Payment captured for ORD-88213', 'u-1042', 's-7f3a'],
  ['INFO', 'auth', 'user.login', 'User signed in with SSO', 'u-2077', 's-91bc'],
  [
    'ERROR',
    'inventory',
    'stock.sync_failed',
    'Stock sync with warehouse WH-3 failed: connection reset',
    'u-2077',
    's-91bc',
  ],
  ['INFO', 'search', 'search.query', 'Search "grinder" returned 14 results in 38 ms', 'u-2077', 's-91bc'],
  ['WARNING', 'auth', 'user.login_failed', 'Wrong password for u-3110 (attempt 3)', 'u-3110', 's-0d44'],
  ['ERROR', 'checkout', 'order.failed', 'Order ORD-88214 failed: card declined', 'u-3110', 's-0d44'],
  ['INFO', 'mailer', 'mail.sent', 'Sent order confirmation for ORD-88213 to a***@example.com', 'u-1042', 's-7f3a'],
];

export function sendAppEvents(logger: Logger, minutes = 50, repeat = 3, tag = ''): number {
  const now = Date.now();
  const total = APP_EVENTS.length * repeat;
  let n = 0;
  for (let r = 0; r < repeat; r++) {
    for (const [level, component, event, message, user, session] of APP_EVENTS) {
      const at = now - minutes * 60_000 + Math.round((n * minutes * 60_000) / total);
      logger.emit({
        timestamp: new Date(at),
        severityNumber: SEV[level],
        severityText: level,
        body: `${message}${tag}`,
        eventName: event,
        attributes: { component, operation: event.split('.')[1]!, 'user.id': user, 'session.id': session },
      });
      n++;
    }
  }
  return n;
}

export const JOB_ID = 'playlist-sync-42';

/** A download job: `done` of `total` tracks so far. */
export function sendJob(logger: Logger, done: number, total: number): void {
  const now = Date.now();
  logger.emit({
    timestamp: new Date(now - (done + 2) * 1000),
    severityNumber: SeverityNumber.INFO,
    body: `Starting playlist sync (${total} tracks)`,
    attributes: { 'job.id': JOB_ID, component: 'sync', 'job.progress.current': 0, 'job.progress.total': total },
  });
  for (let i = 1; i <= done; i++) {
    logger.emit({
      timestamp: new Date(now - (done - i + 1) * 1000),
      severityNumber: i === 17 ? SeverityNumber.WARN : SeverityNumber.INFO,
      body: i === 17 ? `Track ${i}/${total} downloaded after 1 retry` : `Track ${i}/${total} downloaded`,
      attributes: { 'job.id': JOB_ID, component: 'sync', 'job.progress.current': i, 'job.progress.total': total },
    });
  }
}

const PATHS = [
  '/api/products',
  '/api/products/{id}',
  '/api/cart',
  '/api/orders',
  '/api/orders/{id}',
  '/api/search',
  '/health',
];
const IPS = ['203.0.113.7', '198.51.100.23', '192.0.2.14', '203.0.113.99', '198.51.100.4', '192.0.2.201'];
const USERS = ['u-1042', 'u-2077', 'u-3110', 'u-5120'];

/** `n` HTTP requests over the last `minutes`, deterministic: some 4xx/5xx, some slow. */
export function sendRequests(logger: Logger, n = 240, minutes = 50): void {
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const at = now - minutes * 60_000 + Math.round((i * minutes * 60_000) / n);
    const route = PATHS[(i * 3) % PATHS.length]!;
    const path = route.replace('{id}', String(1000 + ((i * 13) % 50)));
    const status =
      i % 37 === 5 ? 500 : i % 19 === 3 ? 404 : i % 29 === 9 ? 401 : route === '/api/orders' && i % 2 ? 201 : 200;
    const ms = route === '/api/search' ? 120 + ((i * 37) % 400) : 12 + ((i * 29) % 90) + (i % 41 === 0 ? 1800 : 0);
    const attrs: Record<string, string | number> = {
      'client.address': IPS[(i * 5) % IPS.length]!,
      'server.address': 'shop.example.com',
      'http.request.method': route === '/api/orders' || route === '/api/cart' ? (i % 3 ? 'POST' : 'GET') : 'GET',
      'url.path': path,
      'http.route': route,
      'http.response.status_code': status,
      'http.server.request.duration': ms / 1000,
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)',
    };
    if (i % 3 !== 0) attrs['user.id'] = USERS[i % USERS.length]!;
    if (status >= 500) attrs['error.message'] = 'upstream timeout from inventory service';
    logger.emit({
      timestamp: new Date(at),
      severityNumber: status >= 500 ? SeverityNumber.ERROR : status >= 400 ? SeverityNumber.WARN : SeverityNumber.INFO,
      body: `${attrs['http.request.method']} ${path} ${status}`,
      attributes: attrs,
    });
  }
}
