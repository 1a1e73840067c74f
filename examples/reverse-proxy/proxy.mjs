// A small HTTP reverse proxy instrumented with the OpenTelemetry logs SDK:
// one log record per proxied request, with semantic-convention attributes
// (client.address, server.address, http.request.method, url.path,
// http.response.status_code, http.server.request.duration, user.id, …),
// sent over OTLP/HTTP to the sidecar collector, which indexes them in Redis.
//
//   node proxy.mjs            proxy :8000 → $UPSTREAM (default http://127.0.0.1:8001)
//   node proxy.mjs --demo     also start a demo upstream, send 300 requests through the proxy, flush, exit
//
// Environment: LISTEN_PORT (8000), UPSTREAM, UPSTREAM_PORT (8001, --demo),
// OTLP_LOGS_URL (http://localhost:4318/v1/logs), TRUST_FORWARDED=1 to take
// the client address from X-Forwarded-For (only behind a proxy you trust).
import { createServer, request as httpRequest } from 'node:http';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { reportOutcome, withOutcome } from '../shared/export-outcome.mjs';

const demo = process.argv.includes('--demo');
const LISTEN_PORT = Number(process.env.LISTEN_PORT ?? 8000);
const UPSTREAM_PORT = Number(process.env.UPSTREAM_PORT ?? 8001);
const UPSTREAM = new URL(process.env.UPSTREAM ?? `http://127.0.0.1:${UPSTREAM_PORT}`);
const TRUST_FORWARDED = demo || process.env.TRUST_FORWARDED === '1';

const OTLP_URL = process.env.OTLP_LOGS_URL ?? 'http://localhost:4318/v1/logs';
// Counts what the collector accepted: the SDK's batch processor drops failed exports without telling the app.
const { exporter, outcome } = withOutcome(new OTLPLogExporter({ url: OTLP_URL }));
const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'edge-proxy' }),
  processors: [
    new BatchLogRecordProcessor({
      exporter,
      scheduledDelayMillis: 200,
      // The SDK's default queue (2,048) silently drops the rest of a burst; size it for the largest one.
      maxQueueSize: 100_000,
      maxExportBatchSize: 1024,
    }),
  ],
});
const logger = provider.getLogger('edge-proxy.access');

/** Known routes, so the Redis path index groups /users/42 and /users/43. */
const ROUTES = [
  [/^\/users\/[^/]+$/, '/users/{id}'],
  [/^\/orders\/[^/]+$/, '/orders/{id}'],
];

function clientAddress(req) {
  const fwd = TRUST_FORWARDED ? req.headers['x-forwarded-for'] : undefined;
  if (typeof fwd === 'string' && fwd !== '') return fwd.split(',')[0].trim();
  return req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? 'unknown';
}

function cookie(req, name) {
  const m = new RegExp(`(?:^|;\\s*)${name}=([^;]*)`).exec(req.headers.cookie ?? '');
  return m ? decodeURIComponent(m[1]) : undefined;
}

function logRequest(req, path, status, bytes, startedNs, errorType) {
  const seconds = Number(process.hrtime.bigint() - startedNs) / 1e9;
  const attributes = {
    'client.address': clientAddress(req),
    'server.address': (req.headers.host ?? 'localhost').replace(/:\d+$/, ''),
    'http.request.method': req.method,
    'url.path': path,
    'http.response.status_code': status,
    'http.server.request.duration': seconds,
    'http.response.body.size': bytes,
  };
  const route = ROUTES.find(([re]) => re.test(path));
  if (route) attributes['http.route'] = route[1];
  if (req.headers['user-agent']) attributes['user_agent.original'] = req.headers['user-agent'];
  if (req.headers.referer) attributes['http.request.header.referer'] = [req.headers.referer];
  if (req.headers['x-user-id']) attributes['user.id'] = String(req.headers['x-user-id']);
  const session = cookie(req, 'session');
  if (session) attributes['session.id'] = session;
  if (errorType) attributes['error.type'] = errorType;
  logger.emit({
    severityNumber: status >= 500 ? SeverityNumber.ERROR : status >= 400 ? SeverityNumber.WARN : SeverityNumber.INFO,
    severityText: status >= 500 ? 'ERROR' : status >= 400 ? 'WARN' : 'INFO',
    body: `${req.method} ${path} ${status}`,
    attributes,
  });
}

const proxy = createServer((req, res) => {
  const started = process.hrtime.bigint();
  const path = (req.url ?? '/').split('?')[0];
  const upstream = httpRequest(
    {
      host: UPSTREAM.hostname,
      port: UPSTREAM.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: UPSTREAM.host, 'x-forwarded-for': clientAddress(req) },
    },
    (up) => {
      let bytes = 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.on('data', (c) => {
        bytes += c.length;
        res.write(c);
      });
      up.on('end', () => {
        res.end();
        logRequest(req, path, up.statusCode ?? 502, bytes, started);
      });
    },
  );
  upstream.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('Bad gateway\n');
    logRequest(req, path, 502, 12, started, err.code ?? 'UpstreamError');
  });
  req.pipe(upstream);
});

/** The demo upstream: a little API with some slow, missing and failing answers. */
function startUpstream() {
  const api = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const delay = path.startsWith('/reports') ? 600 + Math.random() * 400 : Math.random() * 20;
    setTimeout(() => {
      if (path === '/boom') {
        res.writeHead(500).end('{"error":"boom"}');
        return;
      }
      if (!/^\/(users|orders|health|reports|login)/.test(path)) {
        res.writeHead(404).end('{"error":"not found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path, ok: true }));
    }, delay);
  });
  return new Promise((r) => api.listen(UPSTREAM_PORT, '127.0.0.1', () => r(api)));
}

async function sendDemoTraffic() {
  const ips = ['203.0.113.7', '198.51.100.23', '192.0.2.44', '192.168.1.1'];
  const paths = ['/users/42', '/users/7', '/orders/1001', '/health', '/reports/daily', '/login', '/nope', '/boom'];
  let next = 0;
  // Eight clients at a time, like a browser's connection pool.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < 300) await sendOne(next++, ips, paths);
    }),
  );
}

function sendOne(i, ips, paths) {
  const path = paths[(i * 7) % paths.length];
  return new Promise((resolve) => {
    const r = httpRequest(
      {
        host: '127.0.0.1',
        port: LISTEN_PORT,
        path,
        method: i % 9 === 0 ? 'POST' : 'GET',
        headers: {
          host: i % 3 === 0 ? 'admin.example.com' : 'api.example.com',
          'x-forwarded-for': ips[i % ips.length],
          'user-agent': 'demo-client/1.0',
          'x-user-id': `user-${i % 5}`,
          cookie: `session=s-${i % 12}`,
          referer: 'https://example.com/',
        },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    r.on('error', resolve);
    r.end();
  });
}

await new Promise((r) => proxy.listen(LISTEN_PORT, r));
console.log(`Proxy listening on :${LISTEN_PORT} → ${UPSTREAM.href}; request logs go to the collector over OTLP.`);
if (demo) {
  const api = await startUpstream();
  await sendDemoTraffic();
  await provider.forceFlush();
  await provider.shutdown();
  proxy.close();
  api.close();
  console.log('Sent 300 requests through the proxy.');
  reportOutcome(outcome, 'request logs', OTLP_URL);
} else {
  const stop = async () => {
    proxy.close();
    await provider.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
