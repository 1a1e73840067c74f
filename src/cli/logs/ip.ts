// `auditline logs ip <ip>`: entries for one client address (GET /logs/ip/{ip}).
import { entryCommand, EVENT_LEVEL_FLAGS, seg, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'ip',
  summary: 'requests and events from one client IP address (Redis)',
  usage: `Usage: auditline logs ip <ip> [--hours N] [--event NAME] [--level LEVELS] [--limit N] [--json]

Prints the newest entries from one client address, oldest first.
${WINDOW_USAGE}
  --event NAME     only entries with this event name
  --level LEVELS   only these levels, comma-separated: WARNING,ERROR`,
  arg: 'ip',
  path: (ip) => `/logs/ip/${seg(ip)}`,
  flags: { ...WINDOW_FLAGS, ...EVENT_LEVEL_FLAGS },
});
