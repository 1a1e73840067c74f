// What every `auditline logs <command>` file exports, and the I/O it writes
// to (injectable so tests can run commands in-process against a real server).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ColorMode } from '../../format/color.js';
import { handleStdoutEpipe } from '../epipe.js';

export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  /** `--color` (default: the global option, else auto). */
  color?: ColorMode;
  /** Ends `follow`-style commands; without it they stop on SIGINT. */
  signal?: AbortSignal;
}

export function defaultIo(): Io {
  handleStdoutEpipe();
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

export interface LogsCommand {
  name: string;
  /** One line for `auditline logs help`. */
  summary: string;
  /** The full usage text printed by `--help` and on usage errors. */
  usage: string;
  run(argv: string[], io?: Io): Promise<number>;
}

/** Exit statuses: 0 success, 1 failure (server, network), 2 bad usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A failure to report as one line on stderr with an exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

/** The options every logs command accepts. */
export const COMMON_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_USAGE = `Common options:
  --url URL      query API address (default: $AUDITLINE_URL, else http://localhost:8080)
  --token TOKEN  bearer token (default: $AUDITLINE_TOKEN)
  --json         one JSON object per line instead of the human format
  --color[=WHEN] colour: auto (a terminal), always, never (also FORCE_COLOR, NO_COLOR)
  --local        times in local time with the zone offset (default: UTC, marked Z)
  -h, --help     show this help`;

/** util.parseArgs in strict mode; unknown flags and missing values become usage errors. */
export function parseCommandArgs<
  T extends {
    args: string[];
    options: NonNullable<ParseArgsConfig['options']>;
    allowPositionals: boolean;
    strict: true;
  },
>(name: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new CliError(`auditline logs ${name}: ${(err as Error).message}`, EXIT.usage);
  }
}

/** Runs a command body, turning CliErrors into a stderr line and an exit status. */
export async function guard(io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
