// The seed's `/logs` endpoints on the query API. Each handler validates its
// parameters (400 naming the parameter) and calls RedisLogQueries. Path
// parameters become part of a key name, so besides the router's own checks
// (no "/", no control characters) they may not hold glob characters or
// backslashes, and never reach a SCAN/KEYS pattern in any case.
import { parseLevels, parseLimit, singleParams } from '../../src/extensions/query-api/params.js';
import { HttpError, type QueryApi } from '../../src/extensions/query-api/routes.js';
import type { EntryFilter, RedisLogQueries, Window } from './queries.js';

const MAX_LIMIT = 10_000;
const MAX_HOURS = 24 * 366;
const KEY_UNSAFE = /[*?[\]\\\u0000-\u001f\u007f]/;

/** A value that becomes part of a key: at most 256 characters, no glob characters, no control characters. */
export function keyPart(name: string, v: string): string {
  if (v.length > 256) throw new HttpError(400, `parameter "${name}" is longer than 256 characters`);
  if (KEY_UNSAFE.test(v))
    throw new HttpError(400, `parameter "${name}" must not contain *, ?, [, ], \\ or control characters`);
  return v;
}

export function parseHours(v: string | undefined, def: number): number {
  if (v === undefined) return def;
  const n = /^\d{1,5}(\.\d{1,3})?$/.test(v) ? Number(v) : NaN;
  if (!(n > 0 && n <= MAX_HOURS))
    throw new HttpError(400, `parameter "hours" must be a number of hours greater than 0 and at most ${MAX_HOURS}`);
  return n;
}

function window(p: Map<string, string>, defHours = 24): Window {
  return { hours: parseHours(p.get('hours'), defHours), limit: parseLimit(p.get('limit'), 100, MAX_LIMIT) };
}

function eventLevel(p: Map<string, string>): EntryFilter {
  const f: EntryFilter = {};
  const event = p.get('event');
  if (event !== undefined) f.event = keyPart('event', event);
  const level = p.get('level');
  if (level !== undefined) f.levels = parseLevels(level);
  return f;
}

function bool(name: string, v: string | undefined): boolean {
  if (v === undefined) return false;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new HttpError(400, `parameter "${name}" must be true or false`);
}

const WINDOW = ['hours', 'limit'];
const FILTERED = [...WINDOW, 'event', 'level'];

const logs = (items: Record<string, unknown>[]) => ({ logs: items });

/** Registers every `/logs` route; `queries` is called per request so the reader connects lazily. */
export function registerRedisRoutes(target: QueryApi, queries: () => RedisLogQueries, onCleared: () => void): void {
  // Redis being down or slow is the server's problem, not the client's: 503 rather than a generic 500.
  const api: QueryApi = {
    route: (method, pattern, handler) =>
      target.route(method, pattern, async (q) => {
        try {
          return await handler(q);
        } catch (err) {
          if (err instanceof HttpError) throw err;
          throw new HttpError(503, `Redis query failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
  };
  registerIndexRoutes(api, queries);
  registerOauthRoutes(api, queries);
  registerSearchRoutes(api, queries);
  registerStatsRoutes(api, queries, onCleared);
}

/** Entries by one index: address, host, client, user, session, method, status. */
function registerIndexRoutes(api: QueryApi, queries: () => RedisLogQueries): void {
  api.route('GET', '/logs/ip/:ip', async ({ params, query }) => {
    const p = singleParams(query, FILTERED);
    return logs(await queries().ip(keyPart('ip', params.ip!), window(p), eventLevel(p)));
  });
  api.route('GET', '/logs/host/:hostname', async ({ params, query }) => {
    const p = singleParams(query, [...FILTERED, 'role']);
    const role = p.get('role') ?? 'any';
    if (role !== 'client' && role !== 'proxy' && role !== 'any')
      throw new HttpError(400, 'parameter "role" must be client, proxy or any');
    return logs(await queries().host(keyPart('hostname', params.hostname!), role, window(p), eventLevel(p)));
  });
  api.route('GET', '/logs/client/:client_id', async ({ params, query }) => {
    const p = singleParams(query, FILTERED);
    return logs(await queries().client(keyPart('client_id', params.client_id!), window(p), eventLevel(p)));
  });
  api.route('GET', '/logs/user/:user_id', async ({ params, query }) => {
    const p = singleParams(query, FILTERED);
    return logs(await queries().user(keyPart('user_id', params.user_id!), window(p), eventLevel(p)));
  });
  api.route('GET', '/logs/session/:session_id', async ({ params, query }) => {
    const p = singleParams(query, FILTERED);
    return logs(await queries().session(keyPart('session_id', params.session_id!), window(p), eventLevel(p)));
  });
  api.route('GET', '/logs/method/:method', async ({ params, query }) => {
    const p = singleParams(query, WINDOW);
    if (!/^[A-Za-z]{1,20}$/.test(params.method!))
      throw new HttpError(400, 'parameter "method" must be an HTTP method such as GET');
    return logs(await queries().method(params.method!, window(p)));
  });
  api.route('GET', '/logs/status/:code', async ({ params, query }) => {
    const p = singleParams(query, WINDOW);
    const code = /^[1-5]\d\d$/.test(params.code!) ? Number(params.code) : NaN;
    if (Number.isNaN(code)) throw new HttpError(400, 'parameter "code" must be an HTTP status code from 100 to 599');
    return logs(await queries().status(code, window(p)));
  });
}

/** OAuth activity, narrowed by parameters, client address or user, and the flows by session. */
function registerOauthRoutes(api: QueryApi, queries: () => RedisLogQueries): void {
  // OAuth activity (idx:oauth:{event_type}, oauth:flow:{session_id}): all of it narrowed by
  // parameters, by client address or user, and the flows by session.
  const oauthFilter = (p: Map<string, string>): EntryFilter => {
    const f = eventLevel(p);
    const ip = p.get('ip');
    if (ip !== undefined) f.clientIp = keyPart('ip', ip);
    const user = p.get('username');
    if (user !== undefined) f.userId = keyPart('username', user);
    const client = p.get('client_id');
    if (client !== undefined) f.clientId = keyPart('client_id', client);
    return f;
  };
  const OAUTH = [...FILTERED, 'ip', 'username', 'client_id'];
  api.route('GET', '/logs/oauth', async ({ query }) => {
    const p = singleParams(query, OAUTH);
    return logs(await queries().oauth(window(p), oauthFilter(p)));
  });
  api.route('GET', '/logs/oauth/ip/:ip', async ({ params, query }) => {
    const p = singleParams(query, FILTERED);
    return logs(await queries().oauth(window(p), { ...eventLevel(p), clientIp: keyPart('ip', params.ip!) }));
  });
  api.route('GET', '/logs/oauth/user/:username', async ({ params, query }) => {
    const p = singleParams(query, FILTERED);
    return logs(await queries().oauth(window(p), { ...eventLevel(p), userId: keyPart('username', params.username!) }));
  });
  api.route('GET', '/logs/oauth/flows', async ({ query }) => {
    const p = singleParams(query, [...WINDOW, 'username', 'client_id']);
    return { flows: await queries().oauthFlows(window(p), oauthFilter(p)) };
  });
}

/** Search over every entry, errors, slow requests and path patterns. */
function registerSearchRoutes(api: QueryApi, queries: () => RedisLogQueries): void {
  const search = async (query: URLSearchParams) => {
    const p = singleParams(query, [...FILTERED, 'hostname', 'q']);
    const f = eventLevel(p);
    const hostname = p.get('hostname');
    if (hostname !== undefined) f.hostname = keyPart('hostname', hostname);
    const q = p.get('q');
    if (q !== undefined) {
      if (/[\u0000-\u001f\u007f]/.test(q))
        throw new HttpError(400, 'parameter "q" must not contain control characters');
      f.q = q;
    }
    return logs(await queries().search(window(p), f));
  };
  api.route('GET', '/logs', ({ query }) => search(query));
  api.route('GET', '/logs/search', ({ query }) => search(query));

  api.route('GET', '/logs/errors', async ({ query }) => {
    const p = singleParams(query, [...WINDOW, 'include_warnings']);
    return logs(await queries().errors(window(p), bool('include_warnings', p.get('include_warnings'))));
  });
  api.route('GET', '/logs/slow', async ({ query }) => {
    const p = singleParams(query, [...WINDOW, 'threshold_ms']);
    const t = p.get('threshold_ms');
    const threshold = t === undefined ? undefined : /^\d{1,9}(\.\d+)?$/.test(t) ? Number(t) : NaN;
    if (Number.isNaN(threshold))
      throw new HttpError(400, 'parameter "threshold_ms" must be a non-negative number of milliseconds');
    return logs(await queries().slow(window(p), threshold));
  });
  api.route('GET', '/logs/path', async ({ query }) => {
    const p = singleParams(query, [...WINDOW, 'pattern', 'method']);
    const pattern = p.get('pattern');
    if (pattern === undefined)
      throw new HttpError(400, 'parameter "pattern" is required (a path or a glob such as /api/users/*)');
    if (/[\u0000-\u001f\u007f]/.test(pattern))
      throw new HttpError(400, 'parameter "pattern" must not contain control characters');
    const method = p.get('method');
    if (method !== undefined && !/^[A-Za-z]{1,20}$/.test(method))
      throw new HttpError(400, 'parameter "method" must be an HTTP method such as GET');
    return logs(await queries().path(pattern, window(p), method));
  });
}

/** Traffic statistics from the hourly buckets, and clearing every key. */
function registerStatsRoutes(api: QueryApi, queries: () => RedisLogQueries, onCleared: () => void): void {
  // analyze_path_patterns: most requested normalised path patterns over `hours` (default 24).
  api.route('GET', '/logs/paths', async ({ query }) => {
    const p = singleParams(query, WINDOW);
    const w = window(p);
    return queries().paths(w.hours, w.limit);
  });
  api.route('GET', '/logs/events', async ({ query }) => {
    const p = singleParams(query, ['hours']);
    return queries().events(parseHours(p.get('hours'), 24));
  });
  api.route('GET', '/logs/metrics', async ({ query }) => {
    const p = singleParams(query, ['hours', 'hostname']);
    const hostname = p.get('hostname');
    return queries().metrics(
      parseHours(p.get('hours'), 1),
      hostname === undefined ? undefined : keyPart('hostname', hostname),
    );
  });
  // The console's Requests charts: the same metrics in `buckets` slices of the window.
  api.route('GET', '/logs/metrics/series', async ({ query }) => {
    const p = singleParams(query, ['hours', 'hostname', 'buckets']);
    const hostname = p.get('hostname');
    const b = p.get('buckets');
    const buckets = b === undefined ? 30 : /^\d{1,3}$/.test(b) ? Number(b) : NaN;
    if (!(buckets >= 1 && buckets <= 240))
      throw new HttpError(400, 'parameter "buckets" must be an integer from 1 to 240');
    return queries().series(
      parseHours(p.get('hours'), 1),
      buckets,
      hostname === undefined ? undefined : keyPart('hostname', hostname),
    );
  });
  api.route('DELETE', '/logs', async ({ query }) => {
    singleParams(query, []);
    const deleted = await queries().clear();
    onCleared();
    return { deleted };
  });
}
