// `auditline logs errors-debug`: recent errors with their full records (GET /logs/errors).
import { fullRecord } from './full-record.js';
import { entryCommand, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'errors-debug',
  summary: 'recent errors with every field of their records, for debugging (Redis)',
  usage: `Usage: auditline logs errors-debug [--hours N] [--limit N] [--include-warnings] [--json]

Prints the newest 4xx/5xx requests and ERROR/CRITICAL entries, oldest first, each
with every field of its record (error, attributes, trace id…) below its line.
${WINDOW_USAGE}
  --include-warnings  WARNING entries too`,
  path: () => '/logs/errors',
  flags: { ...WINDOW_FLAGS, 'include-warnings': { param: 'include_warnings', boolean: true } },
  render: fullRecord,
});
