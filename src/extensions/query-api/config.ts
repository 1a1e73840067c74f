// Configuration of the `query_api` extension.
import {
  bool,
  def,
  duration,
  endpoint,
  int,
  list,
  obj,
  opt,
  str,
  type ConfigIssue,
  type Spec,
  type SpecOutput,
} from '../../config/schema.js';
import { allowedHostsSpec, isLoopbackHost } from '../../net/allowed-hosts.js';
import { tlsServerSpec } from '../../net/tls.js';

/**
 * A bearer token: no whitespace. An empty one (`${env:AUDITLINE_TOKEN:-}` with the variable unset)
 * counts as no token: then the API listens on loopback only, with a token generated at start.
 */
const tokenSpec: Spec<string> = {
  shape: 'string',
  parse(v: unknown, p: (string | number)[], is: ConfigIssue[]) {
    if (typeof v !== 'string') {
      is.push({ path: p, message: 'must be a string' });
      return undefined;
    }
    if (/\s/.test(v)) {
      is.push({ path: p, message: 'must not contain whitespace' });
      return undefined;
    }
    return v;
  },
};

const authSpec = obj({
  /** Accepted tokens; empty entries are ignored. */
  tokens: def(list(tokenSpec), []),
  /** One token per line; blank lines and lines starting with `#` are skipped. Read at start. */
  tokens_file: opt(str({ nonEmpty: true })),
});

const streamSpec = obj({
  /** Events held for a subscriber whose socket is not draining; one more and it is dropped. */
  buffer_size: def(int({ min: 1, max: 1_000_000 }), 1000),
  /** Comment lines sent to idle subscribers so proxies keep the connection open. */
  heartbeat_interval: def(duration({ min: 100 }), 15_000),
  /** How long a dropped subscriber's socket stays open for its final `dropped` event. */
  drop_grace: def(duration({ min: 0 }), 10_000),
  /** Streams open at once (dropped ones still lingering count); one more is refused with 503 and Retry-After. */
  max_subscribers: def(int({ min: 1, max: 100_000 }), 64),
});

export const queryApiConfigSpec = obj(
  {
    endpoint: def(endpoint(), { host: 'localhost', port: 8080 }),
    /** Without a token (no auth block, or only empty tokens) a random token is generated at start and logged. */
    auth: opt(authSpec),
    /** Host names accepted besides localhost, 127.0.0.1, ::1 and the endpoint's host (`*.example.com`, `*`). */
    allowed_hosts: def(allowedHostsSpec(), []),
    /** Serve HTTPS (see src/net/tls.ts). */
    tls: opt(tlsServerSpec),
    stream: def(streamSpec, () => streamSpec.parse({}, [], [])!),
    /** Serve the web console at `/` (sign-in with a token, exchanged for a session cookie). */
    ui: def(bool(), true),
    /** How long a console session lasts after sign-in. */
    session_ttl: def(duration({ min: 60_000 }), 12 * 3_600_000),
  },
  (c, add) => {
    if (!hasConfiguredToken(c.auth) && !isLoopbackHost(c.endpoint.host)) {
      add(
        'endpoint',
        `listens on "${c.endpoint.host}" but no token is configured; set auth.tokens (e.g. "\${env:AUDITLINE_TOKEN}") or auth.tokens_file, or listen on localhost, where a token is generated at start`,
      );
    }
  },
);

/** The inline tokens that count (empty ones do not). */
export function inlineTokens(auth: { tokens: string[] } | undefined): string[] {
  return auth ? auth.tokens.filter((t) => t !== '') : [];
}

/** Whether the config names any token (inline or a tokens_file). */
export function hasConfiguredToken(auth: { tokens: string[]; tokens_file?: string } | undefined): boolean {
  return inlineTokens(auth).length > 0 || auth?.tokens_file !== undefined;
}

export type QueryApiConfig = SpecOutput<typeof queryApiConfigSpec>;
export type AuthConfig = NonNullable<QueryApiConfig['auth']>;
export type StreamConfig = QueryApiConfig['stream'];
