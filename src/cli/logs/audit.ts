// `auditline logs audit`: the audit table through GET /api/logs/audit,
// printed oldest to newest (the API pages newest first; pages are collected
// up to --limit and reversed).
import { QueryClient } from './client.js';
import {
  COMMON_OPTIONS,
  COMMON_USAGE,
  CliError,
  defaultIo,
  EXIT,
  guard,
  parseCommandArgs,
  type Io,
  type LogsCommand,
} from './command.js';
import { printer } from './format.js';

interface AuditPage {
  logs: Record<string, unknown>[];
  next_cursor: string | null;
}

const PAGE_MAX = 1000;

const usage = `Usage: auditline logs audit [--user ID] [--session ID] [--event NAME] [--level LEVELS]
                            [--component NAME] [--since TIME] [--until TIME] [--limit N] [--json]

Prints the newest audit records (default 100), oldest first.
  --level LEVELS   exact levels, comma-separated: ERROR,CRITICAL
  --since TIME     ISO-8601 time or a duration before now: 30m, 1h, 7d
  --until TIME     the same, exclusive
  --limit N        how many records (any number; fetched in pages of up to ${PAGE_MAX})

${COMMON_USAGE}
`;

export const command: LogsCommand = {
  name: 'audit',
  summary: 'audit records filtered by user, session, event, level, component and time',
  usage,
  run: (argv: string[], io: Io = defaultIo()) =>
    guard(io, async () => {
      const { values } = parseCommandArgs('audit', {
        args: argv,
        allowPositionals: false,
        strict: true,
        options: {
          ...COMMON_OPTIONS,
          user: { type: 'string' },
          session: { type: 'string' },
          event: { type: 'string' },
          level: { type: 'string' },
          component: { type: 'string' },
          since: { type: 'string' },
          until: { type: 'string' },
          limit: { type: 'string' },
        },
      });
      if (values.help) {
        io.stdout.write(usage);
        return EXIT.ok;
      }
      const limit = values.limit === undefined ? 100 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new CliError('auditline logs audit: --limit must be a positive integer.', EXIT.usage);
      const client = QueryClient.from(values, io);
      const filters = {
        user_id: values.user,
        session_id: values.session,
        event: values.event,
        level: values.level,
        component: values.component,
        since: values.since,
        until: values.until,
      };
      const rows: Record<string, unknown>[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.getJson<AuditPage>('/api/logs/audit', {
          ...filters,
          limit: Math.min(PAGE_MAX, limit - rows.length),
          cursor,
        });
        rows.push(...page.logs);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && rows.length < limit);
      const print = printer(io, values.json === true);
      for (let i = rows.length - 1; i >= 0; i--) print(rows[i]!);
      return EXIT.ok;
    }),
};
