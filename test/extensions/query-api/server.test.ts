import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatIssue, type ConfigIssue } from '../../../src/config/schema.js';
import { queryApiExtensionFactory } from '../../../src/extensions/query-api/factory.js';
import { HttpError } from '../../../src/extensions/query-api/routes.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { M, Telemetry } from '../../../src/telemetry/metrics.js';
import { tempDir } from '../../exporters/sqlite/fixtures.js';
import { parseQueryApiConfig, startApi, type RunningApi } from './helpers.js';

const TOKEN = 's3cret-token-value';

/** A raw request, for paths fetch would normalise (e.g. percent-encoded control characters). */
function rawGet(url: string, path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url + '/', { path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (c) => {
          body += c;
        })
        .on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject).end();
  });
}

describe('query API – auth, routing and errors', () => {
  let run: RunningApi | undefined;
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(async () => {
    await run?.api.shutdown();
    run = undefined;
    for (const d of dirs.splice(0)) d.cleanup();
  });

  it('answers 401 with WWW-Authenticate without a token, with a wrong token and with a non-bearer scheme', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    run.api.route('GET', '/api/ping', () => ({ pong: true }));
    for (const headers of [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${TOKEN}` },
    ]) {
      const res = await fetch(run.url + '/api/ping', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.json()).toEqual({ error: 'missing or invalid bearer token' });
    }
    const ok = await run.get('/api/ping', TOKEN);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ pong: true });
    // Unknown paths are 401 too, so their existence is not revealed.
    expect((await fetch(run.url + '/nope')).status).toBe(401);
  });

  it('accepts tokens from tokens_file (one per line, comments and blank lines skipped) beside inline tokens', async () => {
    const d = tempDir('auditline-qa-');
    dirs.push(d);
    const file = join(d.dir, 'tokens');
    writeFileSync(file, '# readers\nfile-token-1\n\n  file-token-2  \n');
    run = await startApi({ auth: { tokens: ['inline-token'], tokens_file: file } });
    run.api.route('GET', '/api/ping', () => ({}));
    for (const tok of ['inline-token', 'file-token-1', 'file-token-2'])
      expect((await run.get('/api/ping', tok)).status).toBe(200);
    expect((await run.get('/api/ping', '# readers')).status).toBe(401);
  });

  it('fails to start when tokens_file is missing or empty', async () => {
    const d = tempDir('auditline-qa-');
    dirs.push(d);
    await expect(startApi({ auth: { tokens_file: join(d.dir, 'missing') } })).rejects.toThrow(
      /Cannot read tokens_file/,
    );
    writeFileSync(join(d.dir, 'empty'), '# nothing\n');
    await expect(startApi({ auth: { tokens_file: join(d.dir, 'empty') } })).rejects.toThrow(/holds no tokens/);
  });

  it('serves /health without a token and /metrics in Prometheus text only with one', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    run.host.telemetry.add(M.exporterSent, 42, { exporter: 'sqlite' });
    const health = await fetch(run.url + '/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(run.url + '/metrics')).status).toBe(401);
    const metrics = await run.get('/metrics', TOKEN);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await metrics.text()).toContain(`${M.exporterSent}{exporter="sqlite"} 42`);
  });

  it('without a configured token accepts only a token generated for the run, logged once at start', async () => {
    run = await startApi();
    run.api.route('GET', '/api/closed', () => ({ open: false }));
    const token = run.api.generatedToken!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await fetch(run.url + '/api/closed')).status).toBe(401);
    expect((await run.get('/api/closed', 'dev-token')).status).toBe(401);
    expect((await run.get('/api/closed', token)).status).toBe(200);
    const announced = run.lines.filter((l) => l.includes(token));
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatch(
      /\[WARNING\] [a-z_]+: The query API has no token configured, so it listens on loopback only and accepts a token generated for this run; /,
    );
    expect(announced[0]).toContain(`export AUDITLINE_TOKEN=${token} `);
    const second = await startApi({ auth: { tokens: [''] } });
    expect(second.api.generatedToken).not.toBe(token);
    await second.api.shutdown();
  });

  it('routes registered after listen work, with decoded path parameters', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    run.api.route('GET', '/api/items/:id/parts/:part', ({ params }) => params);
    const res = await run.get('/api/items/a%20b%3Ac/parts/%C3%A9t%C3%A9', TOKEN);
    expect(await res.json()).toEqual({ id: 'a b:c', part: 'été' });
  });

  it('refuses path parameters holding "/", control characters or broken encoding with 400 naming the parameter', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    run.api.route('GET', '/api/jobs/:job_id', ({ params }) => params);
    for (const p of ['a%2Fb', '..%2F..%2Fetc', 'a%0Ab', 'a%00', '%E0%A4%A']) {
      const res = await rawGet(run.url, `/api/jobs/${p}`, TOKEN);
      expect(res.status, p).toBe(400);
      expect(JSON.parse(res.body).error).toMatch(/path parameter "job_id"/);
    }
  });

  it('answers 404 and 405 (with Allow) as JSON, HttpError with its status, and other failures with 500', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    run.api.route('GET', '/api/teapot', () => {
      throw new HttpError(418, 'parameter "x" is a teapot');
    });
    run.api.route('GET', '/api/broken', () => {
      throw new Error('kaput');
    });
    run.api.route('DELETE', '/api/teapot', () => ({}));
    const missing = await run.get('/api/none', TOKEN);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no route for GET /api/none' });
    const wrong = await run.get('/api/teapot', TOKEN, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, DELETE');
    expect((await wrong.json()).error).toMatch(/method POST is not allowed/);
    const teapot = await run.get('/api/teapot', TOKEN);
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ error: 'parameter "x" is a teapot' });
    const broken = await run.get('/api/broken', TOKEN);
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ error: 'internal error' });
  });

  it('refuses registering the same method and pattern twice', async () => {
    run = await startApi();
    run.api.route('GET', '/api/x', () => ({}));
    expect(() => run!.api.route('GET', '/api/x', () => ({}))).toThrow(/already registered/);
  });

  it('shuts down safely without start, and twice after start', async () => {
    const idle = queryApiExtensionFactory.create(
      { id: 'query_api', logger: silentLogger, telemetry: new Telemetry() },
      parseQueryApiConfig({}),
    );
    await idle.shutdown();
    const r = await startApi();
    await r.api.shutdown();
    await r.api.shutdown();
    await expect(fetch(r.url + '/health')).rejects.toThrow();
  });
});

describe('query API – config', () => {
  const parse = (raw: unknown) => {
    const issues: ConfigIssue[] = [];
    const cfg = queryApiExtensionFactory.config.parse(raw, ['extensions', 'query_api'], issues);
    return { cfg, errors: issues.map(formatIssue) };
  };

  it('defaults to localhost:8080 with no auth, no TLS, no extra allowed hosts and a 1000-event stream buffer', () => {
    expect(parse(undefined).cfg).toEqual({
      endpoint: { host: 'localhost', port: 8080 },
      auth: undefined,
      allowed_hosts: [],
      tls: undefined,
      stream: { buffer_size: 1000, heartbeat_interval: 15_000, drop_grace: 10_000, max_subscribers: 64 },
      ui: true,
      session_ttl: 12 * 3_600_000,
    });
  });

  it('takes an empty token (an unset ${env:…:-}) or an empty auth block as no token, refused off loopback', () => {
    expect(parse({ auth: { tokens: [''] } }).errors).toEqual([]);
    expect(parse({ auth: {} }).errors).toEqual([]);
    const refusal =
      'but no token is configured; set auth.tokens (e.g. "${env:AUDITLINE_TOKEN}") or auth.tokens_file, or listen on localhost, where a token is generated at start';
    expect(parse({ endpoint: ':8080', auth: { tokens: [''] } }).errors).toEqual([
      `extensions::query_api::endpoint: listens on "0.0.0.0" ${refusal}`,
    ]);
    expect(parse({ endpoint: '192.168.1.20:8080' }).errors).toEqual([
      `extensions::query_api::endpoint: listens on "192.168.1.20" ${refusal}`,
    ]);
    expect(parse({ endpoint: '0.0.0.0:8080', auth: { tokens: ['s3cret'] } }).errors).toEqual([]);
    expect(parse({ endpoint: '[::]:8080', auth: { tokens_file: '/etc/auditline/tokens' } }).errors).toEqual([]);
    for (const loopback of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080'])
      expect(parse({ endpoint: loopback }).errors).toEqual([]);
    expect(parse({ auth: { tokens: ['two words'] } }).errors).toEqual([
      'extensions::query_api::auth::tokens::0: must not contain whitespace',
    ]);
    expect(parse({ cors: true }).errors[0]).toMatch(/^extensions::query_api::cors: unknown key/);
  });
});
