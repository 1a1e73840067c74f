// Server-side authentication that receivers delegate to (`auth.authenticator`).
import type { IncomingHttpHeaders } from 'node:http';

export interface Authenticator {
  /** True when the request's headers carry valid credentials. Constant-time where secrets are compared. */
  authenticate(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): boolean;
}

export function isAuthenticator(x: unknown): x is Authenticator {
  return typeof x === 'object' && x !== null && typeof (x as Authenticator).authenticate === 'function';
}
