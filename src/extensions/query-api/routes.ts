// The contract between the query API extension and the components that serve
// data through it. Exporters register routes in their start(host); the
// extension owns the HTTP server, bearer-token auth, errors and JSON encoding.
import type { IncomingMessage, ServerResponse } from 'node:http';

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
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The query API's component type, for `host.findExtension<QueryApi>(QUERY_API_TYPE)`. */
export const QUERY_API_TYPE = 'query_api';
