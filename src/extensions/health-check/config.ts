import { bool, def, duration, endpoint, int, obj, opt, str, type Endpoint } from '../../config/schema.js';
import { allowedHostsSpec } from '../../net/allowed-hosts.js';
import { tlsServerSpec } from '../../net/tls.js';

/** The Collector's deprecated pipeline check: its shape is validated, and enabling it warns. */
const checkCollectorPipeline = obj(
  {
    enabled: def(bool(), false),
    interval: def(duration(), 5 * 60_000),
    exporter_failure_threshold: def(int({ min: 1 }), 5),
  },
  (c, _add, warnAt) => {
    if (c.enabled) {
      warnAt(
        null,
        'ignored (deprecated in the Collector, which advises against it); the probe reports whether all pipelines run',
      );
    }
  },
);

export const healthCheckConfigSpec = obj({
  endpoint: def(endpoint(), { host: 'localhost', port: 13133 } as Endpoint),
  path: def(str({ pattern: /^\//, patternHint: 'a path starting with /' }), '/'),
  /** Static bodies instead of the JSON status: `healthy` with 200, `unhealthy` with 503. */
  response_body: opt(obj({ healthy: def(str(), ''), unhealthy: def(str(), '') })),
  check_collector_pipeline: opt(checkCollectorPipeline),
  /** Host names accepted besides localhost, 127.0.0.1, ::1 and the endpoint's host (`*.example.com`, `*`). */
  allowed_hosts: def(allowedHostsSpec(), []),
  /** Serve HTTPS (see src/net/tls.ts). */
  tls: opt(tlsServerSpec),
});
export type HealthCheckConfig = NonNullable<ReturnType<typeof healthCheckConfigSpec.parse>>;
