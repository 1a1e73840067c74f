// `auditline logs method <method>`: requests by HTTP method (GET /logs/method/{method}).
import { entryCommand, seg, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'method',
  summary: 'requests by HTTP method (Redis)',
  usage: `Usage: auditline logs method <method> [--hours N] [--limit N] [--json]

Prints the newest requests with one HTTP method (GET, POST, …), oldest first.
${WINDOW_USAGE}`,
  arg: 'method',
  path: (m) => `/logs/method/${seg(m)}`,
  flags: WINDOW_FLAGS,
});
