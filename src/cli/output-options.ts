// Options every command takes, wherever they appear on the command line:
// `--color[=auto|always|never]` and `--local` (times in local time with the
// zone offset instead of UTC with `Z`). main() takes them out of argv first.
import { COLOR_MODES, colorEnabled, type ColorMode } from '../format/color.js';

export interface OutputOptions {
  color: ColorMode;
  localTime: boolean;
}

export const outputOptions: OutputOptions = { color: 'auto', localTime: false };

/** argv without the global options, which are stored in `outputOptions`; a bad value throws. */
export function takeOutputOptions(argv: string[], into: OutputOptions = outputOptions): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--local') {
      into.localTime = true;
      continue;
    }
    if (a === '--utc') {
      into.localTime = false;
      continue;
    }
    if (a === '--color' || a === '--colour') {
      const next = argv[i + 1];
      if (next !== undefined && (COLOR_MODES as string[]).includes(next)) {
        into.color = next as ColorMode;
        i++;
      } else into.color = 'always';
      continue;
    }
    const m = /^--colou?r=(.*)$/.exec(a);
    if (m) {
      if (!(COLOR_MODES as string[]).includes(m[1]!))
        throw new Error(`--color must be one of ${COLOR_MODES.join(', ')}, not "${m[1]}"`);
      into.color = m[1] as ColorMode;
      continue;
    }
    rest.push(a);
  }
  return rest;
}

/** Whether CLI output to `stream` is coloured (the same rule as the console exporter's). */
export function cliColor(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
  mode = outputOptions.color,
): boolean {
  return colorEnabled(mode, stream, env);
}

/** `2024-01-15 10:30:45Z`, or with `--local` `2024-01-15 11:30:45+01:00` (RFC 3339 with a space); `ms` adds milliseconds. */
export function cliStamp(t: number, opts: { ms?: boolean; local?: boolean } = {}): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  const local = opts.local ?? outputOptions.localTime;
  if (!local) {
    return `${d
      .toISOString()
      .slice(0, opts.ms ? 23 : 19)
      .replace('T', ' ')}Z`;
  }
  const off = -d.getTimezoneOffset();
  const shifted = new Date(t + off * 60_000).toISOString();
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${shifted.slice(0, opts.ms ? 23 : 19).replace('T', ' ')}${zone}`;
}
