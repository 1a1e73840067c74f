// The collector's own log: human-readable lines (`encoding: console`) or one
// JSON object per line (`encoding: json`, as the Collector's). Failure logs are
// rate-limited per key so a burst of identical failures produces one line, then
// one summary of what was suppressed.

export type InternalLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<InternalLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const LABEL: Record<InternalLevel, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' };

export interface InternalLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Logs at most once per `windowMs` for `key`; later calls in the window are counted and summarised. */
  burst(level: InternalLevel, key: string, msg: string, fields?: Record<string, unknown>): void;
  child(component: string): InternalLogger;
}

export interface LoggerOptions {
  level?: InternalLevel;
  write?: (line: string) => void;
  burstWindowMs?: number;
  /** `console` (default): `2024-01-15 10:30:45 [INFO] component: Message (k=v)`; `json`: one object per line. */
  encoding?: 'console' | 'json';
  /** Fields added to every entry (`initial_fields`). */
  fields?: Record<string, unknown>;
}

interface BurstState {
  until: number;
  suppressed: number;
}

export function createLogger(component = 'auditline', opts: LoggerOptions = {}): InternalLogger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const windowMs = opts.burstWindowMs ?? 10_000;
  const bursts = new Map<string, BurstState>();
  const initial = opts.fields && Object.keys(opts.fields).length > 0 ? opts.fields : undefined;
  const format =
    opts.encoding === 'json'
      ? (level: InternalLevel, comp: string, msg: string, f?: Record<string, unknown>) =>
          formatJson(new Date(), level, comp, msg, f)
      : (level: InternalLevel, comp: string, msg: string, f?: Record<string, unknown>) =>
          formatLine(new Date(), LABEL[level], comp, msg, f);

  const make = (comp: string): InternalLogger => {
    const log = (level: InternalLevel, msg: string, fields?: Record<string, unknown>) => {
      if (ORDER[level] < min) return;
      write(format(level, comp, msg, initial ? { ...initial, ...fields } : fields));
    };
    return {
      debug: (m, f) => log('debug', m, f),
      info: (m, f) => log('info', m, f),
      warn: (m, f) => log('warn', m, f),
      error: (m, f) => log('error', m, f),
      burst(level, key, msg, fields) {
        const now = Date.now();
        const k = `${comp}\0${key}`;
        const s = bursts.get(k);
        if (s && now < s.until) {
          s.suppressed++;
          return;
        }
        const suppressed = s?.suppressed ?? 0;
        bursts.set(k, { until: now + windowMs, suppressed: 0 });
        log(level, msg, suppressed > 0 ? { ...fields, suppressed_since_last: suppressed } : fields);
      },
      child: (c) => make(c),
    };
  };
  return make(component);
}

/** `2024-01-15 10:30:45 [INFO] component: Message (k=v, k2=v2)` */
export function formatLine(
  d: Date,
  level: string,
  component: string,
  msg: string,
  fields?: Record<string, unknown>,
): string {
  const ts = d.toISOString().replace('T', ' ').slice(0, 19);
  const head = component ? `${ts} [${level}] ${component}: ${msg}` : `${ts} [${level}] ${msg}`;
  if (!fields) return head;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    parts.push(`${k}=${typeof v === 'string' ? v : v instanceof Error ? v.message : JSON.stringify(v)}`);
  }
  return parts.length ? `${head} (${parts.join(', ')})` : head;
}

/** `{"level":"info","ts":"2024-01-15T10:30:45.123Z","component":"otlp","msg":"Message","k":"v"}` */
export function formatJson(
  d: Date,
  level: InternalLevel,
  component: string,
  msg: string,
  fields?: Record<string, unknown>,
): string {
  const entry: Record<string, unknown> = { level, ts: d.toISOString() };
  if (component) entry['component'] = component;
  entry['msg'] = msg;
  if (fields) {
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      entry[Object.hasOwn(entry, k) ? `field.${k}` : k] = v instanceof Error ? v.message : v;
    }
  }
  try {
    return JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  } catch {
    // A circular field value: the entry is still logged, with that value as text.
    return JSON.stringify(
      Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, typeof v === 'object' ? String(v) : v])),
    );
  }
}

/** A logger that writes nothing, for in-process defaults and tests. */
export const silentLogger: InternalLogger = createLogger('', { level: 'error', write: () => {} });
