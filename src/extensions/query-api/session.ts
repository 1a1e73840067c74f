// Console sessions: a bearer token is exchanged once (POST /api/session) for a
// random session id held in an HttpOnly, SameSite=Strict cookie, so the token
// never sits in the page's storage. Requests that change state (POST, DELETE)
// made with the cookie must also prove they come from the console itself: the
// session's CSRF token in `X-CSRF-Token` (which a cross-site form cannot set)
// and, when the browser sends one, an Origin equal to this server's.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'auditline_session';
export const CSRF_HEADER = 'x-csrf-token';
/** Sessions held at once; signing in past this ends the oldest. */
const MAX_SESSIONS = 10_000;

export interface Session {
  /** Sent to the console in the sign-in answer, echoed in `X-CSRF-Token`. */
  csrf: string;
  expires: number;
}

export class SessionStore {
  /** Keyed by the SHA-256 of the cookie value, so a heap dump shows no usable cookie. */
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** A new session: the cookie value and its record. */
  create(): { id: string; session: Session } {
    this.sweep();
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    const session = { csrf: randomBytes(32).toString('base64url'), expires: this.now() + this.ttlMs };
    this.sessions.set(digest(id), session);
    return { id, session };
  }

  /** The live session named by the request's cookie, if any. */
  find(req: IncomingMessage): Session | undefined {
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (id === undefined || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const key = digest(id);
    const s = this.sessions.get(key);
    if (s === undefined) return undefined;
    if (s.expires <= this.now()) {
      this.sessions.delete(key);
      return undefined;
    }
    return s;
  }

  /** Ends the session named by the request's cookie. */
  end(req: IncomingMessage): void {
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (id !== undefined) this.sessions.delete(digest(id));
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, s] of this.sessions) if (s.expires <= now) this.sessions.delete(k);
  }
}

/** `Set-Cookie` for a new session (Secure when served over TLS). */
export function sessionCookie(id: string, maxAgeMs: number, secure: boolean): string {
  const attrs = [
    `${SESSION_COOKIE}=${id}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
  ];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

/** `Set-Cookie` that removes the session cookie. */
export function clearedCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/**
 * Why a cookie-authenticated state-changing request is refused, or undefined when it carries the
 * session's CSRF token and, if the browser named one, this server's origin.
 */
export function csrfProblem(req: IncomingMessage, session: Session, secure: boolean): string | undefined {
  const origin = originProblem(req, secure);
  if (origin) return origin;
  const sent = req.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !sameSecret(sent, session.csrf)) return `missing or wrong ${CSRF_HEADER} header`;
  return undefined;
}

/** A request from another site: an Origin other than ours, or Sec-Fetch-Site saying cross-site. */
export function originProblem(req: IncomingMessage, secure: boolean): string | undefined {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `cross-site request (Sec-Fetch-Site: ${site})`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const expected = `${secure ? 'https' : 'http'}://${req.headers.host ?? ''}`;
  return origin === expected ? undefined : `the Origin header (${origin}) is not this server's`;
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** The value of one cookie in a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
