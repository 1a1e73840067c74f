// The Collector's health_check extension: GET {path} answers 200 once every
// pipeline has started and 503 before that and from the start of shutdown, so
// orchestrators can probe a sidecar. Only requests naming this server in Host
// are answered (421 otherwise, against DNS rebinding).
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreateSettings, ExtensionFactory, PipelineWatcher } from '../../component/types.js';
import { AllowedHosts } from '../../net/allowed-hosts.js';
import { createServer, serverTlsOptions } from '../../net/tls.js';
import { healthCheckConfigSpec, type HealthCheckConfig } from './config.js';

export class HealthCheck implements PipelineWatcher {
  private server?: Server;
  private since = new Date();
  private available = false;
  private readonly hosts: AllowedHosts;

  constructor(
    private readonly settings: CreateSettings,
    private readonly cfg: HealthCheckConfig,
  ) {
    this.hosts = new AllowedHosts(cfg.endpoint, cfg.allowed_hosts);
  }

  /** The bound port (useful with `endpoint: localhost:0`). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null | undefined)?.port;
  }

  /** Every pipeline runs: probes get 200 from now on. */
  ready(): void {
    this.available = true;
    this.since = new Date();
  }

  /** Shutdown began: probes get 503. */
  notReady(): void {
    this.available = false;
  }

  async start(): Promise<void> {
    const tls = this.cfg.tls ? serverTlsOptions(this.cfg.tls, `${this.settings.id}::tls`) : undefined;
    const server = createServer(tls, (req, res) => {
      if (!this.hosts.allows(req.headers.host)) {
        this.settings.logger.burst(
          'warn',
          'host-refused',
          "Refused a health check request for a host name that is not this server's (DNS rebinding?); add it to allowed_hosts if it is.",
          { host: JSON.stringify(req.headers.host ?? '') },
        );
        res
          .writeHead(421, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: 'the Host header does not name this server (see allowed_hosts)' }));
        return;
      }
      const path = (req.url ?? '/').split('?')[0];
      if (path !== this.cfg.path) {
        res.writeHead(404).end();
        return;
      }
      this.answer(res);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.cfg.endpoint.port, this.cfg.endpoint.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** The Collector's JSON status, or the configured `response_body` text. */
  private answer(res: ServerResponse): void {
    const code = this.available ? 200 : 503;
    const custom = this.cfg.response_body;
    if (custom) {
      res
        .writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end(this.available ? custom.healthy : custom.unhealthy);
      return;
    }
    const status = this.available
      ? {
          status: 'Server available',
          upSince: this.since.toISOString(),
          uptime: `${Math.round((Date.now() - this.since.getTime()) / 1000)}s`,
        }
      : { status: 'Server not available', upSince: '0001-01-01T00:00:00Z', uptime: '' };
    res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(status));
  }

  async shutdown(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s)
      await new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      });
  }
}

export const healthCheckExtensionFactory: ExtensionFactory<HealthCheckConfig> = {
  kind: 'extension',
  type: 'health_check',
  description: 'Answers HTTP health probes while the collector runs.',
  config: healthCheckConfigSpec,
  create: (settings, cfg) => new HealthCheck(settings, cfg),
};
