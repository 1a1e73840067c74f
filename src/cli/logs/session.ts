// `auditline logs session <session-id>`: entries of one session (GET /logs/session/{session_id}).
import { entryCommand, EVENT_LEVEL_FLAGS, seg, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'session',
  summary: 'requests and events of one session (Redis)',
  usage: `Usage: auditline logs session <session-id> [--hours N] [--limit N] [--json]

Prints the newest entries of one session, oldest first.
${WINDOW_USAGE}
  --event NAME     only entries with this event name
  --level LEVELS   only these levels, comma-separated`,
  arg: 'session-id',
  path: (s) => `/logs/session/${seg(s)}`,
  flags: { ...WINDOW_FLAGS, ...EVENT_LEVEL_FLAGS },
});
