// Configuration of the `query_api` extension.
import { def, duration, endpoint, int, list, obj, opt, str, type ConfigIssue, type Spec, type SpecOutput } from '../../config/schema.js';

/** A bearer token: non-empty, no whitespace (an unset `${env:…}` expands to empty and is refused). */
const tokenSpec: Spec<string> = {
  shape: 'string',
  parse(v: unknown, p: (string | number)[], is: ConfigIssue[]) {
    if (typeof v !== 'string') { is.push({ path: p, message: 'must be a string' }); return undefined; }
    if (v === '') { is.push({ path: p, message: 'must not be empty (is the environment variable it comes from set?)' }); return undefined; }
    if (/\s/.test(v)) { is.push({ path: p, message: 'must not contain whitespace' }); return undefined; }
    return v;
  },
};

const authSpec = obj({
  tokens: def(list(tokenSpec), []),
  /** One token per line; blank lines and lines starting with `#` are skipped. Read at start. */
  tokens_file: opt(str({ nonEmpty: true })),
}, (v, add) => {
  if (v.tokens.length === 0 && v.tokens_file === undefined) add(null, 'must set tokens or tokens_file');
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

export const queryApiConfigSpec = obj({
  endpoint: def(endpoint(), { host: 'localhost', port: 8080 }),
  /** Without an auth block every endpoint is open (a warning is logged at start). */
  auth: opt(authSpec),
  stream: def(streamSpec, () => streamSpec.parse({}, [], [])!),
});

export type QueryApiConfig = SpecOutput<typeof queryApiConfigSpec>;
export type AuthConfig = NonNullable<QueryApiConfig['auth']>;
export type StreamConfig = QueryApiConfig['stream'];
