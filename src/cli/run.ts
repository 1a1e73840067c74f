// `auditline --config F`: runs the collector until SIGINT/SIGTERM, then
// stops intake and drains the delivery logs before exiting (a second signal
// exits at once; in durable mode nothing is lost either way). SIGHUP reopens
// output files for logrotate and reloads nothing else.
import { defaultRegistry } from '../components.js';
import { ConfigError, type ServiceConfig } from '../config/load.js';
import { loadConfigSources, sourceLabel, type ConfigSources } from '../config/sources.js';
import { escapeControl } from '../config/safe-text.js';
import { formatIssue, formatPath } from '../config/schema.js';
import { Service } from '../pipeline/service.js';
import { collectorLogger, LogOutputError } from '../telemetry/collector-logger.js';
import { startMetricsEndpoint, type MetricsEndpoint } from '../telemetry/metrics-endpoint.js';

function load(sources: ConfigSources): ServiceConfig {
  return loadConfigSources(sources, defaultRegistry(), { env: process.env });
}

export async function runCollector(sources: ConfigSources): Promise<number> {
  let cfg;
  try {
    cfg = load(sources);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  let logger;
  try {
    logger = collectorLogger(cfg);
  } catch (err) {
    if (err instanceof LogOutputError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const service = new Service(cfg, { logger });
  // Options the Collector accepts that Auditline cannot apply: one line each (issue #15).
  for (const w of cfg.warnings) service.logger.warn(formatIssue(w));
  let metrics: MetricsEndpoint | undefined;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  let stopping = false;
  // Installed before anything starts: a receiver may acknowledge records before start() returns, and a
  // signal without a handler would end the process without draining them.
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      service.logger.warn('Second signal received; exiting without waiting for the flush.', { signal });
      process.exit(1);
    }
    stopping = true;
    service.logger.info('Shutting down; flushing records in flight.', { signal });
    // A start still in progress finishes first; a start that failed has shut down what it started.
    started.then(
      () => shutdown(service, metrics).then(resolveExit),
      () => undefined,
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', () => {
    service.logger.info('SIGHUP received; reopening output files.');
    void service.reopen();
  });
  // Assigned before any event can run a handler: everything above is synchronous.
  const started = (async () => {
    metrics = await startMetricsEndpoint(cfg.telemetry, service.telemetry, service.logger);
    await service.start();
  })();
  try {
    await started;
  } catch (err) {
    service.logger.error('Auditline could not start.', { error: err as Error });
    await metrics?.close();
    return 1;
  }
  return exited;
}

async function shutdown(service: Service, metrics: MetricsEndpoint | undefined): Promise<number> {
  try {
    await service.shutdown();
  } catch (err) {
    service.logger.error('Shutdown failed.', { error: err as Error });
    return 1;
  }
  service.logger.info('Shutdown complete.');
  await metrics?.close();
  return 0;
}

/** `auditline validate`: one line on success, every problem on failure; `--json` for tools. */
export function validateConfig(sources: ConfigSources, json = false): number {
  const label = sources.configs.map(sourceLabel).join(' + ') + (sources.sets?.length ? ' + --set' : '');
  try {
    const cfg = load(sources);
    const pipelines = cfg.pipelines.map((p) => ({
      name: p.name,
      receivers: p.receivers,
      processors: p.processors,
      exporters: p.exporters,
    }));
    if (json) {
      const warnings = cfg.warnings.map((w) => ({
        path: formatPath(w.path),
        message: w.message,
        ...(w.line ? { line: w.line } : {}),
      }));
      process.stdout.write(`${JSON.stringify({ valid: true, config: label, pipelines, warnings })}\n`);
    } else {
      for (const w of cfg.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
      const n = cfg.pipelines.length;
      process.stdout.write(
        `${escapeControl(label)}: valid (${n} pipeline${n === 1 ? '' : 's'}: ${cfg.pipelines.map((p) => p.name).join(', ')})\n`,
      );
    }
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (json) {
      const errors = err.issues.map((i) => ({
        path: formatPath(i.path),
        message: i.message,
        ...(i.line ? { line: i.line } : {}),
      }));
      process.stdout.write(`${JSON.stringify({ valid: false, config: label, errors })}\n`);
    } else {
      process.stderr.write(`${err.message}\n`);
    }
    return 1;
  }
}
