import {
  bool,
  bytes,
  def,
  duration,
  endpoint,
  ignored,
  int,
  list,
  LOGS_ONLY,
  obj,
  oneOf,
  opt,
  str,
  warn,
  type Endpoint,
  type Spec,
} from '../../config/schema.js';
import { SUPPORTED_ENCODINGS } from '../../compression/decoders.js';
import { tlsServerSpec } from '../../net/tls.js';

const authSpec = obj({
  /** Id of an extension that authenticates requests, e.g. `bearertokenauth`. */
  authenticator: def(str({ nonEmpty: true }), ''),
});

/** The shared server TLS block (cert/key, client_ca_file for mTLS, min_version, cipher_suites). */
const tlsSpec = tlsServerSpec;

const corsSpec = obj({
  allowed_origins: def(list(str()), []),
  allowed_headers: def(list(str()), []),
  max_age: def(int({ min: 0 }), 0),
});

/** Where to listen: `host:port`, or with `transport: unix` a socket path (`path` set, host and port unused). */
export type ListenAddress = Endpoint & { path?: string };

/** The Collector's `endpoint`: `host:port`, or a filesystem path for `transport: unix`. */
function listenEndpoint(): Spec<ListenAddress> {
  const hostPort = endpoint();
  return {
    shape: 'host:port (or a socket path with transport: unix)',
    parse(v, p, is) {
      if (typeof v === 'string' && !v.includes(':') && (v.includes('/') || v.endsWith('.sock')))
        return { host: '', port: 0, path: v };
      return hostPort.parse(v, p, is);
    },
  };
}

const TRANSPORTS = ['tcp', 'tcp4', 'tcp6', 'unix'] as const;

function checkTransport(
  c: { transport: string; endpoint: ListenAddress },
  add: (key: string | null, msg: string) => void,
): void {
  if (c.transport === 'unix' && c.endpoint.path === undefined)
    add('endpoint', 'must be a socket path when transport is unix');
  if (c.transport !== 'unix' && c.endpoint.path !== undefined) {
    add('endpoint', 'must be host:port with a port from 0 to 65535 (or set transport: unix for a socket path)');
  }
}

/** A URL path as the Collector sanitises it: `log/ingest` is `/log/ingest`. */
function urlPath(): Spec<string> {
  return {
    shape: 'URL path',
    parse(v, p, is) {
      if (typeof v !== 'string' || v.trim() === '') {
        is.push({ path: p, message: 'must be a URL path such as /v1/logs' });
        return undefined;
      }
      let path: string;
      try {
        path = new URL(v, 'http://x/').pathname;
      } catch {
        is.push({ path: p, message: 'must be a URL path such as /v1/logs' });
        return undefined;
      }
      return v.startsWith('/') ? path : new URL(`/${v}`, 'http://x/').pathname;
    },
  };
}

/** `traces_url_path` / `metrics_url_path`: accepted with one warning; requests there get 404. */
function otherSignalPath(): Spec<string> {
  const inner = urlPath();
  return {
    shape: `URL path (${LOGS_ONLY}: accepted with a warning, answered 404)`,
    parse(v, p, is) {
      const before = is.length;
      const out = inner.parse(v, p, is);
      if (is.length === before) warn(is, p, `ignored (${LOGS_ONLY}; requests to ${out} are answered 404)`);
      return out;
    },
  };
}

/** Content-Encoding values the Collector knows; `""` is an uncompressed body. */
const KNOWN_ALGORITHMS = ['', 'gzip', 'zstd', 'zlib', 'snappy', 'deflate', 'lz4', 'x-snappy-framed'];

function compressionAlgorithms(): Spec<string[]> {
  const inner = list(str());
  return {
    shape: 'list of Content-Encoding values',
    parse(v, p, is) {
      const l = inner.parse(v, p, is);
      if (!l) return undefined;
      const ok: string[] = [];
      l.forEach((a, i) => {
        const name = a.trim().toLowerCase();
        if (!KNOWN_ALGORITHMS.includes(name))
          is.push({ path: [...p, i], message: `must be one of "", ${KNOWN_ALGORITHMS.slice(1).join(', ')}` });
        else ok.push(name);
      });
      return ok;
    },
  };
}

export const httpProtocolSpec = obj(
  {
    endpoint: def(listenEndpoint(), { host: 'localhost', port: 4318 } as ListenAddress),
    /** `tcp` (default; `tcp4`, `tcp6` alike) or `unix` with a socket path in `endpoint`. */
    transport: def(oneOf(TRANSPORTS), 'tcp'),
    /** Limit on the request body after decompression. */
    max_request_body_size: def(bytes(), 20 * 1024 * 1024),
    /** A leading `/` is added when missing, as the Collector does. */
    logs_url_path: def(urlPath(), '/v1/logs'),
    traces_url_path: opt(otherSignalPath()),
    metrics_url_path: opt(otherSignalPath()),
    /** Request Content-Encodings accepted (`""` for none); default: all of gzip, zlib, deflate, zstd, snappy, x-snappy-framed. */
    compression_algorithms: def(compressionAlgorithms(), ['', ...SUPPORTED_ENCODINGS]),
    include_metadata: def(bool(), false),
    auth: opt(authSpec),
    tls: opt(tlsSpec),
    cors: opt(corsSpec),
  },
  checkTransport,
);

const keepaliveServerParameters = obj({
  /** Close a connection idle (no calls) this long. */
  max_connection_idle: opt(duration()),
  /** Close a connection after this long, calls or not (after `max_connection_age_grace`). */
  max_connection_age: opt(duration()),
  max_connection_age_grace: opt(duration()),
  /** Ping an idle client after this long... */
  time: opt(duration()),
  /** ...and close the connection if the ping is not answered within this. */
  timeout: opt(duration()),
});

const keepaliveSpec = obj({
  server_parameters: opt(keepaliveServerParameters),
  enforcement_policy: ignored(
    'grpc-js does not police how often clients ping',
    obj({ min_time: opt(duration()), permit_without_stream: opt(bool()) }),
  ),
});

export const grpcProtocolSpec = obj(
  {
    endpoint: def(listenEndpoint(), { host: 'localhost', port: 4317 } as ListenAddress),
    /** `tcp` (default; `tcp4`, `tcp6` alike) or `unix` with a socket path in `endpoint`. */
    transport: def(oneOf(TRANSPORTS), 'tcp'),
    /** `0` means the default, 4 MiB, as in the Collector. */
    max_recv_msg_size_mib: def(int({ min: 0 }), 4),
    /** HTTP/2 streams (calls) at once per connection; `0`: unlimited. */
    max_concurrent_streams: def(int({ min: 0 }), 0),
    read_buffer_size: ignored('grpc-js has no socket buffer size setting', bytes({ min: 0 })),
    write_buffer_size: ignored('grpc-js has no socket buffer size setting', bytes({ min: 0 })),
    keepalive: opt(keepaliveSpec),
    include_metadata: def(bool(), false),
    auth: opt(authSpec),
    tls: opt(tlsSpec),
  },
  checkTransport,
);

export const otlpReceiverConfigSpec = obj({
  protocols: def(
    obj(
      {
        http: opt(httpProtocolSpec),
        grpc: opt(grpcProtocolSpec),
      },
      (c, add) => {
        if (!c.http && !c.grpc) add(null, 'must enable at least one of http, grpc');
      },
    ),
    () => ({ http: httpProtocolSpec.parse({}, [], [])!, grpc: undefined }),
  ),
});

export type OtlpReceiverConfig = NonNullable<ReturnType<typeof otlpReceiverConfigSpec.parse>>;
export type HttpProtocolConfig = NonNullable<ReturnType<typeof httpProtocolSpec.parse>>;
export type GrpcProtocolConfig = NonNullable<ReturnType<typeof grpcProtocolSpec.parse>>;
