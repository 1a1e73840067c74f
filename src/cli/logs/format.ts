// One line per record in the console format
// (`2024-01-15 10:30:45Z [INFO] session_manager: Session created (session_id=abc123)`),
// for audit rows, job rows and live stream records alike, drawn by the shared
// formatHumanLine with a zone-marked time. Colour follows --color, FORCE_COLOR and NO_COLOR.
import { formatHumanLine } from '../../format/human-line.js';
import { cliColor, cliStamp } from '../output-options.js';
import type { Io } from './command.js';

/** Shown in the head of the line or left to --json. */
const NOT_IN_FIELDS = new Set([
  'id',
  'timestamp',
  'level',
  'component',
  'message',
  'metadata',
  'attributes',
  'trace_id',
  'span_id',
  'service',
  'error_stack',
]);

/** Whether this command's output is coloured (format/color.ts decides for the whole codebase). */
export function useColour(io: Io): boolean {
  return cliColor(io.stdout, io.env, io.color);
}

const stamp = (ms: number) => cliStamp(ms);

export function formatRecord(r: Record<string, unknown>, colour: boolean): string {
  const parsed =
    typeof r.timestamp === 'string' ? Date.parse(r.timestamp) : typeof r.timestamp === 'number' ? r.timestamp : NaN;
  const level = typeof r.level === 'string' ? r.level : 'INFO';
  const message = text(r.message) ?? text(r.event) ?? '';
  const fields: Record<string, unknown> = {};
  for (const k in r) {
    const v = r[k];
    if (NOT_IN_FIELDS.has(k) || v === null || v === undefined) continue;
    if (k === 'event' && text(r.message) === undefined) continue;
    fields[k] = v;
  }
  for (const nested of [r.metadata, r.attributes]) {
    if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
      for (const [k, v] of Object.entries(nested)) if (v !== null && v !== undefined && !(k in fields)) fields[k] = v;
    }
  }
  return formatHumanLine(
    level,
    Number.isFinite(parsed) ? parsed : 0,
    text(r.component) ?? '',
    message,
    fields,
    colour,
    stamp,
  );
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Writes records in the chosen form: NDJSON with --json, else formatted lines. */
export function printer(io: Io, json: boolean): (r: Record<string, unknown>) => void {
  if (json)
    return (r) => {
      io.stdout.write(`${JSON.stringify(r)}\n`);
    };
  const colour = useColour(io);
  return (r) => {
    io.stdout.write(`${formatRecord(r, colour)}\n`);
  };
}
