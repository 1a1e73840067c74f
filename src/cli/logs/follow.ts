// `auditline logs follow`: the live stream (GET /api/logs/stream, Server-Sent
// Events) printed as records arrive, until Ctrl-C.
import { QueryClient } from './client.js';
import {
  COMMON_OPTIONS,
  COMMON_USAGE,
  defaultIo,
  EXIT,
  guard,
  parseCommandArgs,
  type Io,
  type LogsCommand,
} from './command.js';
import { auditShape } from './audit-shape.js';
import { printer } from './format.js';

const usage = `Usage: auditline logs follow [--event NAME] [--level LEVELS] [--user ID] [--session ID]
                             [--component NAME] [--json]

Prints records as they leave the collector's pipelines (after redaction) until Ctrl-C,
with the field names of "logs audit" (error_type, job_id, …; other attributes in metadata).
Coloured by level on a terminal (not with NO_COLOR). Exits 1 if the server drops the
stream because this client read too slowly.

${COMMON_USAGE}
`;

export const command: LogsCommand = {
  name: 'follow',
  summary: 'live records as they leave the pipelines, until Ctrl-C',
  usage,
  run: (argv: string[], io: Io = defaultIo()) =>
    guard(io, async () => {
      const { values } = parseCommandArgs('follow', {
        args: argv,
        allowPositionals: false,
        strict: true,
        options: {
          ...COMMON_OPTIONS,
          event: { type: 'string' },
          level: { type: 'string' },
          user: { type: 'string' },
          session: { type: 'string' },
          component: { type: 'string' },
        },
      });
      if (values.help) {
        io.stdout.write(usage);
        return EXIT.ok;
      }
      const client = QueryClient.from(values, io);
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      if (io.signal) io.signal.addEventListener('abort', onSigint, { once: true });
      else process.once('SIGINT', onSigint);
      try {
        const res = await client.stream(
          '/api/logs/stream',
          {
            event: values.event,
            level: values.level,
            user_id: values.user,
            session_id: values.session,
            component: values.component,
          },
          abort.signal,
        );
        const print = printer(io, values.json === true);
        return await readEvents(res, (r) => print(auditShape(r)), io, abort.signal);
      } catch (err) {
        if (abort.signal.aborted) return EXIT.ok;
        throw err;
      } finally {
        if (!io.signal) process.off('SIGINT', onSigint);
        abort.abort();
      }
    }),
};

/** Prints the `log` events of an SSE response until it ends; shared with `logs system`. */
export async function readEvents(
  res: Response,
  print: (r: Record<string, unknown>) => void,
  io: Io,
  signal: AbortSignal,
): Promise<number> {
  if (!res.body) return EXIT.failed;
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(line[5] === ' ' ? 6 : 5);
      }
      if (event === 'log') print(JSON.parse(data) as Record<string, unknown>);
      else if (event === 'dropped') {
        io.stderr.write('The query API dropped this stream because it was not read fast enough.\n');
        return EXIT.failed;
      } else if (event === 'shutdown') {
        io.stderr.write('The query API is shutting down; the stream has ended.\n');
        return EXIT.ok;
      }
    }
  }
  if (signal.aborted) return EXIT.ok;
  io.stderr.write('The query API closed the stream.\n');
  return EXIT.failed;
}
