// Route table for the query API. Patterns are `/`-separated segments; a
// segment starting with `:` is a parameter. Parameters are URL-decoded and
// refused (400, naming the parameter) when the decoded value is empty or
// holds `/` or a control character, so a handler never sees a value that
// could address another key, file or path.
import { HttpError, type RouteHandler } from './routes.js';

export type Method = 'GET' | 'POST' | 'DELETE';

interface Route {
  method: Method;
  pattern: string;
  /** Literal segment, or `null` where a parameter goes. */
  literals: (string | null)[];
  names: (string | null)[];
  handler: RouteHandler;
}

export type Match =
  | { kind: 'found'; handler: RouteHandler; params: Record<string, string> }
  | { kind: 'not_found' }
  | { kind: 'method_not_allowed'; allow: Method[] };

const UNSAFE = /[\u0000-\u001f\u007f/]/;

export class Router {
  private routes: Route[] = [];

  add(method: Method, pattern: string, handler: RouteHandler): void {
    if (!pattern.startsWith('/')) throw new Error(`Route pattern "${pattern}" must start with "/".`);
    if (this.routes.some((r) => r.method === method && r.pattern === pattern)) {
      throw new Error(`Route ${method} ${pattern} is already registered.`);
    }
    const segs = pattern.split('/').slice(1);
    const route: Route = {
      method,
      pattern,
      handler,
      literals: segs.map((s) => (s.startsWith(':') ? null : s)),
      names: segs.map((s) => (s.startsWith(':') ? s.slice(1) : null)),
    };
    // Copy-on-write: a request in flight keeps iterating the table it started with.
    this.routes = [...this.routes, route];
  }

  match(method: string, path: string): Match {
    const segs = path.split('/').slice(1);
    const allow: Method[] = [];
    for (const r of this.routes) {
      const params = matchSegments(r, segs);
      if (params === undefined) continue;
      if (r.method === method) return { kind: 'found', handler: r.handler, params };
      if (!allow.includes(r.method)) allow.push(r.method);
    }
    return allow.length ? { kind: 'method_not_allowed', allow } : { kind: 'not_found' };
  }
}

/** Parameters when the path fits the route's shape, else undefined. Throws 400 for an unsafe parameter. */
function matchSegments(r: Route, segs: string[]): Record<string, string> | undefined {
  if (segs.length !== r.literals.length) return undefined;
  for (let i = 0; i < segs.length; i++) {
    const lit = r.literals[i];
    if (lit !== null && lit !== segs[i] && lit !== safeDecode(segs[i]!)) return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const name = r.names[i];
    if (name === null || name === undefined) continue;
    const value = safeDecode(segs[i]!);
    if (value === undefined) throw new HttpError(400, `path parameter "${name}" is not valid percent-encoding`);
    if (value === '') throw new HttpError(400, `path parameter "${name}" must not be empty`);
    if (UNSAFE.test(value))
      throw new HttpError(400, `path parameter "${name}" must not contain "/" or control characters`);
    params[name] = value;
  }
  return params;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
