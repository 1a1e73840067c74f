// `auditline logs slow [threshold-ms]`: slow requests (GET /logs/slow).
import { entryCommand, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'slow',
  summary: 'requests slower than the exporter threshold or a given one (Redis)',
  usage: `Usage: auditline logs slow [threshold-ms] [--hours N] [--limit N] [--json]

Prints the newest slow requests, oldest first: those at or over the exporter's
slow_threshold (default 1 s), or, with threshold-ms, only those at or over it.
${WINDOW_USAGE}`,
  arg: 'threshold-ms',
  argOptional: true,
  argParam: 'threshold_ms',
  path: () => '/logs/slow',
  flags: WINDOW_FLAGS,
});
