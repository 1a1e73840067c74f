// `auditline logs status <code>`: requests by status code (GET /logs/status/{code}).
import { entryCommand, seg, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'status',
  summary: 'requests by HTTP status code (Redis)',
  usage: `Usage: auditline logs status <code> [--hours N] [--limit N] [--json]

Prints the newest requests answered with one status code, oldest first.
${WINDOW_USAGE}`,
  arg: 'code',
  path: (c) => `/logs/status/${seg(c)}`,
  flags: WINDOW_FLAGS,
});
