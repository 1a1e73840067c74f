// OTLP/gRPC logs receiver: the unary method
// /opentelemetry.proto.collector.logs.v1.LogsService/Export, answered as the
// OTLP specification says: OK with an ExportLogsServiceResponse (partial_success
// when records were rejected), INVALID_ARGUMENT for undecodable data,
// UNAVAILABLE / RESOURCE_EXHAUSTED with a google.rpc.RetryInfo when the
// pipeline cannot take more, UNAUTHENTICATED without valid credentials. The
// service definition is hand-made so that grpc-js hands the raw (already
// gunzipped, size-checked) message bytes to our own decoder (or, with
// pipeline workers, to a worker thread that decodes them).
import {
  Metadata,
  Server,
  ServerInterceptingCall,
  status,
  type sendUnaryData,
  type ServerErrorResponse,
  type ServerInterceptor,
  type ServerOptions,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { BackpressureError, errorMessage } from '../../component/errors.js';
import type { CreateSettings, Host, LogsConsumer } from '../../component/types.js';
import { authFailed, isAuthenticator, type Authenticator } from '../../extensions/authenticator.js';
import { grpcServerCredentials } from '../../net/grpc-tls.js';
import { serverTlsOptions } from '../../net/tls.js';
import { encodeLogsResponse, type PartialSuccess } from '../../otlp/encode.js';
import { asRefused, DecodeFailure, requestConsumer, type RequestConsumer } from '../../pipeline/ingest.js';
import { M } from '../../telemetry/metrics.js';
import type { GrpcProtocolConfig } from './config.js';
import { encodeStatusWithRetryInfo, STATUS_DETAILS_KEY } from './grpc-status.js';
import { removeStaleSocket } from './unix-socket.js';

export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** The message bytes as grpc-js read them (already gunzipped and size-checked); decoding happens in the handler. */
type ExportRequest = Buffer;
/** `undefined` is the full-success response (partial_success unset). */
type ExportResponse = PartialSuccess | undefined;

let fullSuccess: Buffer | undefined;
function serializeResponse(partial: ExportResponse): Buffer {
  if (partial) return asBuffer(encodeLogsResponse('protobuf', partial));
  // The full-success response never changes, so it is encoded once.
  return (fullSuccess ??= asBuffer(encodeLogsResponse('protobuf')));
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function serverOnly(): never {
  throw new Error('The OTLP logs service definition is for serving only.');
}

const logsService: ServiceDefinition<{
  Export: (call: ServerUnaryCall<ExportRequest, ExportResponse>, cb: sendUnaryData<ExportResponse>) => void;
}> = {
  Export: {
    path: LOGS_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: serverOnly,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: serializeResponse,
    responseDeserialize: serverOnly,
    originalName: 'export',
  },
};

/** How long shutdown lets in-flight calls finish before cancelling them. */
const SHUTDOWN_GRACE_MS = 5_000;

export class OtlpGrpcReceiver {
  private server?: Server;
  private boundPort?: number;
  private stopping?: Promise<void>;
  private readonly labels: Record<string, string>;

  private readonly requests: RequestConsumer;

  constructor(
    private readonly settings: CreateSettings,
    private readonly cfg: GrpcProtocolConfig,
    next: LogsConsumer,
  ) {
    this.labels = { receiver: settings.id, transport: 'grpc' };
    this.requests = requestConsumer(next);
  }

  /** The bound port (useful with `endpoint: localhost:0`). */
  get port(): number | undefined {
    return this.boundPort;
  }

  async start(host: Host): Promise<void> {
    const options = serverOptions(this.cfg);
    if (this.cfg.auth?.authenticator) {
      const ext = host.getExtension(this.cfg.auth.authenticator);
      if (!isAuthenticator(ext))
        throw new Error(
          `Authenticator extension "${this.cfg.auth.authenticator}" is not enabled in service.extensions.`,
        );
      options.interceptors = [authInterceptor(ext, (peer) => authFailed(this.settings, 'an OTLP/gRPC', peer))];
    }
    const creds = grpcServerCredentials(
      this.cfg.tls ? serverTlsOptions(this.cfg.tls, `${this.settings.id}::protocols::grpc::tls`) : undefined,
    );

    const server = new Server(options);
    server.addService(logsService, { Export: this.handleExport });
    const { host: h, port, path: socket } = this.cfg.endpoint;
    if (socket !== undefined) await removeStaleSocket(socket);
    const address = socket !== undefined ? `unix:${socket}` : `${h.includes(':') ? `[${h}]` : h}:${port}`;
    try {
      this.boundPort = await new Promise<number>((resolve, reject) => {
        server.bindAsync(address, creds, (err, bound) => (err ? reject(err) : resolve(bound)));
      });
    } catch (err) {
      server.forceShutdown();
      throw new Error(`OTLP/gRPC receiver cannot listen on "${address}": ${errorMessage(err)}`, { cause: err });
    }
    this.server = server;
    const where = socket !== undefined ? address : `${h}:${this.boundPort}`;
    this.settings.logger.info('OTLP/gRPC receiver is listening.', { endpoint: where, tls: Boolean(this.cfg.tls) });
  }

  /** Lets in-flight calls finish (up to a grace period), then cancels the rest. Safe to call twice. */
  shutdown(): Promise<void> {
    if (this.stopping) return this.stopping;
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    this.stopping = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.settings.logger.warn('OTLP/gRPC calls were still running at shutdown and were cancelled.', {
          receiver: this.settings.id,
        });
        server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.stopping;
  }

  private readonly handleExport = (
    call: ServerUnaryCall<ExportRequest, ExportResponse>,
    callback: sendUnaryData<ExportResponse>,
  ): void => {
    this.requests.consumeEncoded('protobuf', call.request).then(
      (result) => {
        if (result.rejected > 0) this.settings.telemetry.add(M.receiverRejected, result.rejected, this.labels);
        this.settings.telemetry.add(M.receiverAccepted, result.accepted, this.labels);
        callback(
          null,
          result.rejected > 0
            ? {
                rejectedLogRecords: result.rejected,
                errorMessage: result.rejectReason ?? 'Some log records were invalid.',
              }
            : undefined,
        );
      },
      (err: unknown) => {
        if (err instanceof DecodeFailure) {
          callback({
            code: status.INVALID_ARGUMENT,
            details: `Request is not a valid OTLP logs request: ${err.message}`,
          });
          return;
        }
        const refused = asRefused(err);
        if (refused.rejected > 0) this.settings.telemetry.add(M.receiverRejected, refused.rejected, this.labels);
        this.settings.telemetry.add(M.receiverRefused, refused.records, this.labels);
        callback(this.failure(refused.cause));
      },
    );
  };

  private failure(err: unknown): ServerErrorResponse & { code: number } {
    if (err instanceof BackpressureError) {
      // RetryInfo is what makes RESOURCE_EXHAUSTED retryable for an OTLP client, and gives UNAVAILABLE its delay.
      const code = err.status === 429 ? status.RESOURCE_EXHAUSTED : status.UNAVAILABLE;
      const metadata = new Metadata();
      metadata.set(STATUS_DETAILS_KEY, encodeStatusWithRetryInfo(code, err.message, err.retryAfterSeconds));
      return { name: 'BackpressureError', message: err.message, code, details: err.message, metadata };
    }
    this.settings.logger.burst('error', 'consume', 'The pipeline failed to take a request.', {
      error: errorMessage(err),
    });
    const details = `The pipeline failed to take the records: ${errorMessage(err)}`;
    return { name: 'Error', message: details, code: status.INTERNAL, details };
  }
}

/** The Collector's configgrpc server settings as grpc-js channel options. */
function serverOptions(cfg: GrpcProtocolConfig): ServerOptions {
  const options: ServerOptions = {
    'grpc.max_receive_message_length': (cfg.max_recv_msg_size_mib || 4) * 1024 * 1024,
  };
  if (cfg.max_concurrent_streams > 0) options['grpc.max_concurrent_streams'] = cfg.max_concurrent_streams;
  const ka = cfg.keepalive?.server_parameters;
  if (ka?.max_connection_idle) options['grpc.max_connection_idle_ms'] = ka.max_connection_idle;
  if (ka?.max_connection_age) options['grpc.max_connection_age_ms'] = ka.max_connection_age;
  if (ka?.max_connection_age_grace) options['grpc.max_connection_age_grace_ms'] = ka.max_connection_age_grace;
  if (ka?.time) options['grpc.keepalive_time_ms'] = ka.time;
  if (ka?.timeout) options['grpc.keepalive_timeout_ms'] = ka.timeout;
  return options;
}

/** Rejects a call before its message is read (so before decoding) unless its metadata carries valid credentials. */
function authInterceptor(auth: Authenticator, refused: (peer: string) => void): ServerInterceptor {
  return (_method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, mdNext) => {
            if (auth.authenticate(metadataHeaders(metadata))) {
              mdNext(metadata);
            } else {
              refused(call.getPeer());
              call.sendStatus({
                code: status.UNAUTHENTICATED,
                details: 'Missing or invalid credentials.',
                metadata: null,
              });
            }
          },
        }),
    });
}

/** The call's text metadata as the header map authenticators read (keys are already lower-case). */
function metadataHeaders(metadata: Metadata): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = Object.create(null);
  const map = metadata.getMap();
  for (const key of Object.keys(map)) {
    const v = map[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}
