// The shape shared by the commands over the Redis exporter's `/logs` routes
// (ip, host, user, session, method, status, slow, path, errors, search):
// one optional or required argument, flags that become query parameters,
// one GET, entries printed oldest to newest (the API already orders them).
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

export interface Flag {
  /** Query parameter the flag's value goes to. */
  param: string;
  boolean?: boolean;
  /** For boolean flags: the value sent when given (default "true"). */
  value?: string;
}

export interface EntryCommandSpec {
  name: string;
  summary: string;
  /** Usage line(s) and description; the common options are appended. */
  usage: string;
  /** Name of the positional argument, if the command takes one. */
  arg?: string;
  argOptional?: boolean;
  /** The route for an argument (encode it with encodeURIComponent). */
  path: (arg: string | undefined) => string;
  /** Query parameter the argument goes to instead of the path. */
  argParam?: string;
  flags: Record<string, Flag>;
  /** Human output of one entry instead of the one-line format (--json is unchanged). */
  render?: (e: Record<string, unknown>, io: Io) => string;
}

/** `--hours N` and `--limit N`, shared by every entry command. */
export const WINDOW_FLAGS: Record<string, Flag> = { hours: { param: 'hours' }, limit: { param: 'limit' } };
export const EVENT_LEVEL_FLAGS: Record<string, Flag> = { event: { param: 'event' }, level: { param: 'level' } };

export const WINDOW_USAGE = `  --hours N        how far back to look (default 24)
  --limit N        at most this many entries, the newest ones (default 100)`;

export function entryCommand(spec: EntryCommandSpec): LogsCommand {
  const usage = `${spec.usage}\n\n${COMMON_USAGE}\n`;
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [flag, f] of Object.entries(spec.flags)) options[flag] = { type: f.boolean ? 'boolean' : 'string' };
  return {
    name: spec.name,
    summary: spec.summary,
    usage,
    run: (argv: string[], io: Io = defaultIo()) =>
      guard(io, async () => {
        const { values, positionals } = parseCommandArgs(spec.name, {
          args: argv,
          options: { ...COMMON_OPTIONS, ...options },
          allowPositionals: spec.arg !== undefined,
          strict: true,
        });
        if (values.help) {
          io.stdout.write(usage);
          return EXIT.ok;
        }
        if (positionals.length > 1)
          throw new CliError(`auditline logs ${spec.name}: expected at most one argument.\n\n${usage}`, EXIT.usage);
        const arg = positionals[0];
        if (spec.arg !== undefined && !spec.argOptional && (arg === undefined || arg === '')) {
          throw new CliError(`auditline logs ${spec.name}: missing <${spec.arg}>.\n\n${usage}`, EXIT.usage);
        }
        const params: Record<string, string | undefined> = {};
        for (const [flag, f] of Object.entries(spec.flags)) {
          const v = (values as Record<string, string | boolean | undefined>)[flag];
          if (v === undefined || v === false) continue;
          params[f.param] = v === true ? (f.value ?? 'true') : v;
        }
        if (spec.argParam !== undefined && arg !== undefined) params[spec.argParam] = arg;
        const client = QueryClient.from(values, io);
        const body = await client.getJson<{ logs: Record<string, unknown>[] }>(spec.path(arg), params);
        const json = values.json === true;
        const print = printer(io, json);
        const render = spec.render;
        if (render !== undefined && !json) for (const e of body.logs) io.stdout.write(render(e, io));
        else for (const e of body.logs) print(json ? e : humanEntry(e));
        return EXIT.ok;
      }),
  };
}

/** A request entry has no message of its own: give the line one (`GET /users → 200 in 45 ms`). */
export function humanEntry(e: Record<string, unknown>): Record<string, unknown> {
  if (e.message !== undefined && e.message !== null) return e;
  if (typeof e.method !== 'string' || e.status_code === undefined) return e;
  const rt = typeof e.response_time_ms === 'number' ? ` in ${e.response_time_ms} ms` : '';
  return { ...e, message: `${e.method} ${String(e.path ?? '')} → ${String(e.status_code)}${rt}` };
}

/** Encodes one path segment. */
export function seg(v: string | undefined): string {
  return encodeURIComponent(v ?? '');
}
