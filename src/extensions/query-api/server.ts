// The query API extension: one HTTP server that components register routes
// with (QueryApi.route). It owns bearer-token auth, routing, JSON encoding and
// errors, and serves three routes of its own: `GET /health` (open),
// `GET /metrics` (Prometheus text) and `GET /api/logs/stream` (SSE).
// Routes may be added at any time, including after the server listens.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../component/errors.js';
import type { CreateSettings, Extension, Host } from '../../component/types.js';
import { RecordTap } from '../../pipeline/tap.js';
import { formatIssue, type ConfigIssue } from '../../config/schema.js';
import { silentLogger } from '../../telemetry/logger.js';
import { Telemetry } from '../../telemetry/metrics.js';
import { BearerAuth } from './auth.js';
import { queryApiConfigSpec, type QueryApiConfig } from './config.js';
import { Router, type Method } from './router.js';
import { HttpError, JsonText, type QueryApi, type RouteHandler } from './routes.js';
import { parseStreamFilter, StreamHub } from './sse.js';

export const STREAM_ROUTE = '/api/logs/stream';

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export class QueryApiServer implements Extension, QueryApi {
  private readonly router = new Router();
  private server?: Server;
  private auth?: BearerAuth;
  private hub?: StreamHub;
  private telemetry: Telemetry;
  private shutdownPromise?: Promise<void>;
  private startPromise?: Promise<void>;

  constructor(private readonly settings: CreateSettings, private readonly cfg: QueryApiConfig) {
    this.telemetry = settings.telemetry;
    this.router.add('GET', STREAM_ROUTE, (q) => {
      const filter = parseStreamFilter(q.query);
      this.hub!.open(q.req, q.res, filter);
      return undefined;
    });
  }

  /**
   * For in-process use: options in YAML form (`{ endpoint: 'localhost:8080', auth: { tokens: [t] } }`),
   * a silent logger and fresh telemetry unless given.
   */
  static fromOptions(options: Record<string, unknown> = {}, settings: Partial<CreateSettings> = {}): QueryApiServer {
    const issues: ConfigIssue[] = [];
    const cfg = queryApiConfigSpec.parse(options, [], issues);
    if (!cfg || issues.length) throw new Error(`Invalid query API options: ${issues.map(formatIssue).join('; ')}`);
    return new QueryApiServer({ id: settings.id ?? 'query_api', logger: settings.logger ?? silentLogger, telemetry: settings.telemetry ?? new Telemetry() }, cfg);
  }

  route(method: Method, pattern: string, handler: RouteHandler): void {
    this.router.add(method, pattern, handler);
  }

  /** `http://host:port` once listening (the real port when configured with port 0). */
  get url(): string {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (!a) throw new Error('The query API is not listening.');
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  /** Loads tokens and listens. `host` is optional for in-process use (then the stream has no records). */
  start(host?: Host): Promise<void> {
    this.startPromise ??= this.doStart(host);
    return this.startPromise;
  }

  private async doStart(host?: Host): Promise<void> {
    if (this.shutdownPromise) return;
    const logger = this.settings.logger;
    if (this.cfg.auth) this.auth = await BearerAuth.load(this.cfg.auth);
    else logger.warn('The query API has no auth block; every endpoint is open to anyone who can reach it.', { endpoint: this.endpointText() });
    if (host) this.telemetry = host.telemetry;
    this.hub = new StreamHub(host?.tap ?? new RecordTap(), this.cfg.stream, this.telemetry, logger);
    const server = createServer((req, res) => { void this.handle(req, res); });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.cfg.endpoint.port, this.cfg.endpoint.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: NodeJS.ErrnoException) => {
      this.server = undefined;
      throw new Error(`The query API cannot listen on ${this.endpointText()}: ${err.code ?? err.message}.`);
    });
    server.on('error', (err) => logger.error('The query API server failed.', { error: errorMessage(err) }));
    logger.info('The query API is listening.', { url: this.url, auth: this.auth ? 'bearer' : 'none' });
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    await this.startPromise?.catch(() => undefined);
    const server = this.server;
    if (!server) return;
    this.hub?.close();
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    // Streams were ended above; anything still open after a moment is cut.
    const timer = setTimeout(() => { this.hub?.destroyAll(); server.closeAllConnections(); }, 1000);
    timer.unref();
    await closed;
    clearTimeout(timer);
    this.hub?.destroyAll();
  }

  private endpointText(): string {
    return `${this.cfg.endpoint.host}:${this.cfg.endpoint.port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const qi = raw.indexOf('?');
    const path = qi < 0 ? raw : raw.slice(0, qi);
    const method = req.method ?? 'GET';
    if (method !== 'POST') req.resume();
    try {
      if (path === '/health') {
        if (method !== 'GET') throw new MethodNotAllowed(['GET']);
        return send(res, 200, { status: 'ok' });
      }
      if (this.auth && !this.auth.check(req.headers.authorization)) {
        res.setHeader('www-authenticate', 'Bearer realm="auditline"');
        throw new HttpError(401, 'missing or invalid bearer token');
      }
      if (path === '/metrics') {
        if (method !== 'GET') throw new MethodNotAllowed(['GET']);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
        res.end(this.telemetry.toPrometheus());
        return;
      }
      const m = this.router.match(method, path);
      if (m.kind === 'not_found') throw new HttpError(404, `no route for ${method} ${path}`);
      if (m.kind === 'method_not_allowed') throw new MethodNotAllowed(m.allow);
      const query = new URLSearchParams(qi < 0 ? '' : raw.slice(qi + 1));
      const body = await m.handler({ params: m.params, query, req, res });
      if (body instanceof JsonText) sendText(res, 200, body.text);
      else if (body !== undefined && !res.headersSent) send(res, 200, body);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof MethodNotAllowed) {
        res.setHeader('allow', err.allow.join(', '));
        return send(res, 405, { error: `method ${method} is not allowed for ${path} (allowed: ${err.allow.join(', ')})` });
      }
      if (err instanceof HttpError) return send(res, err.status, { error: err.message });
      this.settings.logger.burst('error', 'handler-failed', 'A query API handler failed.', { path, error: errorMessage(err) });
      send(res, 500, { error: 'internal error' });
    }
  }
}

class MethodNotAllowed extends HttpError {
  constructor(readonly allow: string[]) {
    super(405, 'method not allowed');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
