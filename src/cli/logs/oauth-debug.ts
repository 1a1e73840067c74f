// `auditline logs oauth-debug <ip>`: every OAuth entry from one client address with its full record (GET /logs/oauth/ip/{ip}).
import { fullRecord } from './full-record.js';
import { entryCommand, EVENT_LEVEL_FLAGS, seg, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'oauth-debug',
  summary: 'OAuth flow debugging: full OAuth records from one client IP (Redis)',
  usage: `Usage: auditline logs oauth-debug <ip> [--hours N] [--limit N] [--event NAME] [--level LEVELS] [--json]

Prints the newest OAuth entries from one client address, oldest first, each with
every field of its record (attributes included) below its line.
${WINDOW_USAGE}
  --event NAME     only this OAuth event type
  --level LEVELS   only these levels, comma-separated: WARNING,ERROR`,
  arg: 'ip',
  path: (ip) => `/logs/oauth/ip/${seg(ip)}`,
  flags: { ...WINDOW_FLAGS, ...EVENT_LEVEL_FLAGS },
  render: fullRecord,
});
