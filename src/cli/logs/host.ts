// `auditline logs host <hostname>`: entries by client FQDN or proxy hostname (GET /logs/host/{hostname}).
import { entryCommand, EVENT_LEVEL_FLAGS, seg, WINDOW_FLAGS, WINDOW_USAGE } from './redis-entries.js';

export const command = entryCommand({
  name: 'host',
  summary: 'entries by client FQDN (reverse DNS) or proxy hostname (Redis)',
  usage: `Usage: auditline logs host <hostname> [--proxy | --client] [--hours N] [--limit N] [--json]

Prints the newest entries whose client FQDN or proxy hostname is <hostname>, oldest first.
  --proxy          only by proxy hostname (server.address of the request, or the log's host)
  --client         only by client FQDN
${WINDOW_USAGE}
  --event NAME     only entries with this event name
  --level LEVELS   only these levels, comma-separated`,
  arg: 'hostname',
  path: (h) => `/logs/host/${seg(h)}`,
  flags: {
    ...WINDOW_FLAGS,
    ...EVENT_LEVEL_FLAGS,
    proxy: { param: 'role', boolean: true, value: 'proxy' },
    client: { param: 'role', boolean: true, value: 'client' },
  },
});
