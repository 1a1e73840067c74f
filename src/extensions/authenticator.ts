// Server-side authentication that receivers delegate to (`auth.authenticator`),
// and how every component reports a refused credential.
import type { IncomingHttpHeaders } from 'node:http';
import type { CreateSettings } from '../component/types.js';
import type { Telemetry } from '../telemetry/metrics.js';

export interface Authenticator {
  /** True when the request's headers carry valid credentials. Constant-time where secrets are compared. */
  authenticate(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): boolean;
}

export function isAuthenticator(x: unknown): x is Authenticator {
  return typeof x === 'object' && x !== null && typeof (x as Authenticator).authenticate === 'function';
}

/** Client-side authentication that exporters delegate to (`auth.authenticator`): headers to send with each request. */
export interface ClientAuthenticator {
  requestHeaders(): Record<string, string>;
}

export function isClientAuthenticator(x: unknown): x is ClientAuthenticator {
  return typeof x === 'object' && x !== null && typeof (x as ClientAuthenticator).requestHeaders === 'function';
}

/** Requests refused for missing or invalid credentials, labelled `component` (the refusing component's id). */
export const AUTH_FAILURES = 'auditline_auth_failures_total';

/**
 * Counts a refused credential in `auditline_auth_failures_total{component}` and logs it once per
 * burst (a guessing client produces one line per window, then a count of the rest). `what` names
 * the request in the log line (`an OTLP/HTTP`, `a query API`).
 * `telemetry` overrides the settings' own (the query API serves the host's).
 */
export function authFailed(
  settings: CreateSettings,
  what: string,
  client: string | undefined,
  telemetry: Telemetry = settings.telemetry,
): void {
  telemetry.describe(AUTH_FAILURES, 'Requests refused for missing or invalid credentials.');
  telemetry.add(AUTH_FAILURES, 1, { component: settings.id });
  settings.logger.burst('warn', `auth-failed:${what}`, `Refused ${what} request without valid credentials.`, {
    client: client ?? 'unknown',
  });
}
