import { bool, bytes, def, endpoint, int, list, obj, opt, str, type Endpoint } from '../../config/schema.js';
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

export const httpProtocolSpec = obj({
  endpoint: def(endpoint(), { host: 'localhost', port: 4318 } as Endpoint),
  /** Limit on the request body after decompression. */
  max_request_body_size: def(bytes(), 20 * 1024 * 1024),
  logs_url_path: def(str({ pattern: /^\//, patternHint: 'a path starting with /' }), '/v1/logs'),
  include_metadata: def(bool(), false),
  auth: opt(authSpec),
  tls: opt(tlsSpec),
  cors: opt(corsSpec),
});

export const grpcProtocolSpec = obj({
  endpoint: def(endpoint(), { host: 'localhost', port: 4317 } as Endpoint),
  max_recv_msg_size_mib: def(int({ min: 1 }), 4),
  include_metadata: def(bool(), false),
  auth: opt(authSpec),
  tls: opt(tlsSpec),
});

export const otlpReceiverConfigSpec = obj({
  protocols: def(obj({
    http: opt(httpProtocolSpec),
    grpc: opt(grpcProtocolSpec),
  }, (c, add) => {
    if (!c.http && !c.grpc) add(null, 'must enable at least one of http, grpc');
  }), () => ({ http: httpProtocolSpec.parse({}, [], [])!, grpc: undefined })),
});

export type OtlpReceiverConfig = NonNullable<ReturnType<typeof otlpReceiverConfigSpec.parse>>;
export type HttpProtocolConfig = NonNullable<ReturnType<typeof httpProtocolSpec.parse>>;
export type GrpcProtocolConfig = NonNullable<ReturnType<typeof grpcProtocolSpec.parse>>;
