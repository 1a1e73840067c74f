// The collector's own log on stderr, one line per entry, for the main thread and
// every pipeline worker alike: an environment value from the config shows as
// its reference (a token given by mistake as a file path would otherwise be
// echoed by the error that the file cannot be opened), and control characters
// are escaped.
import type { ServiceConfig } from '../config/load.js';
import { escapeControl } from '../config/safe-text.js';
import { createLogger, type InternalLogger } from './logger.js';

export function collectorLogger(cfg: ServiceConfig, name = 'auditline'): InternalLogger {
  const secrets = cfg.secrets;
  return createLogger(name, {
    level: cfg.logLevel,
    write: (line) => process.stderr.write(`${escapeControl(secrets ? secrets.redact(line) : line)}\n`),
  });
}
