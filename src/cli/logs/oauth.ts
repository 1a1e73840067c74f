// `auditline logs oauth <ip>`: OAuth activity from one client address, one line per step (GET /logs/oauth/ip/{ip}).
import { entryCommand, EVENT_LEVEL_FLAGS, seg, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'oauth',
  summary: 'OAuth activity from one client IP address (Redis)',
  usage: `Usage: auditline logs oauth <ip> [--hours N] [--limit N] [--event NAME] [--level LEVELS] [--json]

Prints the newest OAuth entries (event name starting with "oauth", or carrying an
OAuth client id) from one client address, oldest first, one line each.
${WINDOW_USAGE}
  --event NAME     only this OAuth event type (e.g. oauth.token_issued)
  --level LEVELS   only these levels, comma-separated: WARNING,ERROR`,
  arg: 'ip',
  path: (ip) => `/logs/oauth/ip/${seg(ip)}`,
  flags: { ...WINDOW_FLAGS, ...EVENT_LEVEL_FLAGS },
});
