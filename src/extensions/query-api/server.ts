// The query API extension: one HTTP server that components register routes
// with (QueryApi.route). It owns bearer-token auth, routing, JSON encoding and
// errors, and serves routes of its own: `GET /health` (open),
// `GET /metrics` (Prometheus text), `GET /api/logs/stream` and
// `GET /api/logs/system/stream` (SSE, one hub: the same buffers, drops and cap),
// and with `ui` the web console: its files at `/` and `/ui/*` (open), session
// sign-in at `/api/session`, after which the session cookie stands in for the
// bearer token (with a CSRF token for POST and DELETE; see session.ts).
// Routes may be added at any time, including after the server listens.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../component/errors.js';
import type { CreateSettings, Extension, Host } from '../../component/types.js';
import { AllowedHosts, isLoopbackHost } from '../../net/allowed-hosts.js';
import { createServer, serverTlsOptions } from '../../net/tls.js';
import { authFailed } from '../authenticator.js';
import { RecordTap } from '../../pipeline/tap.js';
import { formatIssue, type ConfigIssue } from '../../config/schema.js';
import { silentLogger } from '../../telemetry/logger.js';
import { Telemetry } from '../../telemetry/metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../telemetry/prometheus.js';
import { BearerAuth } from './auth.js';
import { queryApiConfigSpec, type QueryApiConfig } from './config.js';
import { registerConsoleRoutes, SESSION_ROUTE, sessionRoute, type ConsoleContext } from './console-routes.js';
import { csrfProblem, SessionStore } from './session.js';
import { StaticFiles, uiDirectory } from './static-files.js';
import { Router, type Method } from './router.js';
import { HttpError, JsonText, type QueryApi, type RouteHandler } from './routes.js';
import { parseStreamFilter, parseSystemStreamFilter, StreamHub } from './sse.js';

export const STREAM_ROUTE = '/api/logs/stream';
/** The filelog receiver's lines, live (issue #13 item 1). */
export const SYSTEM_STREAM_ROUTE = '/api/logs/system/stream';

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export class QueryApiServer implements Extension, QueryApi {
  private readonly router = new Router();
  private server?: Server;
  private auth?: BearerAuth;
  private readonly hosts: AllowedHosts;
  private hub?: StreamHub;
  private telemetry: Telemetry;
  private shutdownPromise?: Promise<void>;
  private startPromise?: Promise<void>;
  /** The console (option `ui`): its files and sessions. */
  private readonly ui?: { files: StaticFiles; ctx: ConsoleContext };

  constructor(
    private readonly settings: CreateSettings,
    private readonly cfg: QueryApiConfig,
  ) {
    this.telemetry = settings.telemetry;
    this.hosts = new AllowedHosts(cfg.endpoint, cfg.allowed_hosts);
    if (cfg.ui) {
      const tls = cfg.tls !== undefined;
      const ctx: ConsoleContext = {
        sessions: new SessionStore(cfg.session_ttl),
        auth: () => this.auth!,
        tls,
        ttlMs: cfg.session_ttl,
        metricsText: () => this.telemetry.prometheus(),
        refused: (req) => authFailed(this.settings, 'a query API', req.socket.remoteAddress, this.telemetry),
      };
      this.ui = { files: new StaticFiles(uiDirectory(), tls), ctx };
      registerConsoleRoutes(this.router, ctx);
    }
    this.router.add('GET', STREAM_ROUTE, (q) => {
      const filter = parseStreamFilter(q.query);
      this.hub!.open(q.req, q.res, filter);
      return undefined;
    });
    this.router.add('GET', SYSTEM_STREAM_ROUTE, (q) => {
      this.hub!.open(q.req, q.res, parseSystemStreamFilter(q.query));
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
    return new QueryApiServer(
      {
        id: settings.id ?? 'query_api',
        logger: settings.logger ?? silentLogger,
        telemetry: settings.telemetry ?? new Telemetry(),
      },
      cfg,
    );
  }

  route(method: Method, pattern: string, handler: RouteHandler): void {
    this.router.add(method, pattern, handler);
  }

  /** `http://host:port` (`https://` with tls) once listening (the real port when configured with port 0). */
  get url(): string {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (!a) throw new Error('The query API is not listening.');
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `${this.cfg.tls ? 'https' : 'http'}://${host}:${a.port}`;
  }

  /**
   * The token generated for this run when none is configured (also logged once at start), for
   * in-process use; undefined when tokens are configured or before start.
   */
  get generatedToken(): string | undefined {
    return this.auth?.generated;
  }

  /** Loads tokens and listens. `host` is optional for in-process use (then the stream has no records). */
  start(host?: Host): Promise<void> {
    this.startPromise ??= this.doStart(host);
    return this.startPromise;
  }

  private async doStart(host?: Host): Promise<void> {
    if (this.shutdownPromise) return;
    const logger = this.settings.logger;
    const auth = await BearerAuth.load(this.cfg.auth);
    // Validation refuses this too; checked again for configs built in code.
    if (auth.generated !== undefined && !isLoopbackHost(this.cfg.endpoint.host)) {
      throw new Error(
        `The query API would listen on ${this.endpointText()} without a token; set auth.tokens or auth.tokens_file, or listen on localhost.`,
      );
    }
    this.auth = auth;
    const tls = this.cfg.tls ? serverTlsOptions(this.cfg.tls, `${this.settings.id}::tls`) : undefined;
    if (host) this.telemetry = host.telemetry;
    this.hub = new StreamHub(host?.tap ?? new RecordTap(), this.cfg.stream, this.telemetry, logger);
    const server = createServer(tls, (req, res) => {
      void this.handle(req, res);
    });
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
    if (auth.generated !== undefined) {
      const bound = (server.address() as AddressInfo).address;
      if (!isLoopbackHost(bound)) {
        await new Promise<void>((r) => server.close(() => r()));
        this.server = undefined;
        throw new Error(
          `The query API has no token configured and "${this.cfg.endpoint.host}" is not a loopback address (${bound}); set auth.tokens or listen on localhost.`,
        );
      }
      logger.warn(
        'The query API has no token configured, so it listens on loopback only and accepts a token generated for this run; ' +
          `for "auditline logs": export AUDITLINE_TOKEN=${auth.generated} (set AUDITLINE_TOKEN before starting, or auth.tokens, to choose your own).`,
        { url: this.url },
      );
    }
    logger.info('The query API is listening.', { url: this.url, auth: 'bearer', tls: Boolean(tls) });
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
    const timer = setTimeout(() => {
      this.hub?.destroyAll();
      server.closeAllConnections();
    }, 1000);
    timer.unref();
    await closed;
    clearTimeout(timer);
    this.hub?.destroyAll();
  }

  /** Console files and /api/session; false when the request is not the console's. */
  private async handleConsole(
    method: string,
    path: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<boolean> {
    const ui = this.ui!;
    if ((method === 'GET' || method === 'HEAD') && StaticFiles.owns(path)) {
      if (!ui.files.serve(path, res, method === 'HEAD')) throw new HttpError(404, `no console file ${path}`);
      return true;
    }
    if (path !== SESSION_ROUTE) return false;
    const r = await sessionRoute(ui.ctx, method, req, res);
    if (r.cookie) res.setHeader('set-cookie', r.cookie);
    send(res, r.status, r.body);
    return true;
  }

  /** A bearer token, or a console session cookie (plus its CSRF token for POST and DELETE); else 401/403. */
  private authorize(method: string, req: IncomingMessage, res: ServerResponse): void {
    if (this.auth!.check(req.headers.authorization)) return;
    const session = req.headers.authorization === undefined ? this.ui?.ctx.sessions.find(req) : undefined;
    if (session) {
      if (method === 'GET' || method === 'HEAD') return;
      const problem = csrfProblem(req, session, this.cfg.tls !== undefined);
      if (problem) throw new HttpError(403, `CSRF check failed: ${problem}`);
      return;
    }
    authFailed(this.settings, 'a query API', req.socket.remoteAddress, this.telemetry);
    res.setHeader('www-authenticate', 'Bearer realm="auditline"');
    throw new HttpError(401, 'missing or invalid bearer token');
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
      if (!this.hosts.allows(req.headers.host)) {
        this.settings.logger.burst(
          'warn',
          'host-refused',
          "Refused a query API request for a host name that is not this server's (DNS rebinding?); add it to allowed_hosts if it is.",
          { host: JSON.stringify(req.headers.host ?? '') },
        );
        throw new HttpError(421, 'the Host header does not name this server (see allowed_hosts)');
      }
      if (path === '/health') {
        if (method !== 'GET') throw new MethodNotAllowed(['GET']);
        return send(res, 200, { status: 'ok' });
      }
      if (this.ui && (await this.handleConsole(method, path, req, res))) return;
      this.authorize(method, req, res);
      if (path === '/metrics') {
        if (method !== 'GET') throw new MethodNotAllowed(['GET']);
        const text = await this.telemetry.prometheus();
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
        res.end(text);
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
        return send(res, 405, {
          error: `method ${method} is not allowed for ${path} (allowed: ${err.allow.join(', ')})`,
        });
      }
      if (err instanceof HttpError) return send(res, err.status, { error: err.message });
      this.settings.logger.burst('error', 'handler-failed', 'A query API handler failed.', {
        path,
        error: errorMessage(err),
      });
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
