// `auditline logs job <job_id>`: every entry of one job through
// GET /api/logs/jobs/{job_id}, oldest first, printed page by page.
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

interface JobPage {
  job_id: string;
  logs: Record<string, unknown>[];
  next_cursor: string | null;
}

const usage = `Usage: auditline logs job <job_id> [--json]

Prints every log entry of one job (e.g. "Track 5/100 downloaded"), oldest first.

${COMMON_USAGE}
`;

export const command: LogsCommand = {
  name: 'job',
  summary: 'every entry of one job, oldest first',
  usage,
  run: (argv: string[], io: Io = defaultIo()) =>
    guard(io, async () => {
      const { values, positionals } = parseCommandArgs('job', {
        args: argv,
        options: COMMON_OPTIONS,
        allowPositionals: true,
        strict: true,
      });
      if (values.help) {
        io.stdout.write(usage);
        return EXIT.ok;
      }
      if (positionals.length !== 1 || positionals[0] === '') {
        throw new CliError(`auditline logs job: expected one job id.\n\n${usage}`, EXIT.usage);
      }
      const jobId = positionals[0]!;
      const client = QueryClient.from(values, io);
      const print = printer(io, values.json === true);
      let cursor: string | undefined;
      do {
        const page = await client.getJson<JobPage>(`/api/logs/jobs/${encodeURIComponent(jobId)}`, { cursor });
        for (const r of page.logs) print(r);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return EXIT.ok;
    }),
};
