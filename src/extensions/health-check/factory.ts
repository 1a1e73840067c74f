// The Collector's health_check extension: GET {path} answers 200 while the
// collector is running, so orchestrators can probe a sidecar.
import { createServer, type Server } from 'node:http';
import type { ExtensionFactory } from '../../component/types.js';
import { healthCheckConfigSpec, type HealthCheckConfig } from './config.js';

class HealthCheck {
  private server?: Server;
  private since = new Date();
  constructor(private readonly cfg: HealthCheckConfig) {}

  async start(): Promise<void> {
    this.since = new Date();
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== this.cfg.path) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'Server available', upSince: this.since.toISOString(), uptime: `${Math.round(process.uptime())}s` }));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.cfg.endpoint.port, this.cfg.endpoint.host, () => resolve());
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
  create: (_s, cfg) => new HealthCheck(cfg),
};
