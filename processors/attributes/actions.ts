// Compiles the configured actions, once, into functions that edit a record's
// attribute map in place. Records reach a processor as the collector's own
// LogRecordData (one per pipeline: the fan-out copies records for every
// pipeline but the last), so editing in place is safe and allocates nothing.
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import type { GoRegExp } from '../../src/matching/go-regexp.js';
import type { AttributeAction } from './config.js';
import { toDouble, toInt, toStr } from './convert.js';
import { hashValue } from './hash.js';

export type CompiledAction = (attrs: LogAttributes) => void;

export function compileAction(a: AttributeAction): CompiledAction {
  const key = a.key ?? '';
  switch (a.action) {
    case 'insert':
    case 'update':
    case 'upsert':
      return setter(a.action, key, a);
    case 'delete':
      return a.pattern
        ? deleteMatching(a.key, a.pattern)
        : (attrs) => {
            if (key in attrs) delete attrs[key];
          };
    case 'hash':
      return a.pattern
        ? hashMatching(a.key, a.pattern)
        : (attrs) => {
            const v = attrs[key];
            if (v !== undefined && v !== null) attrs[key] = hashValue(v);
          };
    case 'extract':
      return extract(key, a.pattern!);
    case 'convert': {
      const conv = a.converted_type === 'int' ? toInt : a.converted_type === 'double' ? toDouble : toStr;
      return (attrs) => {
        const v = attrs[key];
        if (v !== undefined && v !== null) attrs[key] = conv(v);
      };
    }
  }
}

function setter(mode: 'insert' | 'update' | 'upsert', key: string, a: AttributeAction): CompiledAction {
  const fallback = a.default_value;
  const from = a.from_attribute;
  const constant = a.value ?? fallback;
  // Each value source gets its own small function, chosen once.
  const valueOf: (attrs: LogAttributes) => AnyValue | undefined =
    from !== undefined
      ? (attrs) => {
          const v = attrs[from];
          return v === undefined ? fallback : v;
        }
      : () =>
          constant === undefined
            ? undefined
            : typeof constant === 'object' && constant !== null
              ? structuredClone(constant)
              : constant;
  if (mode === 'insert')
    return (attrs) => {
      if (!(key in attrs)) {
        const v = valueOf(attrs);
        if (v !== undefined) attrs[key] = v;
      }
    };
  if (mode === 'update')
    return (attrs) => {
      if (key in attrs) {
        const v = valueOf(attrs);
        if (v !== undefined) attrs[key] = v;
      }
    };
  return (attrs) => {
    const v = valueOf(attrs);
    if (v !== undefined) attrs[key] = v;
  };
}

function deleteMatching(key: string | undefined, re: GoRegExp): CompiledAction {
  return (attrs) => {
    if (key !== undefined && key in attrs) delete attrs[key];
    for (const k in attrs) if (re.test(k)) delete attrs[k];
  };
}

function hashMatching(key: string | undefined, re: GoRegExp): CompiledAction {
  return (attrs) => {
    for (const k in attrs) {
      if (k !== key && !re.test(k)) continue;
      const v = attrs[k];
      if (v !== undefined && v !== null) attrs[k] = hashValue(v);
    }
  };
}

function extract(key: string, re: GoRegExp): CompiledAction {
  return (attrs) => {
    const v = attrs[key];
    if (typeof v !== 'string') return;
    // A group that did not take part in the match sets "", as Go's FindStringSubmatch does.
    const groups = re.namedGroups(v);
    if (groups === undefined) return;
    for (const name in groups) attrs[name] = groups[name]!;
  };
}
