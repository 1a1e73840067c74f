// The contract between the query API extension and the components that serve
// data through it. Exporters register routes in their start(host); the
// extension owns the HTTP server, bearer-token auth, errors and JSON encoding.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Host } from '../../component/types.js';
import type { InternalLogger } from '../../telemetry/logger.js';

export interface QueryRequest {
  /** Path parameters, already URL-decoded: `/logs/ip/:ip` → `{ ip }`. */
  params: Record<string, string>;
  query: URLSearchParams;
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * Returns a JSON-serialisable body (sent with 200), or `undefined` when the
 * handler wrote the response itself (e.g. a Server-Sent Events stream).
 * Throw HttpError for 4xx answers.
 */
export type RouteHandler = (q: QueryRequest) => unknown | Promise<unknown>;

export interface QueryApi {
  /** Pattern segments starting with `:` are parameters. Registering the same method+pattern twice is an error. */
  route(method: 'GET' | 'POST' | 'DELETE', pattern: string, handler: RouteHandler): void;
}

/**
 * A body already encoded as JSON text, sent as-is with 200. For handlers that
 * can write JSON faster than building objects for JSON.stringify.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The query API's component type, for `host.findExtension<QueryApi>(QUERY_API_TYPE)`. */
export const QUERY_API_TYPE = 'query_api';

interface RouteOwner {
  host: Pick<Host, 'findExtension'>;
  logger: InternalLogger;
  /** The exporter id, for log messages. */
  id: string;
  /** What the routes are, for log messages: "Redis /logs routes". */
  what: string;
}

/** The running query API, or undefined (logged at debug) when none is configured. */
export function findQueryApi(o: RouteOwner): QueryApi | undefined {
  const api = o.host.findExtension<QueryApi>(QUERY_API_TYPE);
  if (!api) o.logger.debug(`No query API extension is configured; the ${o.what} are not served.`, { exporter: o.id });
  return api;
}

/**
 * Registers routes; when another exporter of the same type already serves
 * them, the first one keeps them and this is logged instead of failing start-up.
 */
export function registerRoutesOnce(
  api: QueryApi,
  o: Omit<RouteOwner, 'host'>,
  register: (api: QueryApi) => void,
): void {
  try {
    register(api);
  } catch (err) {
    o.logger.warn(`The ${o.what} are already served by another exporter; this one is not queryable.`, {
      exporter: o.id,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
