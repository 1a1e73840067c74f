// `auditline logs errors`: 4xx/5xx requests and ERROR/CRITICAL entries (GET /logs/errors).
import { entryCommand, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'errors',
  summary: 'recent error responses and error events (Redis)',
  usage: `Usage: auditline logs errors [--hours N] [--limit N] [--include-warnings] [--json]

Prints the newest 4xx/5xx requests and ERROR/CRITICAL entries, oldest first.
${WINDOW_USAGE}
  --include-warnings  WARNING entries too`,
  path: () => '/logs/errors',
  flags: { ...WINDOW_FLAGS, 'include-warnings': { param: 'include_warnings', boolean: true } },
});
