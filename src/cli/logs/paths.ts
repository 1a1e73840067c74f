// `auditline logs paths`: the most requested normalised path patterns
// (GET /logs/paths, the seed's analyze_path_patterns).
import type { PathPatterns } from '../../extensions/query-api/responses.js';
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

const usage = `Usage: auditline logs paths [--hours N] [--limit N] [--json]

Prints the most requested path patterns over the last --hours, most requested
first: ids, UUIDs and long hex hashes in a path count as ":id", so /users/123 and
/users/456 are both /users/:id (Redis, needs the exporter's "path" index).
  --hours N        how far back to count (default 24)
  --limit N        at most this many patterns (default 100)

${COMMON_USAGE}
`;

export const command: LogsCommand = {
  name: 'paths',
  summary: 'the most requested path patterns, ids collapsed to :id (Redis)',
  usage,
  run: (argv: string[], io: Io = defaultIo()) =>
    guard(io, async () => {
      const { values, positionals } = parseCommandArgs('paths', {
        args: argv,
        options: { ...COMMON_OPTIONS, hours: { type: 'string' }, limit: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      if (values.help) {
        io.stdout.write(usage);
        return EXIT.ok;
      }
      if (positionals.length > 0)
        throw new CliError(`auditline logs paths: takes no arguments.\n\n${usage}`, EXIT.usage);
      const client = QueryClient.from(values, io);
      const body = await client.getJson<PathPatterns>('/logs/paths', { hours: values.hours, limit: values.limit });
      if (values.json) {
        for (const p of body.patterns) io.stdout.write(`${JSON.stringify(p)}\n`);
        return EXIT.ok;
      }
      const out: string[] = [`Path patterns in the last ${body.hours} h: ${body.total} requests`];
      const w = Math.max(0, ...body.patterns.map((p) => String(p.count).length));
      for (const p of body.patterns) {
        const methods = Object.entries(p.methods)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([m, n]) => `${m} ${n}`)
          .join(', ');
        out.push(`  ${String(p.count).padStart(w)}  ${p.pattern}  (${methods})`);
      }
      if (body.truncated) out.push('(only the most recently used routes were counted: more were used in this window)');
      io.stdout.write(`${out.join('\n')}\n`);
      return EXIT.ok;
    }),
};
