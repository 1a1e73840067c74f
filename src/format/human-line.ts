// The human log line (docs/log-formats.md), shared by the console exporter and
// the CLI's `logs` and `read` commands:
//   2024-01-15 10:30:45 [INFO] session_manager: Session created (session_id=abc123)
// The console exporter prints UTC seconds as above; the CLI passes a stamp with
// a zone marker (cli/output-options.ts). Control characters in messages and
// values are escaped, so a record can neither forge extra lines nor send terminal escapes.

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const LEVEL_COLORS: Record<string, string> = {
  TRACE: '\x1b[90m',
  DEBUG: '\x1b[36m',
  INFO: '\x1b[32m',
  WARNING: '\x1b[33m',
  ERROR: '\x1b[31m',
  CRITICAL: '\x1b[1;31m',
};

const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;
const NEEDS_QUOTES = /[\s,()="\x00-\x1f\x7f-\x9f]/;

let cachedSecond = -1;
let cachedStamp = '';

/** `YYYY-MM-DD HH:MM:SS` in UTC; the string is reused while the second is unchanged. */
export function formatUtcSeconds(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== cachedSecond) {
    cachedSecond = sec;
    const d = new Date(sec * 1000);
    cachedStamp = Number.isNaN(d.getTime()) ? '0000-00-00 00:00:00' : d.toISOString().slice(0, 19).replace('T', ' ');
  }
  return cachedStamp;
}

/**
 * One human line. `fields` render as `(k=v, …)` in insertion order, skipping
 * undefined values; strings with spaces, commas, parentheses, `=` or quotes
 * are JSON-quoted, maps and arrays are JSON. With `color`, the level is
 * coloured and the timestamp and fields dimmed.
 */
export function formatHumanLine(
  level: string,
  time: number | Date,
  component: string,
  message: string,
  fields: Record<string, unknown> | undefined,
  color: boolean,
  stamp: (ms: number) => string = formatUtcSeconds,
): string {
  const ts = stamp(typeof time === 'number' ? time : time.getTime());
  const msg = escapeControl(message);
  const comp = component === '' ? '' : `${escapeControl(component)}: `;
  let out: string;
  if (color) {
    const c = LEVEL_COLORS[level] ?? '';
    out = `${DIM}${ts}${RESET} ${c}[${level}]${c ? RESET : ''} ${comp}${msg}`;
  } else {
    out = `${ts} [${level}] ${comp}${msg}`;
  }
  if (fields !== undefined) {
    let parts = '';
    for (const k in fields) {
      const v = fields[k];
      if (v === undefined) continue;
      parts += (parts === '' ? '' : ', ') + escapeControl(k) + '=' + formatValue(v);
    }
    if (parts !== '') out += color ? ` ${DIM}(${parts})${RESET}` : ` (${parts})`;
  }
  return out;
}

/** A field value as it appears after `k=`. */
export function formatValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v === '' || NEEDS_QUOTES.test(v) ? JSON.stringify(v) : v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'object':
      if (v === null) return 'null';
      if (v instanceof Uint8Array) return bytesText(v);
      return compactJson(v);
    default:
      return String(v);
  }
}

/** JSON that tolerates bigint and byte arrays (as hex), for compact display. */
export function compactJson(v: unknown): string {
  try {
    return (
      JSON.stringify(v, function (this: Record<string, unknown>, k, x: unknown) {
        const raw = this[k]; // before Buffer#toJSON
        return raw instanceof Uint8Array ? bytesText(raw) : typeof x === 'bigint' ? x.toString() : x;
      }) ?? 'null'
    );
  } catch {
    return '"[unserialisable]"';
  }
}

function bytesText(b: Uint8Array): string {
  return b.length <= 64
    ? `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`
    : `<${b.length} bytes>`;
}

/** `\n` → `\\n` and other control characters → `\\u00XX`. */
export function escapeControl(s: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(s)) return s;
  CONTROL.lastIndex = 0;
  return s.replace(CONTROL, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
