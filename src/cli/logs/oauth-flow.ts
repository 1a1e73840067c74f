// `auditline logs oauth-flow [client_id] [username]`: OAuth flows by session, each
// with its steps (GET /logs/oauth/flows).
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
import { useColour } from './format.js';

interface Flow {
  session_id: string;
  client_id: string | null;
  user_id: string | null;
  client_ip: string | null;
  started: string;
  ended: string;
  source: string;
  steps: { step: string; timestamp: number; data: Record<string, unknown> }[];
}

const usage = `Usage: auditline logs oauth-flow [client_id] [username] [--hours N] [--limit N] [--json]

Prints the newest OAuth flows (one per session), oldest first: a head line with
the session, client, user and address, then one line per step. Steps come from
oauth:flow:{session_id} while it lives (1 hour after its latest step), else from
the stored OAuth entries. Give "" as client_id to filter by username only.
  --hours N        how far back to look (default 24)
  --limit N        at most this many flows, the newest ones (default 100)
  --client-id ID   same as the first argument
  --username NAME  same as the second argument

${COMMON_USAGE}
`;

export const command: LogsCommand = {
  name: 'oauth-flow',
  summary: 'OAuth flows by session, with their steps (Redis)',
  usage,
  run: (argv: string[], io: Io = defaultIo()) =>
    guard(io, async () => {
      const { values, positionals } = parseCommandArgs('oauth-flow', {
        args: argv,
        options: {
          ...COMMON_OPTIONS,
          hours: { type: 'string' },
          limit: { type: 'string' },
          'client-id': { type: 'string' },
          username: { type: 'string' },
        },
        allowPositionals: true,
        strict: true,
      });
      if (values.help) {
        io.stdout.write(usage);
        return EXIT.ok;
      }
      if (positionals.length > 2)
        throw new CliError(`auditline logs oauth-flow: expected at most two arguments.\n\n${usage}`, EXIT.usage);
      const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
      const client = QueryClient.from(values, io);
      const body = await client.getJson<{ flows: Flow[] }>('/logs/oauth/flows', {
        hours: values.hours,
        limit: values.limit,
        client_id: nonEmpty(values['client-id'] ?? positionals[0]),
        username: nonEmpty(values.username ?? positionals[1]),
      });
      const flows = [...body.flows].reverse();
      if (values.json) {
        for (const f of flows) io.stdout.write(`${JSON.stringify(f)}\n`);
        return EXIT.ok;
      }
      const colour = useColour(io);
      const bold = (s: string) => (colour ? `\x1b[1m${s}\x1b[0m` : s);
      for (const f of flows) {
        const who = [`client=${f.client_id ?? '-'}`, `user=${f.user_id ?? '-'}`, `ip=${f.client_ip ?? '-'}`].join(' ');
        io.stdout.write(`${bold(`flow ${f.session_id}`)} ${who} ${f.started} → ${f.ended} (${f.steps.length} steps)\n`);
        for (const s of f.steps) {
          const d = s.data;
          const extra = ['status_code', 'error', 'message']
            .filter((k) => d[k] !== undefined && d[k] !== null)
            .map((k) => `${k}=${String(d[k])}`)
            .join(' ');
          io.stdout.write(
            `  ${new Date(s.timestamp * 1000).toISOString()}  ${String(d.level ?? 'INFO').padEnd(8)} ${s.step}${extra ? `  ${extra}` : ''}\n`,
          );
        }
      }
      return EXIT.ok;
    }),
};
