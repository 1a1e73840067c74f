// The Collector's health_check extension: GET {path} answers 200 while the
// collector is running, so orchestrators can probe a sidecar. Only requests
// naming this server in Host are answered (421 otherwise, against DNS rebinding).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreateSettings, ExtensionFactory } from '../../component/types.js';
import { AllowedHosts } from '../../net/allowed-hosts.js';
import { createServer, serverTlsOptions } from '../../net/tls.js';
import { healthCheckConfigSpec, type HealthCheckConfig } from './config.js';

export class HealthCheck {
  private server?: Server;
  private since = new Date();
  private readonly hosts: AllowedHosts;

  constructor(private readonly settings: CreateSettings, private readonly cfg: HealthCheckConfig) {
    this.hosts = new AllowedHosts(cfg.endpoint, cfg.allowed_hosts);
  }

  /** The bound port (useful with `endpoint: localhost:0`). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null | undefined)?.port;
  }

  async start(): Promise<void> {
    this.since = new Date();
    const tls = this.cfg.tls ? serverTlsOptions(this.cfg.tls, `${this.settings.id}::tls`) : undefined;
    const server = createServer(tls, (req, res) => {
      if (!this.hosts.allows(req.headers.host)) {
        this.settings.logger.burst('warn', 'host-refused', 'Refused a health check request for a host name that is not this server\'s (DNS rebinding?); add it to allowed_hosts if it is.', { host: JSON.stringify(req.headers.host ?? '') });
        res.writeHead(421, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'the Host header does not name this server (see allowed_hosts)' }));
        return;
      }
      const path = (req.url ?? '/').split('?')[0];
      if (path !== this.cfg.path) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'Server available', upSince: this.since.toISOString(), uptime: `${Math.round(process.uptime())}s` }));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.cfg.endpoint.port, this.cfg.endpoint.host, () => { server.off('error', reject); resolve(); });
    });
  }

  async shutdown(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); });
  }
}

export const healthCheckExtensionFactory: ExtensionFactory<HealthCheckConfig> = {
  kind: 'extension',
  type: 'health_check',
  description: 'Answers HTTP health probes while the collector runs.',
  config: healthCheckConfigSpec,
  create: (settings, cfg) => new HealthCheck(settings, cfg),
};
