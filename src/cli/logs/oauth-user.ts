// `auditline logs oauth-user <username>`: OAuth activity of one user (GET /logs/oauth/user/{username}).
import { entryCommand, EVENT_LEVEL_FLAGS, seg, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'oauth-user',
  summary: 'OAuth activity of one username (Redis)',
  usage: `Usage: auditline logs oauth-user <username> [--hours N] [--limit N] [--event NAME] [--level LEVELS] [--json]

Prints the newest OAuth entries whose user (user.id, enduser.id, user_id) is
<username>, oldest first.
${WINDOW_USAGE}
  --event NAME     only this OAuth event type
  --level LEVELS   only these levels, comma-separated: WARNING,ERROR`,
  arg: 'username',
  path: (u) => `/logs/oauth/user/${seg(u)}`,
  flags: { ...WINDOW_FLAGS, ...EVENT_LEVEL_FLAGS },
});
