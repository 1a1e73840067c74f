// `auditline logs oauth-client <client_id>`: entries of one OAuth client (GET /logs/client/{client_id}).
import { entryCommand, EVENT_LEVEL_FLAGS, seg, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'oauth-client',
  summary: 'requests and events of one OAuth client id (Redis)',
  usage: `Usage: auditline logs oauth-client <client_id> [--hours N] [--event NAME] [--level LEVELS] [--limit N] [--json]

Prints the newest entries carrying this OAuth client id (oauth.client_id), oldest first.
${WINDOW_USAGE}
  --event NAME     only entries with this event name
  --level LEVELS   only these levels, comma-separated: WARNING,ERROR`,
  arg: 'client_id',
  path: (c) => `/logs/client/${seg(c)}`,
  flags: { ...WINDOW_FLAGS, ...EVENT_LEVEL_FLAGS },
});
