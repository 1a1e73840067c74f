// gRPC server credentials from the shared TLS options (src/net/tls.ts).
// grpc-js's own `ServerCredentials.createSsl` offers no minimum version and
// fixes the cipher list, so the options go to its HTTP/2 server as they are:
// grpc-js passes a credentials object's constructor options straight to
// `http2.createSecureServer`.
import { ServerCredentials } from '@grpc/grpc-js';
import type { TlsOptions } from 'node:tls';

class TlsServerCredentials extends ServerCredentials {
  constructor(options: TlsOptions) {
    const { cert, key, ca, ...server } = options;
    super(server, { cert, key, ca });
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

export function grpcServerCredentials(tls: TlsOptions | undefined): ServerCredentials {
  return tls ? new TlsServerCredentials(tls) : ServerCredentials.createInsecure();
}
