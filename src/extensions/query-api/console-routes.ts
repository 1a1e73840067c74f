// The web console's own endpoints on the query API:
//   POST   /api/session         bearer token (header or {"token"} body) → session cookie + CSRF token
//   GET    /api/session         the current session's CSRF token and expiry (401 without one)
//   DELETE /api/session         sign out (needs the CSRF token)
//   GET    /api/console         which pages have a backend here
//   GET    /api/console/health  the collector's own counters (health.ts)
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BearerAuth } from './auth.js';
import { healthBody } from './health.js';
import type { Router } from './router.js';
import { HttpError } from './routes.js';
import { clearedCookie, csrfProblem, originProblem, sessionCookie, type SessionStore } from './session.js';

export const SESSION_ROUTE = '/api/session';
const MAX_BODY = 4096;

export interface ConsoleContext {
  sessions: SessionStore;
  auth: () => BearerAuth;
  tls: boolean;
  ttlMs: number;
  /** Prometheus text of the collector's own metrics (a promise with an async registry). */
  metricsText: () => string | Promise<string>;
  /** Counts and logs a refused sign-in. */
  refused: (req: IncomingMessage) => void;
}

type Reply = { status: number; body: unknown; cookie?: string };

/** Answers /api/session; throws HttpError for refusals. */
export async function sessionRoute(
  c: ConsoleContext,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Reply> {
  if (method === 'POST') return signIn(c, req);
  if (method === 'GET') {
    const s = c.sessions.find(req);
    if (!s) throw new HttpError(401, 'not signed in');
    return { status: 200, body: { csrf_token: s.csrf, expires: new Date(s.expires).toISOString() } };
  }
  if (method === 'DELETE') {
    const s = c.sessions.find(req);
    if (!s) throw new HttpError(401, 'not signed in');
    const problem = csrfProblem(req, s, c.tls);
    if (problem) throw new HttpError(403, `CSRF check failed: ${problem}`);
    c.sessions.end(req);
    return { status: 200, body: { signed_out: true }, cookie: clearedCookie(c.tls) };
  }
  res.setHeader('allow', 'GET, POST, DELETE');
  throw new HttpError(405, `method ${method} is not allowed for ${SESSION_ROUTE} (allowed: GET, POST, DELETE)`);
}

async function signIn(c: ConsoleContext, req: IncomingMessage): Promise<Reply> {
  const problem = originProblem(req, c.tls);
  if (problem) throw new HttpError(403, `sign-in refused: ${problem}`);
  const header = req.headers.authorization;
  const token = header !== undefined ? undefined : tokenFromBody(await readBody(req));
  if (!c.auth().check(header ?? `Bearer ${token ?? ''}`)) {
    c.refused(req);
    throw new HttpError(401, 'invalid token');
  }
  const { id, session } = c.sessions.create();
  return {
    status: 200,
    body: { csrf_token: session.csrf, expires: new Date(session.expires).toISOString() },
    cookie: sessionCookie(id, c.ttlMs, c.tls),
  };
}

function tokenFromBody(text: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body must be JSON: {"token": "..."}');
  }
  const token = (v as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || token === '') throw new HttpError(400, 'the body must be JSON: {"token": "..."}');
  return token;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, `the body is larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Registers GET /api/console and GET /api/console/health. */
export function registerConsoleRoutes(router: Router, c: ConsoleContext): void {
  const has = (path: string) => router.match('GET', path).kind === 'found';
  router.add('GET', '/api/console', () => ({
    features: {
      audit: has('/api/logs/audit'),
      jobs: has('/api/logs/jobs/x'),
      requests: has('/logs/metrics'),
      request_series: has('/logs/metrics/series'),
      alerts: has('/api/alerts'),
    },
    session_ttl_seconds: Math.floor(c.ttlMs / 1000),
  }));
  router.add('GET', '/api/console/health', async () => healthBody(await c.metricsText(), process.uptime()));
}
