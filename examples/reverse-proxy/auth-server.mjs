// A tiny OAuth 2.0 authorization server (authorization code flow) instrumented
// with the OpenTelemetry logs SDK: one log record per step, with the event
// names the collector's Redis exporter indexes as OAuth activity —
// `oauth.authorize`, `oauth.login_failed`, `oauth.token_issued` — and the
// flow's `session.id`, `oauth.client_id`, `user.id` and `client.address`,
// sent over OTLP/HTTP to the same sidecar collector as proxy.mjs. It imports
// nothing from Auditline and is a demo, not a real OAuth server (no PKCE,
// no client secrets, users with password "secret").
//
//   node auth-server.mjs            listens on :8002
//   node auth-server.mjs --demo     runs 6 flows (2 of them with 4 failed logins each) against itself, flushes, exits
//
// Environment: AUTH_PORT (8002), OTLP_LOGS_URL (http://localhost:4318/v1/logs).
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { reportOutcome, withOutcome } from '../shared/export-outcome.mjs';

const demo = process.argv.includes('--demo');
const PORT = Number(process.env.AUTH_PORT ?? 8002);
const OTLP_URL = process.env.OTLP_LOGS_URL ?? 'http://localhost:4318/v1/logs';
// Counts what the collector accepted: the SDK's batch processor drops failed exports without telling the app.
const { exporter, outcome } = withOutcome(new OTLPLogExporter({ url: OTLP_URL }));
const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'auth-server' }),
  processors: [
    new BatchLogRecordProcessor({
      exporter,
      scheduledDelayMillis: 200,
    }),
  ],
});
const logger = provider.getLogger('auth-server.oauth');
const CLIENTS = new Set(['web-app', 'mobile-app']);
const codes = new Map(); // code → { client_id, user, session }

function oauthLog(req, eventName, status, attrs, failed = false) {
  logger.emit({
    eventName,
    severityNumber: failed ? SeverityNumber.WARN : SeverityNumber.INFO,
    severityText: failed ? 'WARN' : 'INFO',
    body: `${eventName} ${attrs['oauth.client_id'] ?? ''} ${attrs['user.id'] ?? ''}`.trim(),
    attributes: {
      'event.name': eventName,
      'oauth.outcome': failed ? 'failure' : 'success',
      'client.address': req.headers['x-forwarded-for'] ?? req.socket.remoteAddress?.replace(/^::ffff:/, ''),
      'http.request.method': req.method,
      'url.path': new URL(req.url, 'http://x').pathname,
      'http.response.status_code': status,
      ...attrs,
    },
  });
}

function readForm(req) {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c) => {
      s += c;
    });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(s))));
  });
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const session = /(?:^|;\s*)session=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
  const json = (status, obj) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
  if (url.pathname === '/oauth/authorize' && req.method === 'POST') {
    // The login form of the authorization endpoint: username + password, then a code.
    const form = await readForm(req);
    const client = url.searchParams.get('client_id') ?? '';
    const base = { 'oauth.client_id': client, 'user.id': form.username, 'session.id': session };
    if (!CLIENTS.has(client)) {
      oauthLog(req, 'oauth.login_failed', 400, { ...base, 'error.type': 'invalid_client' }, true);
      return json(400, { error: 'invalid_client' });
    }
    if (form.password !== 'secret') {
      oauthLog(req, 'oauth.login_failed', 401, { ...base, 'error.type': 'invalid_credentials' }, true);
      return json(401, { error: 'access_denied' });
    }
    const code = randomBytes(12).toString('hex');
    codes.set(code, { client, user: form.username });
    oauthLog(req, 'oauth.authorize', 302, { ...base, 'oauth.scope': url.searchParams.get('scope') ?? 'openid' });
    return res.writeHead(302, { location: `${url.searchParams.get('redirect_uri') ?? '/'}?code=${code}` }).end();
  }
  if (url.pathname === '/oauth/token' && req.method === 'POST') {
    const form = await readForm(req);
    const grant = codes.get(form.code);
    codes.delete(form.code);
    if (!grant || grant.client !== form.client_id) {
      oauthLog(
        req,
        'oauth.token_failed',
        400,
        { 'oauth.client_id': form.client_id, 'session.id': session, 'error.type': 'invalid_grant' },
        true,
      );
      return json(400, { error: 'invalid_grant' });
    }
    oauthLog(req, 'oauth.token_issued', 200, {
      'oauth.client_id': grant.client,
      'user.id': grant.user,
      'session.id': session,
      'oauth.grant_type': 'authorization_code',
    });
    return json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 3600 });
  }
  json(404, { error: 'not found' });
});

function post(path, form, headers) {
  return new Promise((resolve) => {
    const body = new URLSearchParams(form).toString();
    const r = httpRequest(
      {
        host: '127.0.0.1',
        port: PORT,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      },
      (res) => {
        let s = '';
        res.on('data', (c) => {
          s += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location, body: s }));
      },
    );
    r.on('error', () => resolve({ status: 0 }));
    r.end(body);
  });
}

/** One browser's flow: `failures` wrong passwords, then the right one, then the code exchanged for a token. */
async function flow(i, failures) {
  const user = `user-${i}`;
  const headers = { cookie: `session=oauth-s-${i}`, 'x-forwarded-for': `203.0.113.${10 + i}` };
  const authorize = `/oauth/authorize?client_id=${i % 2 ? 'mobile-app' : 'web-app'}&redirect_uri=/cb&scope=openid`;
  for (let k = 0; k < failures; k++) await post(authorize, { username: user, password: 'wrong' }, headers);
  const a = await post(authorize, { username: user, password: 'secret' }, headers);
  const code = new URL(a.location, 'http://x').searchParams.get('code');
  await post(
    '/oauth/token',
    { grant_type: 'authorization_code', code, client_id: i % 2 ? 'mobile-app' : 'web-app' },
    headers,
  );
}

await new Promise((r) => server.listen(PORT, '127.0.0.1', r));
console.log(`OAuth server listening on :${PORT}; its OAuth events go to the collector over OTLP.`);
if (demo) {
  for (let i = 0; i < 6; i++) await flow(i, i === 2 || i === 4 ? 4 : 0);
  await provider.forceFlush();
  await provider.shutdown();
  server.close();
  console.log('Ran 6 OAuth flows (8 failed logins).');
  reportOutcome(outcome, 'OAuth events', OTLP_URL);
} else {
  const stop = async () => {
    server.close();
    await provider.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
