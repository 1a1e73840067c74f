// `auditline logs search [query]`: recent entries of every kind with filters (GET /logs/search).
import { entryCommand, EVENT_LEVEL_FLAGS, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'search',
  summary: 'recent requests and events, filtered by text, event, level and hostname (Redis)',
  usage: `Usage: auditline logs search [query] [--hours N] [--event NAME] [--level LEVELS]
                             [--hostname HOST] [--limit N] [--json]

Prints the newest entries, oldest first. [query] keeps those whose message, path,
error or event contains it (case-insensitive).
${WINDOW_USAGE}
  --event NAME     only entries with this event name
  --level LEVELS   only these levels, comma-separated: WARNING,ERROR
  --hostname HOST  only entries from this proxy hostname or log host`,
  arg: 'query',
  argOptional: true,
  argParam: 'q',
  path: () => '/logs/search',
  flags: { ...WINDOW_FLAGS, ...EVENT_LEVEL_FLAGS, hostname: { param: 'hostname' } },
});
