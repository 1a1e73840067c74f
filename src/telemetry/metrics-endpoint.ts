// The collector's Prometheus endpoint (`service.telemetry.metrics`): GET
// /metrics on its own address, default localhost:8888, open without a token as
// the Collector's is. Served from the main thread, whose Telemetry sums the
// pipeline workers' series; the same registry answers the query API's /metrics.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsEndpoints, type TelemetryConfig } from './config.js';
import type { InternalLogger } from './logger.js';
import type { Telemetry } from './metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus.js';

export interface MetricsEndpoint {
  /** `http://host:port/metrics` of each listening server. */
  readonly urls: string[];
  close(): Promise<void>;
}

/**
 * Listens on every configured address. A busy port fails the start when the config names the address;
 * the default address, when busy (another collector on this host), is skipped with one warning.
 */
export async function startMetricsEndpoint(
  cfg: TelemetryConfig,
  telemetry: Telemetry,
  logger: InternalLogger,
): Promise<MetricsEndpoint> {
  telemetry.expose(cfg.metrics.level);
  const plan = metricsEndpoints(cfg);
  const servers: Server[] = [];
  const urls: string[] = [];
  const close = () =>
    Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
            s.closeAllConnections();
          }),
      ),
    ).then(() => {});
  for (const { host, port } of plan.endpoints) {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics') {
        res
          .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
          .end('Not found; metrics are at /metrics.\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Use GET.\n');
        return;
      }
      telemetry.prometheus().then(
        (text) => {
          res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        (err: unknown) => {
          logger.burst('error', 'metrics-scrape', 'The metrics endpoint could not render the metrics.', {
            error: err as Error,
          });
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Metrics unavailable.\n');
        },
      );
    });
    server.keepAliveTimeout = 5_000;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      if (!plan.explicit) {
        logger.warn(
          'The metrics endpoint is not served: its default address is in use; ' +
            'set service.telemetry.metrics to choose another.',
          { address: `${host}:${port}`, error: code },
        );
        continue;
      }
      await close();
      throw new Error(`The metrics endpoint cannot listen on ${host}:${port}: ${code}.`, { cause: err });
    }
    servers.push(server);
    const a = server.address() as AddressInfo;
    const url = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics`;
    urls.push(url);
    logger.info('The metrics endpoint is listening.', { url });
  }
  return { urls, close };
}
