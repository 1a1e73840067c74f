// `auditline logs system`: the lines of the filelog receiver's files as they
// leave the pipelines (after redaction), from GET /api/logs/system/stream
// (issue #13 item 1). No exporter keeps a queryable store of these lines, so
// without --follow the command says it shows the live stream and behaves like
// --follow; --limit N stops after N lines either way.
import { QueryClient } from './client.js';
import {
  CliError,
  COMMON_OPTIONS,
  COMMON_USAGE,
  defaultIo,
  EXIT,
  guard,
  parseCommandArgs,
  type Io,
  type LogsCommand,
} from './command.js';
import { readEvents } from './follow.js';
import { printer } from './format.js';

const usage = `Usage: auditline logs system [--follow] [--limit N] [--file NAME] [--level LEVELS] [--json]

Prints the lines of the files the filelog receiver reads, as they leave the
collector's pipelines (after redaction), from GET /api/logs/system/stream.
There is no store of past lines to read from, so this always shows the live
stream: without --follow it says so on stderr and then behaves like --follow.

Options:
  --follow       follow the live stream until Ctrl-C (or --limit)
  --limit N      stop after N lines
  --file NAME    only lines of this file (its base name, or its path as the receiver found it)
  --level LEVELS only these levels, e.g. ERROR,CRITICAL

${COMMON_USAGE}
`;

export const command: LogsCommand = {
  name: 'system',
  summary: "live lines of the filelog receiver's files (after redaction)",
  usage,
  run: (argv: string[], io: Io = defaultIo()) =>
    guard(io, async () => {
      const { values } = parseCommandArgs('system', {
        args: argv,
        allowPositionals: false,
        strict: true,
        options: {
          ...COMMON_OPTIONS,
          follow: { type: 'boolean', short: 'f' },
          limit: { type: 'string' },
          file: { type: 'string' },
          level: { type: 'string' },
        },
      });
      if (values.help) {
        io.stdout.write(usage);
        return EXIT.ok;
      }
      let limit: number | undefined;
      if (values.limit !== undefined) {
        limit = /^\d{1,9}$/.test(values.limit) ? Number(values.limit) : NaN;
        if (!(limit >= 1)) throw new CliError('auditline logs system: --limit must be a positive integer.', EXIT.usage);
      }
      const client = QueryClient.from(values, io);
      if (!values.follow) {
        io.stderr.write(
          `No store keeps system log lines; showing the live stream${limit === undefined ? ' until Ctrl-C (--limit N stops after N lines)' : ` until ${limit} line${limit === 1 ? '' : 's'} arrived`}.\n`,
        );
      }
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      if (io.signal) io.signal.addEventListener('abort', onSigint, { once: true });
      else process.once('SIGINT', onSigint);
      const print = printer(io, values.json === true);
      let printed = 0;
      try {
        const res = await client.stream(
          '/api/logs/system/stream',
          { file: values.file, level: values.level },
          abort.signal,
        );
        return await readEvents(
          res,
          (r) => {
            if (limit !== undefined && printed >= limit) return;
            print(r);
            if (++printed === limit) abort.abort();
          },
          io,
          abort.signal,
        );
      } catch (err) {
        if (abort.signal.aborted) return EXIT.ok;
        throw err;
      } finally {
        if (!io.signal) process.off('SIGINT', onSigint);
        abort.abort();
      }
    }),
};
