import { def, endpoint, obj, opt, str, type Endpoint } from '../../config/schema.js';
import { allowedHostsSpec } from '../../net/allowed-hosts.js';
import { tlsServerSpec } from '../../net/tls.js';

export const healthCheckConfigSpec = obj({
  endpoint: def(endpoint(), { host: 'localhost', port: 13133 } as Endpoint),
  path: def(str({ pattern: /^\//, patternHint: 'a path starting with /' }), '/'),
  /** Host names accepted besides localhost, 127.0.0.1, ::1 and the endpoint's host (`*.example.com`, `*`). */
  allowed_hosts: def(allowedHostsSpec(), []),
  /** Serve HTTPS (see src/net/tls.ts). */
  tls: opt(tlsServerSpec),
});
export type HealthCheckConfig = NonNullable<ReturnType<typeof healthCheckConfigSpec.parse>>;
