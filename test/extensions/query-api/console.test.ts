// The web console's server side without a browser: static files, session
// sign-in with the bearer token, the cookie's attributes, CSRF on DELETE,
// sign-out, the health and feature endpoints, and `ui: false`.
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { M } from '../../../src/telemetry/metrics.js';
import { healthBody, parsePrometheus } from '../../../src/extensions/query-api/health.js';
import { makeCerts } from '../../security/certs.js';
import { startApi, type RunningApi } from './helpers.js';

const TOKEN = 'console-token-value';

/** An HTTPS request trusting the test CA; resolves with status and headers. */
function tlsRequest(
  url: string,
  ca: Buffer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url + path, { method, headers, ca, servername: 'localhost' }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject).end(body);
  });
}

/** A raw GET, for paths fetch would normalise (`..`, `%2e%2e`). */
function rawGet(url: string, path: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    request(url + '/', { path }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (c) => {
          body += c;
        })
        .on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
    })
      .on('error', reject)
      .end();
  });
}

async function signIn(url: string, token = TOKEN, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ token }),
  });
}

function cookieOf(res: Response): string {
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

describe('query API – web console', () => {
  let run: RunningApi | undefined;
  afterEach(async () => {
    await run?.api.shutdown();
    run = undefined;
  });

  it('serves the console at / and /ui/* without a token, with content types, CSP and security headers', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    const index = await fetch(run.url + '/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = index.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await index.text();
    expect(html).toContain('<script type="module" src="/ui/app.js">');
    expect(html).not.toMatch(/<script>(?!<)/); // no inline script
    expect((await fetch(run.url + '/ui/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(run.url + '/ui/console.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(run.url + '/ui/index.html')).status).toBe(200);
    const head = await fetch(run.url + '/ui/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 for unknown console files and refuses path traversal', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    for (const path of [
      '/ui/nope.js',
      '/ui/',
      '/ui/../package.json',
      '/ui/..%2f..%2fpackage.json',
      '/ui/%2e%2e/server.ts',
      '/ui/../../../../etc/passwd',
      '/ui/sub/app.js',
      '/ui/.hidden',
      '/ui/app.js%00.css',
    ]) {
      const r = await rawGet(run.url, path);
      expect(r.status, path).toBe(404);
      expect(r.type).toBe('application/json; charset=utf-8');
      expect(r.body).not.toContain('root:');
    }
    // Everything outside / and /ui/ still needs a token.
    expect((await fetch(run.url + '/api/console')).status).toBe(401);
  });

  it('exchanges the bearer token for an HttpOnly SameSite=Strict session cookie with an expiry', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] }, session_ttl: '2h' });
    const res = await signIn(run.url);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { csrf_token: string; expires: string };
    expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.expires) - Date.now()).toBeGreaterThan(3600_000);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^auditline_session=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain('Max-Age=7200');
    expect(setCookie).not.toContain('Secure'); // plain HTTP here; TLS adds it
    expect(setCookie).not.toContain(TOKEN);

    // The cookie stands in for the token on reads, and the session can be read back.
    const cookie = cookieOf(res);
    expect((await fetch(run.url + '/api/console', { headers: { cookie } })).status).toBe(200);
    const again = await fetch(run.url + '/api/session', { headers: { cookie } });
    expect(await again.json()).toEqual(body);
    // The bearer header works as before.
    expect((await run.get('/api/console', TOKEN)).status).toBe(200);
  });

  it('refuses a bad token, a forged cookie and a sign-in from another origin', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    const bad = await signIn(run.url, 'wrong-token');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    expect(await bad.json()).toEqual({ error: 'invalid token' });
    expect((await fetch(run.url + '/api/session', { method: 'POST', body: 'not json' })).status).toBe(400);
    const forged = `auditline_session=${'A'.repeat(43)}`;
    expect((await fetch(run.url + '/api/console', { headers: { cookie: forged } })).status).toBe(401);
    expect((await fetch(run.url + '/api/session', { headers: { cookie: forged } })).status).toBe(401);
    const cross = await signIn(run.url, TOKEN, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect(cross.headers.get('set-cookie')).toBeNull();
    expect((await signIn(run.url, TOKEN, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    // The refused sign-in and the forged cookie on an API route.
    expect(run.host.telemetry.total('auditline_auth_failures_total')).toBe(2);
  });

  it('refuses DELETE with the cookie but no CSRF token, or from another origin; accepts it with both', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    let deleted = 0;
    run.api.route('DELETE', '/logs', () => ({ deleted: ++deleted }));
    const res = await signIn(run.url);
    const { csrf_token: csrf } = (await res.json()) as { csrf_token: string };
    const cookie = cookieOf(res);
    const del = (headers: Record<string, string>) =>
      fetch(run!.url + '/logs', { method: 'DELETE', headers: { cookie, ...headers } });

    const none = await del({});
    expect(none.status).toBe(403);
    expect(((await none.json()) as { error: string }).error).toMatch(
      /CSRF check failed: missing or wrong x-csrf-token/,
    );
    expect((await del({ 'x-csrf-token': 'x'.repeat(43) })).status).toBe(403);
    expect((await del({ 'x-csrf-token': csrf, origin: 'http://evil.example' })).status).toBe(403);
    expect((await del({ 'x-csrf-token': csrf, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect(deleted).toBe(0);
    const host = new URL(run.url).host;
    const ok = await del({ 'x-csrf-token': csrf, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(200);
    expect(deleted).toBe(1);
    // A bearer token needs no CSRF token (it is never sent by a browser on its own).
    expect((await run.get('/logs', TOKEN, { method: 'DELETE' })).status).toBe(200);
  });

  it('signs out: DELETE /api/session with the CSRF token ends the session and clears the cookie', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    const res = await signIn(run.url);
    const { csrf_token: csrf } = (await res.json()) as { csrf_token: string };
    const cookie = cookieOf(res);
    expect((await fetch(run.url + '/api/session', { method: 'DELETE', headers: { cookie } })).status).toBe(403);
    const out = await fetch(run.url + '/api/session', { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^auditline_session=; .*Max-Age=0/);
    expect((await fetch(run.url + '/api/console', { headers: { cookie } })).status).toBe(401);
  });

  it('an expired session is refused', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] }, session_ttl: '1m' });
    const cookie = cookieOf(await signIn(run.url));
    expect((await fetch(run.url + '/api/console', { headers: { cookie } })).status).toBe(200);
    const realNow = Date.now;
    Date.now = () => realNow() + 61_000;
    try {
      expect((await fetch(run.url + '/api/console', { headers: { cookie } })).status).toBe(401);
    } finally {
      Date.now = realNow;
    }
  });

  it('GET /api/console names the pages that have a backend; /api/console/health reads the counters', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    const info = (await (await run.get('/api/console', TOKEN)).json()) as { features: Record<string, boolean> };
    expect(info.features).toEqual({ audit: false, jobs: false, requests: false, request_series: false, alerts: false });
    run.api.route('GET', '/api/logs/audit', () => ({}));
    run.api.route('GET', '/api/alerts', () => ({}));
    const later = (await (await run.get('/api/console', TOKEN)).json()) as { features: Record<string, boolean> };
    expect(later.features.audit).toBe(true);
    expect(later.features.alerts).toBe(true);

    run.host.telemetry.add(M.receiverAccepted, 7, { receiver: 'otlp' });
    run.host.telemetry.add(M.receiverRefused, 2, { receiver: 'otlp' });
    run.host.telemetry.set(M.queueSize, 3, { exporter: 'sqlite' });
    run.host.telemetry.set(M.queueCapacity, 100, { exporter: 'sqlite' });
    const health = (await (await run.get('/api/console/health', TOKEN)).json()) as ReturnType<typeof healthBody>;
    expect(health.totals.accepted).toBe(7);
    expect(health.totals.refused).toBe(2);
    expect(health.queues).toEqual([{ exporter: 'sqlite', log: null, size: 3, capacity: 100 }]);
  });

  it('health reads otelcol_* names as well as auditline_* names', () => {
    const text =
      '# TYPE otelcol_receiver_accepted_log_records counter\n' +
      'otelcol_receiver_accepted_log_records{receiver="otlp",transport="http"} 5\n' +
      'auditline_receiver_accepted_log_records_total{receiver="filelog"} 2\n' +
      'otelcol_exporter_queue_size{exporter="redis",log="logs"} 4\n' +
      'otelcol_exporter_send_failed_log_records_total{exporter="redis"} 1e0\n' +
      'garbage line\n';
    const h = healthBody(text, 12.4);
    expect(h.totals.accepted).toBe(7);
    expect(h.totals.send_failed).toBe(1);
    expect(h.queues).toEqual([{ exporter: 'redis', log: 'logs', size: 4, capacity: null }]);
    expect(parsePrometheus('x{a="q\\"uote"} 3')).toEqual([{ name: 'x', labels: { a: 'q"uote' }, value: 3 }]);
  });

  it('under TLS the cookie is Secure, files carry HSTS, and the Origin must be https', async () => {
    const certs = makeCerts();
    try {
      run = await startApi({
        auth: { tokens: [TOKEN] },
        tls: { cert_file: certs.serverCert, key_file: certs.serverKey },
      });
      const index = await tlsRequest(run.url, certs.ca, 'GET', '/', {});
      expect(index.status).toBe(200);
      expect(index.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      const json = { 'content-type': 'application/json' };
      const body = JSON.stringify({ token: TOKEN });
      const host = new URL(run.url).host;
      const http = await tlsRequest(
        run.url,
        certs.ca,
        'POST',
        '/api/session',
        { ...json, origin: `http://${host}` },
        body,
      );
      expect(http.status).toBe(403);
      const ok = await tlsRequest(
        run.url,
        certs.ca,
        'POST',
        '/api/session',
        { ...json, origin: `https://${host}` },
        body,
      );
      expect(ok.status).toBe(200);
      expect(String(ok.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    } finally {
      await run?.api.shutdown();
      run = undefined;
      certs.cleanup();
    }
  });

  it('with ui: false, / is not served and session cookies are ignored', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] }, ui: false });
    expect((await fetch(run.url + '/')).status).toBe(401);
    expect((await run.get('/', TOKEN)).status).toBe(404);
    expect((await signIn(run.url)).status).toBe(401);
  });
});
