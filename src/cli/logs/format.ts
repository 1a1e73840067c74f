// One line per record in the seed's console format
// (`2024-01-15 10:30:45 [INFO] session_manager: Session created (session_id=abc123)`),
// for audit rows, job rows and live stream records alike. The level is
// coloured only when writing to a TTY and NO_COLOR is not set.
// (The console exporter's formatter had not landed when this was written; this one is self-contained.)
import type { Io } from './command.js';

const COLOURS: Record<string, string> = {
  TRACE: '\x1b[90m', DEBUG: '\x1b[90m', INFO: '\x1b[32m', WARNING: '\x1b[33m', ERROR: '\x1b[31m', CRITICAL: '\x1b[1;35m',
};
const RESET = '\x1b[0m';

/** Shown in the head of the line or not at all (--json has them). */
const NOT_IN_FIELDS = new Set(['id', 'timestamp', 'level', 'component', 'message', 'metadata', 'attributes', 'trace_id', 'span_id', 'service', 'error_stack']);

/** https://no-color.org: any non-empty NO_COLOR disables colour. */
export function useColour(io: Io): boolean {
  return io.stdout.isTTY === true && !io.env.NO_COLOR;
}

export function formatRecord(r: Record<string, unknown>, colour: boolean): string {
  const ts = typeof r.timestamp === 'string' ? r.timestamp.replace('T', ' ').slice(0, 19) : '????-??-?? ??:??:??';
  const level = typeof r.level === 'string' ? r.level : 'INFO';
  const shownLevel = colour && COLOURS[level] ? `${COLOURS[level]}${level}${RESET}` : level;
  const message = oneLine(text(r.message) ?? text(r.event) ?? '');
  const component = text(r.component);
  let line = `${ts} [${shownLevel}] ${component ? `${oneLine(component)}: ` : ''}${message}`;

  const parts: string[] = [];
  for (const [k, v] of Object.entries(r)) {
    if (NOT_IN_FIELDS.has(k) || v === null || v === undefined) continue;
    if (k === 'event' && r.message === null) continue;
    parts.push(`${k}=${oneLine(value(v))}`);
  }
  for (const nested of [r.metadata, r.attributes]) {
    if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
      for (const [k, v] of Object.entries(nested)) if (v !== null && v !== undefined) parts.push(`${k}=${oneLine(value(v))}`);
    }
  }
  if (parts.length) line += ` (${parts.join(', ')})`;
  return line;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

function value(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Keeps one record on one line: newlines and other control characters are escaped. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(s) ? s.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)) : s;
}

/** Writes records in the chosen form: NDJSON with --json, else formatted lines. */
export function printer(io: Io, json: boolean): (r: Record<string, unknown>) => void {
  if (json) return (r) => { io.stdout.write(`${JSON.stringify(r)}\n`); };
  const colour = useColour(io);
  return (r) => { io.stdout.write(`${formatRecord(r, colour)}\n`); };
}
