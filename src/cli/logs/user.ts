// `auditline logs user <user-id>`: entries of one user (GET /logs/user/{user_id}).
import { entryCommand, EVENT_LEVEL_FLAGS, seg, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'user',
  summary: 'requests and events of one user (Redis)',
  usage: `Usage: auditline logs user <user-id> [--hours N] [--limit N] [--json]

Prints the newest entries of one authenticated user, oldest first.
${WINDOW_USAGE}
  --event NAME     only entries with this event name
  --level LEVELS   only these levels, comma-separated`,
  arg: 'user-id',
  path: (u) => `/logs/user/${seg(u)}`,
  flags: { ...WINDOW_FLAGS, ...EVENT_LEVEL_FLAGS },
});
