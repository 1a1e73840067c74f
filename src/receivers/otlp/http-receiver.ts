// OTLP/HTTP logs receiver: POST {logs_url_path} with protobuf or JSON bodies,
// answered exactly as the OTLP specification says (200 with an
// ExportLogsServiceResponse in the request's content type; 4xx/5xx with a
// google.rpc.Status body; Retry-After on 429/503). A bad request never
// affects the next one.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackpressureError, errorMessage } from '../../component/errors.js';
import type { CreateSettings, Host, LogsConsumer } from '../../component/types.js';
import { authFailed, isAuthenticator, type Authenticator } from '../../extensions/authenticator.js';
import { createServer, serverTlsOptions } from '../../net/tls.js';
import { removeStaleSocket } from './unix-socket.js';
import { encodeLogsResponse, encodeStatus } from '../../otlp/encode.js';
import {
  asRefused,
  DecodeFailure,
  requestConsumer,
  type Ingested,
  type RequestConsumer,
} from '../../pipeline/ingest.js';
import { M } from '../../telemetry/metrics.js';
import type { HttpProtocolConfig } from './config.js';
import { BodyError, readBody } from './read-body.js';

type Format = 'protobuf' | 'json';
const CONTENT_TYPE: Record<Format, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };
// gRPC status codes carried in the Status body, per the OTLP/HTTP mapping.
/** Request body bytes decoded and processed at once; more waits for a retry (503). */
const MAX_INFLIGHT_BYTES = 64 * 1024 * 1024;
/** How long shutdown waits for requests in progress before closing every connection. */
const SHUTDOWN_GRACE_MS = 10_000;
const GRPC_CODE: Record<number, number> = {
  400: 3,
  401: 16,
  404: 5,
  405: 12,
  413: 8,
  415: 3,
  429: 8,
  500: 13,
  503: 14,
};

export class OtlpHttpReceiver {
  private server?: Server;
  private auth?: Authenticator;
  /** Set at shutdown: requests still arriving on kept-alive connections are refused and those connections closed. */
  private stopping = false;
  /** Bytes of request bodies being decoded and processed now. */
  private inflightBytes = 0;
  private readonly labels: Record<string, string>;

  private readonly requests: RequestConsumer;

  constructor(
    private readonly settings: CreateSettings,
    private readonly cfg: HttpProtocolConfig,
    next: LogsConsumer,
  ) {
    this.labels = { receiver: settings.id, transport: 'http' };
    this.requests = requestConsumer(next);
  }

  /** The bound port (useful with `endpoint: localhost:0`). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async start(host: Host): Promise<void> {
    if (this.cfg.auth?.authenticator) {
      const ext = host.getExtension(this.cfg.auth.authenticator);
      if (!isAuthenticator(ext))
        throw new Error(
          `Authenticator extension "${this.cfg.auth.authenticator}" is not enabled in service.extensions.`,
        );
      this.auth = ext;
    }
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      void this.handle(req, res);
    };
    this.server = createServer(
      this.cfg.tls ? serverTlsOptions(this.cfg.tls, `${this.settings.id}::protocols::http::tls`) : undefined,
      handler,
    );
    this.server.keepAliveTimeout = 30_000;
    const server = this.server;
    const { path: socket, host: h, port } = this.cfg.endpoint;
    if (socket !== undefined) await removeStaleSocket(socket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const listening = () => {
        server.off('error', reject);
        resolve();
      };
      if (socket !== undefined) server.listen(socket, listening);
      else server.listen(port, h, listening);
    });
    const where = socket !== undefined ? `unix:${socket}` : `${h}:${this.port}`;
    this.settings.logger.info('OTLP/HTTP receiver is listening.', { endpoint: where, path: this.cfg.logs_url_path });
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.stopping = true;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // A client that keeps a connection busy must not hold shutdown open: once each connection's
      // request in progress is answered it is closed (see `handle`); after a grace period, all are.
      setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (this.stopping) {
      res.setHeader('Retry-After', '1');
      return this.fail(res, 'json', 503, 'The collector is shutting down; retry later.', true);
    }
    if (this.cfg.cors && this.handleCors(req, res)) return;
    if (path !== this.cfg.logs_url_path) return this.fail(res, 'json', 404, this.notFound(path));
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.fail(res, 'json', 405, `Method ${req.method} is not allowed; use POST.`);
    }
    const format = formatOf(req.headers['content-type']);
    if (this.auth && !this.auth.authenticate(req.headers)) {
      authFailed(this.settings, 'an OTLP/HTTP', req.socket.remoteAddress);
      res.setHeader('WWW-Authenticate', 'Bearer');
      return this.fail(res, format ?? 'json', 401, 'Missing or invalid credentials.');
    }
    if (!format) {
      return this.fail(
        res,
        'json',
        415,
        `Unsupported Content-Type "${req.headers['content-type'] ?? ''}"; use application/x-protobuf or application/json.`,
      );
    }

    let body: Buffer;
    try {
      body = await readBody(req, this.cfg.max_request_body_size, this.cfg.compression_algorithms);
    } catch (err) {
      if (err instanceof BodyError) return this.fail(res, format, err.status, err.message, err.status === 413);
      return this.fail(res, format, 400, errorMessage(err));
    }

    // Bodies being decoded and processed at once are bounded, so a few huge requests cannot
    // together hold unbounded memory before the delivery log's own bound applies.
    // (The length is kept: a body handed to a pipeline worker is transferred, leaving it empty here.)
    const size = body.length;
    if (this.inflightBytes > 0 && this.inflightBytes + size > MAX_INFLIGHT_BYTES) {
      res.setHeader('Retry-After', '1');
      return this.fail(res, format, 503, 'Too many large requests are being processed; retry shortly.');
    }
    let result: Ingested;
    this.inflightBytes += size;
    try {
      result = await this.requests.consumeEncoded(format, body);
    } catch (err) {
      if (err instanceof DecodeFailure)
        return this.fail(res, format, 400, `Request body is not a valid OTLP logs request: ${err.message}`);
      const refused = asRefused(err);
      if (refused.rejected > 0) this.settings.telemetry.add(M.receiverRejected, refused.rejected, this.labels);
      this.settings.telemetry.add(M.receiverRefused, refused.records, this.labels);
      if (refused.cause instanceof BackpressureError) {
        res.setHeader('Retry-After', String(refused.cause.retryAfterSeconds));
        return this.fail(res, format, refused.cause.status, refused.cause.message);
      }
      this.settings.logger.burst('error', 'consume', 'The pipeline failed to take a request.', {
        error: refused.message,
      });
      return this.fail(res, format, 500, `The pipeline failed to take the records: ${refused.message}`);
    } finally {
      this.inflightBytes -= size;
    }
    const { accepted, rejected } = result;
    if (rejected > 0) this.settings.telemetry.add(M.receiverRejected, rejected, this.labels);
    this.settings.telemetry.add(M.receiverAccepted, accepted, this.labels);
    const partial =
      rejected > 0
        ? { rejectedLogRecords: rejected, errorMessage: result.rejectReason ?? 'Some log records were invalid.' }
        : undefined;
    // Answered during shutdown: the records are in the delivery log; the connection is not kept.
    if (this.stopping) res.setHeader('Connection', 'close');
    res.writeHead(200, { 'Content-Type': CONTENT_TYPE[format] });
    res.end(encodeLogsResponse(format, partial));
  }

  /** As the Collector, whose receiver serves no route for a signal without a pipeline; the message says why. */
  private notFound(path: string): string {
    const other =
      path === (this.cfg.traces_url_path ?? '/v1/traces')
        ? 'traces'
        : path === (this.cfg.metrics_url_path ?? '/v1/metrics')
          ? 'metrics'
          : path === '/v1development/profiles'
            ? 'profiles'
            : undefined;
    if (other) return `This collector receives logs only; ${other} are not accepted (logs: ${this.cfg.logs_url_path}).`;
    return `Unknown path "${path}"; logs are accepted at ${this.cfg.logs_url_path}.`;
  }

  private fail(res: ServerResponse, format: Format, status: number, message: string, close = false): void {
    if (res.headersSent) return;
    if (close || this.stopping) res.setHeader('Connection', 'close');
    res.statusCode = status;
    res.setHeader('Content-Type', CONTENT_TYPE[format]);
    res.end(encodeStatus(format, GRPC_CODE[status] ?? 2, message));
  }

  /** Answers a preflight; returns true when the request was fully handled. */
  private handleCors(req: IncomingMessage, res: ServerResponse): boolean {
    const cors = this.cfg.cors!;
    const origin = req.headers.origin;
    if (!origin) return false;
    const allowed = cors.allowed_origins.some((o) => o === '*' || o === origin);
    if (!allowed) return false;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    if (req.method !== 'OPTIONS') return false;
    res.setHeader('Access-Control-Allow-Methods', 'POST');
    res.setHeader(
      'Access-Control-Allow-Headers',
      ['Content-Type', 'Content-Encoding', 'Authorization', ...cors.allowed_headers].join(', '),
    );
    if (cors.max_age) res.setHeader('Access-Control-Max-Age', String(cors.max_age));
    res.writeHead(204).end();
    return true;
  }
}

function formatOf(contentType: string | undefined): Format | undefined {
  if (!contentType) return undefined;
  const base = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (base === 'application/x-protobuf' || base === 'application/protobuf') return 'protobuf';
  if (base === 'application/json') return 'json';
  return undefined;
}
