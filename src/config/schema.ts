// A small declarative schema for component configs. Each spec parses a raw
// YAML value into a typed value, applying defaults and collecting *every*
// problem with its path rather than stopping at the first. Validation does no I/O.
import { escapeControl, truncate } from './safe-text.js';

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
  line?: number;
}

export interface Spec<T> {
  /** Returns the parsed value, or undefined after pushing issues. */
  parse(value: unknown, path: (string | number)[], issues: ConfigIssue[]): T | undefined;
  /** One-line description of the accepted shape, for READMEs and errors. */
  readonly shape: string;
  /** For maps with fixed keys: the fields, so options can be listed (`auditline components TYPE`). */
  readonly fields?: Record<string, Field<unknown>>;
  /** For lists: the item spec. */
  readonly item?: Spec<unknown>;
}

type Out<S> = S extends Spec<infer T> ? T : never;

function issue(issues: ConfigIssue[], path: (string | number)[], message: string): undefined {
  issues.push({ path, message });
  return undefined;
}

export function str(opts: { nonEmpty?: boolean; pattern?: RegExp; patternHint?: string } = {}): Spec<string> {
  return {
    shape: 'string',
    parse(v, p, is) {
      if (typeof v === 'number' || typeof v === 'boolean') v = String(v);
      if (typeof v !== 'string') return issue(is, p, 'must be a string');
      if (opts.nonEmpty && v === '') return issue(is, p, 'must not be empty');
      if (opts.pattern && !opts.pattern.test(v))
        return issue(is, p, `must be ${opts.patternHint ?? `a string matching ${opts.pattern}`}`);
      return v;
    },
  };
}

export function bool(): Spec<boolean> {
  return {
    shape: 'boolean',
    parse(v, p, is) {
      if (v === 'true') return true;
      if (v === 'false') return false;
      if (typeof v !== 'boolean') return issue(is, p, 'must be true or false');
      return v;
    },
  };
}

export function int(opts: { min?: number; max?: number } = {}): Spec<number> {
  const { min, max } = opts;
  const what =
    min === 1 && max === undefined
      ? 'a positive integer'
      : min === 0 && max === undefined
        ? 'a non-negative integer'
        : min !== undefined && max !== undefined
          ? `an integer from ${min} to ${max}`
          : 'an integer';
  return {
    shape: what,
    parse(v, p, is) {
      const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n)) return issue(is, p, `must be ${what}`);
      if ((min !== undefined && n < min) || (max !== undefined && n > max)) return issue(is, p, `must be ${what}`);
      return n;
    },
  };
}

export function num(opts: { min?: number; max?: number } = {}): Spec<number> {
  return {
    shape: 'number',
    parse(v, p, is) {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) return issue(is, p, 'must be a number');
      if (opts.min !== undefined && n < opts.min) return issue(is, p, `must be at least ${opts.min}`);
      if (opts.max !== undefined && n > opts.max) return issue(is, p, `must be at most ${opts.max}`);
      return n;
    },
  };
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go-style duration (`200ms`, `5s`, `1m30s`) into milliseconds. */
export function parseDuration(s: string): number | undefined {
  const t = s.trim();
  if (t === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos === t.length && pos > 0 ? total : undefined;
}

/**
 * A duration string (`200ms`, `5s`, `1h`); parsed to milliseconds. A bare
 * integer is nanoseconds, as Go's time.Duration reads it in the Collector
 * (with a warning, since `timeout: 5` rarely means 5ns).
 */
export function duration(opts: { min?: number } = {}): Spec<number> {
  return {
    shape: 'duration (e.g. 200ms, 5s, 1m)',
    parse(v, p, is) {
      let ms = typeof v === 'string' ? parseDuration(v) : undefined;
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
        ms = v / 1e6;
        const read = ms >= 1 ? `${+ms.toFixed(3)}ms` : `${v}ns`;
        if (v !== 0)
          warn(is, p, `${v} without a unit is read as nanoseconds (${read}), as in the Collector; add a unit (s, ms)`);
      }
      if (ms === undefined) return issue(is, p, 'must be a duration such as 200ms, 5s or 1m');
      if (opts.min !== undefined && ms < opts.min) return issue(is, p, `must be at least ${opts.min}ms`);
      return ms;
    },
  };
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** A byte size: an integer, or `20MiB`, `512KiB`, `1MB`. */
export function bytes(opts: { min?: number } = {}): Spec<number> {
  return {
    shape: 'byte size (e.g. 20971520, 20MiB)',
    parse(v, p, is) {
      let n: number | undefined;
      if (typeof v === 'number' && Number.isInteger(v)) n = v;
      else if (typeof v === 'string') {
        const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(v);
        const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
        if (m && unit !== undefined) n = Number(m[1]) * unit;
      }
      if (n === undefined || n < (opts.min ?? 1))
        return issue(is, p, 'must be a positive byte size such as 20971520 or 20MiB');
      return n;
    },
  };
}

export function oneOf<T extends string>(values: readonly T[]): Spec<T> {
  return {
    shape: values.join(' | '),
    parse(v, p, is) {
      if (typeof v !== 'string' || !values.includes(v as T)) return issue(is, p, `must be one of ${values.join(', ')}`);
      return v as T;
    },
  };
}

export function list<T>(item: Spec<T>, opts: { nonEmpty?: boolean } = {}): Spec<T[]> {
  return {
    shape: `list of ${item.shape}`,
    item: item as Spec<unknown>,
    parse(v, p, is) {
      if (!Array.isArray(v)) return issue(is, p, 'must be a list');
      if (opts.nonEmpty && v.length === 0) return issue(is, p, 'must not be empty');
      const out: T[] = [];
      let ok = true;
      v.forEach((x, i) => {
        const r = item.parse(x, [...p, i], is);
        if (r === undefined) ok = false;
        else out.push(r);
      });
      return ok ? out : undefined;
    },
  };
}

/** A map with free-form keys (e.g. attribute → column). */
export function record<T>(item: Spec<T>): Spec<Record<string, T>> {
  return {
    shape: `map of ${item.shape}`,
    parse(v, p, is) {
      if (v === null || v === undefined) return {};
      if (typeof v !== 'object' || Array.isArray(v)) return issue(is, p, 'must be a map');
      const out: Record<string, T> = {};
      let ok = true;
      for (const [k, x] of Object.entries(v)) {
        const r = item.parse(x, [...p, k], is);
        if (r === undefined) ok = false;
        else out[k] = r;
      }
      return ok ? out : undefined;
    },
  };
}

/** A value that may be absent; absent parses to `undefined` without an issue. */
export interface Field<T> {
  spec: Spec<T>;
  default?: () => T;
  required?: boolean;
  /** Set by `ignored()`: why the option is accepted but not applied (shown by `auditline components`). */
  ignored?: string;
}
export function opt<T>(spec: Spec<T>): Field<T | undefined> {
  return { spec } as Field<T | undefined>;
}
export function def<T>(spec: Spec<T>, value: T | (() => T)): Field<T> {
  return { spec, default: typeof value === 'function' ? (value as () => T) : () => structuredClone(value) };
}
export function req<T>(spec: Spec<T>): Field<T> {
  return { spec, required: true };
}

// Warnings: options the Collector accepts that Auditline cannot apply load with
// one warning each instead of refusing the file (issue #15). They travel beside
// the issues array every spec already receives, so no parse signature changes;
// a spec parsed into a throwaway array (trying an alternative) drops its warnings.
const warningsOf = new WeakMap<ConfigIssue[], ConfigIssue[]>();

/** Records a warning at `path` for the load that collects into `issues`; it never fails the parse. */
export function warn(issues: ConfigIssue[], path: (string | number)[], message: string): void {
  let list = warningsOf.get(issues);
  if (!list) warningsOf.set(issues, (list = []));
  list.push({ path, message });
}

/** The warnings recorded against `issues` (and forgets them). */
export function takeWarnings(issues: ConfigIssue[]): ConfigIssue[] {
  const list = warningsOf.get(issues) ?? [];
  warningsOf.delete(issues);
  return list;
}

export const LOGS_ONLY = 'Auditline collects logs only';

/** Accepts any value: what an ignored option holds is the Collector's business. */
const anything: Spec<unknown> = { shape: 'any', parse: (v) => v };

/**
 * An option the Collector accepts that Auditline cannot apply: the value is
 * still checked with `spec` (default: anything), then dropped with ONE warning
 * `<path>: ignored (<why>)`. The parsed config holds `undefined` for it.
 *   traces: ignored(),                                   // another signal
 *   keepalive: ignored('gRPC keepalive is not tunable'), // a knob we do not have
 */
export function ignored(why: string = LOGS_ONLY, spec: Spec<unknown> = anything): Field<undefined> {
  return {
    ignored: why,
    spec: {
      shape: `ignored (${why})`,
      parse(v, p, is) {
        if (v === null || v === undefined) return undefined;
        const before = is.length;
        spec.parse(v, p, is);
        if (is.length === before) warn(is, p, `ignored (${why})`);
        return undefined;
      },
    },
  };
}

export type Fields = Record<string, Field<unknown>>;
/** What `obj(fields)` parses to. */
export type ObjOut<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/**
 * A map with a fixed set of keys. Unknown keys are errors. A missing or null
 * value means "all defaults", as in the Collector (`redaction:` alone is valid).
 */
type KeyMessage = (key: string | null, msg: string) => void;

/** Cross-field checks on a parsed map: `add` refuses it with a problem, `warnAt` loads it with a warning. */
export type Check<T> = (v: T, add: KeyMessage, warnAt: KeyMessage) => void;

export function obj<F extends Fields>(fields: F, check?: Check<ObjOut<F>>): Spec<ObjOut<F>> {
  return fixedMap(fields, check);
}

/** `obj` over two sets of fields in one map (an exporter's own options and the exporter helper's). */
export function objWith<A extends Fields, B extends Fields>(
  a: A,
  b: B,
  check?: Check<ObjOut<A> & ObjOut<B>>,
): Spec<ObjOut<A> & ObjOut<B>> {
  return fixedMap({ ...a, ...b }, check);
}

/** `T`: what the fields parse to (each field's value under its key). */
function fixedMap<T>(fields: Fields, check?: Check<T>): Spec<T> {
  return {
    shape: 'map',
    fields,
    parse(v, p, is) {
      if (v === null || v === undefined) v = {};
      if (typeof v !== 'object' || Array.isArray(v)) return issue(is, p, 'must be a map');
      const input = v as Record<string, unknown>;
      const before = is.length;
      for (const k of Object.keys(input)) {
        if (!(k in fields)) issue(is, [...p, k], `unknown key (expected one of: ${Object.keys(fields).join(', ')})`);
      }
      const out: Record<string, unknown> = {};
      for (const [k, f] of Object.entries(fields)) {
        const raw = input[k];
        if (raw === undefined || (raw === null && f.default)) {
          if (f.required) issue(is, [...p, k], 'is required');
          else out[k] = f.default ? f.default() : undefined;
          continue;
        }
        out[k] = f.spec.parse(raw, [...p, k], is);
      }
      if (is.length !== before) return undefined;
      if (check) {
        const at = (key: string | null) => (key === null ? p : [...p, key]);
        check(
          out as T,
          (key, msg) => issue(is, at(key), msg),
          (key, msg) => warn(is, at(key), msg),
        );
      }
      return is.length === before ? (out as T) : undefined;
    },
  };
}

/** `host:port` or `:port`; parsed to host and port. */
export interface Endpoint {
  host: string;
  port: number;
}
export function endpoint(): Spec<Endpoint> {
  return {
    shape: 'host:port',
    parse(v, p, is) {
      if (typeof v !== 'string') return issue(is, p, 'must be host:port');
      const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(v.trim());
      const port = m ? Number(m[3]) : NaN;
      if (!m || port > 65535) return issue(is, p, 'must be host:port with a port from 0 to 65535');
      return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
    },
  };
}

/** A key longer than this is cut in messages (keys come from the file). */
const MAX_SHOWN_KEY = 100;
/** A message longer than this is cut (a message may echo a value from the file). */
const MAX_SHOWN_MESSAGE = 500;

/** `a::b::0`; keys cut to a readable length and control characters escaped. */
export function formatPath(path: (string | number)[]): string {
  return path.map((p) => escapeControl(truncate(String(p), MAX_SHOWN_KEY))).join('::');
}

/** `path: message (line N)`, or the message alone for the whole file; safe to print to a terminal. */
export function formatIssue(i: ConfigIssue): string {
  const msg = escapeControl(truncate(i.message, MAX_SHOWN_MESSAGE));
  return `${i.path.length > 0 ? `${formatPath(i.path)}: ` : ''}${msg}${i.line ? ` (line ${i.line})` : ''}`;
}

export type { Out as SpecOutput };
