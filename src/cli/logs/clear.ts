// `auditline logs clear`: deletes every log entry, index, stream and
// statistic the Redis exporter wrote (DELETE /logs). Asks first on a
// terminal; elsewhere it needs --yes.
import { createInterface } from 'node:readline/promises';
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

/** Where the answer comes from; tests pass their own. */
export interface ConfirmInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

const usage = `Usage: auditline logs clear [--yes]

Deletes every request and log entry, index, stream and statistic the Redis
exporter wrote (only its own key families). Asks for confirmation on a terminal.
  --yes            do not ask (required when stdin is not a terminal)

${COMMON_USAGE}
`;

export const command: LogsCommand = {
  name: 'clear',
  summary: 'delete every entry, index and statistic from Redis (asks first)',
  usage,
  run: (argv: string[], io: Io = defaultIo()) =>
    guard(io, async () => {
      const { values } = parseCommandArgs('clear', {
        args: argv,
        options: { ...COMMON_OPTIONS, yes: { type: 'boolean', short: 'y' } },
        allowPositionals: false,
        strict: true,
      });
      if (values.help) {
        io.stdout.write(usage);
        return EXIT.ok;
      }
      const client = QueryClient.from(values, io);
      if (!values.yes) {
        const stdin = (io as Io & { stdin?: ConfirmInput }).stdin ?? process.stdin;
        if (!stdin.isTTY)
          throw new CliError(
            'auditline logs clear: refusing to delete without confirmation; pass --yes when not on a terminal.',
            EXIT.usage,
          );
        if (!(await confirm(stdin, io, `Delete every log entry, index and statistic at ${client.base}? [y/N] `))) {
          io.stderr.write('Nothing was deleted.\n');
          return EXIT.ok;
        }
      }
      const { deleted } = await client.deleteJson<{ deleted: number }>('/logs');
      if (values.json) io.stdout.write(`${JSON.stringify({ deleted })}\n`);
      else io.stdout.write(`Deleted ${deleted} keys.\n`);
      return EXIT.ok;
    }),
};

async function confirm(input: ConfirmInput, io: Io, question: string): Promise<boolean> {
  const rl = createInterface({
    input,
    output: { write: (s: string) => io.stderr.write(s) } as unknown as NodeJS.WritableStream,
    terminal: false,
  });
  try {
    io.stderr.write(question);
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
