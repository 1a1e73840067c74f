// `auditline logs path <pattern>`: requests by path or path glob (GET /logs/path?pattern=).
import { entryCommand, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'path',
  summary: 'requests whose path matches a path or a glob such as /api/users/* (Redis)',
  usage: `Usage: auditline logs path <pattern> [--method M] [--hours N] [--limit N] [--json]

Prints the newest requests whose path matches <pattern>, oldest first. "*" matches
any run of characters ("/" included), "?" one character; /users/123 also finds the
/users/:id route index.
  --method M       only this HTTP method
${WINDOW_USAGE}`,
  arg: 'pattern',
  argParam: 'pattern',
  path: () => '/logs/path',
  flags: { ...WINDOW_FLAGS, method: { param: 'method' } },
});
