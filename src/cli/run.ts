// `auditline --config F`: runs the collector until SIGINT/SIGTERM, then
// stops intake and drains the delivery logs before exiting (a second signal
// exits at once; in durable mode nothing is lost either way). SIGHUP reopens
// output files for logrotate and reloads nothing else.
import { defaultRegistry } from '../components.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { escapeControl } from '../config/safe-text.js';
import { formatIssue } from '../config/schema.js';
import { Service } from '../pipeline/service.js';
import { collectorLogger, LogOutputError } from '../telemetry/collector-logger.js';
import { startMetricsEndpoint, type MetricsEndpoint } from '../telemetry/metrics-endpoint.js';

export async function runCollector(configFile: string): Promise<number> {
  let cfg;
  try {
    cfg = loadConfigFile(configFile, defaultRegistry());
  } catch (err) {
    if (err instanceof ConfigError) { process.stderr.write(`${err.message}\n`); return 1; }
    throw err;
  }
  let logger;
  try {
    logger = collectorLogger(cfg);
  } catch (err) {
    if (err instanceof LogOutputError) { process.stderr.write(`${err.message}\n`); return 1; }
    throw err;
  }
  const service = new Service(cfg, { logger });
  // Options the Collector accepts that Auditline cannot apply: one line each (issue #15).
  for (const w of cfg.warnings) service.logger.warn(formatIssue(w));
  let metrics: MetricsEndpoint | undefined;
  try {
    metrics = await startMetricsEndpoint(cfg.telemetry, service.telemetry, service.logger);
    await service.start();
  } catch (err) {
    service.logger.error('Auditline could not start.', { error: err as Error });
    await metrics?.close();
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        service.logger.warn('Second signal received; exiting without waiting for the flush.', { signal });
        process.exit(1);
      }
      stopping = true;
      service.logger.info('Shutting down; flushing records in flight.', { signal });
      service.shutdown().then(
        () => { service.logger.info('Shutdown complete.'); void metrics?.close().finally(() => resolve(0)); },
        (err) => { service.logger.error('Shutdown failed.', { error: err as Error }); resolve(1); },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', () => {
      service.logger.info('SIGHUP received; reopening output files.');
      void service.reopen();
    });
  });
}

export function validateConfig(configFile: string): number {
  try {
    const cfg = loadConfigFile(configFile, defaultRegistry());
    for (const w of cfg.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
    process.stdout.write(`${escapeControl(configFile)}: valid (${cfg.pipelines.length} pipeline${cfg.pipelines.length === 1 ? '' : 's'}: ${cfg.pipelines.map((p) => p.name).join(', ')})\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) { process.stderr.write(`${err.message}\n`); return 1; }
    throw err;
  }
}
