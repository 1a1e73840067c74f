// Compiles a parsed condition into a predicate over records, once, at config
// time. Every path, enum and function is resolved here; evaluation is a tree
// of small closures with no parsing, lookups by name or allocation.
//
// Comparison semantics follow OTTL: nil equals only nil; numbers compare
// numerically; strings compare by code unit order; booleans, maps and lists
// support only == and !=; values of different types are never equal and never
// ordered (so `!=` is true and `<` is false).
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { compileGoRegExp, type GoRegExp } from '../../../src/matching/go-regexp.js';
import { SEVERITY_NUMBER_ENUM } from '../../../src/matching/severity.js';
import { valuesEqual, valueString } from '../../../src/matching/values.js';
import type { BoolNode, CompareOp, ValueNode } from './ast.js';
import { OttlSyntaxError } from './lexer.js';
import { describe, parseCondition } from './parser.js';

/** `log`: a log record and its resource; `resource`: the resource only (`logs.resource`); `scope`: the scope. */
export type OttlContext = 'log' | 'resource' | 'scope';

export type Predicate = (r: ReadableLogRecord) => boolean;
type Getter = (r: ReadableLogRecord) => AnyValue | undefined;

export interface CompiledCondition {
  /** The condition as written. */
  readonly source: string;
  readonly matches: Predicate;
}

/** Parses and compiles one condition; throws OttlSyntaxError with a column. */
export function compileCondition(src: string, context: OttlContext): CompiledCondition {
  return { source: src, matches: compileBool(parseCondition(src), context) };
}

function compileBool(n: BoolNode, ctx: OttlContext): Predicate {
  switch (n.type) {
    case 'or': {
      const a = compileBool(n.left, ctx);
      const b = compileBool(n.right, ctx);
      return (r) => a(r) || b(r);
    }
    case 'and': {
      const a = compileBool(n.left, ctx);
      const b = compileBool(n.right, ctx);
      return (r) => a(r) && b(r);
    }
    case 'not': {
      const a = compileBool(n.expr, ctx);
      return (r) => !a(r);
    }
    case 'const': {
      const v = n.value;
      return () => v;
    }
    case 'call':
      return compileBoolCall(n.name, n.args, n.col, ctx);
    case 'compare':
      return compileCompare(n.op, compileValue(n.left, ctx), compileValue(n.right, ctx));
  }
}

const BOOL_FUNCTIONS = ['IsMatch'];

function compileBoolCall(name: string, args: ValueNode[], col: number, ctx: OttlContext): Predicate {
  if (name !== 'IsMatch')
    throw new OttlSyntaxError(`unsupported function "${name}"; supported: ${BOOL_FUNCTIONS.join(', ')}`, col);
  if (args.length !== 2)
    throw new OttlSyntaxError(`IsMatch takes 2 arguments (target, "pattern") but got ${args.length}`, col);
  const pat = args[1]!;
  if (pat.type !== 'literal' || typeof pat.value !== 'string') {
    throw new OttlSyntaxError("IsMatch's pattern must be a string literal", pat.col);
  }
  let re: GoRegExp;
  try {
    re = compileGoRegExp(pat.value);
  } catch (err) {
    throw new OttlSyntaxError(`invalid regular expression in IsMatch: ${(err as Error).message}`, pat.col);
  }
  const target = compileValue(args[0]!, ctx);
  // Non-string targets are matched in their string form, as OTTL does; nil never matches.
  return (r) => {
    const v = target(r);
    if (v === undefined || v === null) return false;
    return re.test(typeof v === 'string' ? v : valueString(v));
  };
}

function compileValue(n: ValueNode, ctx: OttlContext): Getter {
  switch (n.type) {
    case 'literal': {
      const v = n.value === null ? undefined : n.value;
      return () => v;
    }
    case 'enum': {
      const v = SEVERITY_NUMBER_ENUM[n.name];
      if (v === undefined)
        throw new OttlSyntaxError(
          `unknown enum "${n.name}"; supported: SEVERITY_NUMBER_UNSPECIFIED, SEVERITY_NUMBER_TRACE … SEVERITY_NUMBER_FATAL4`,
          n.col,
        );
      return () => v;
    }
    case 'call':
      throw new OttlSyntaxError(
        `unsupported function "${n.name}" as a value; only IsMatch(...) is supported, as a condition on its own`,
        n.col,
      );
    case 'path':
      return compilePath(n, ctx);
  }
}

const LOG_PATHS =
  'attributes["…"], resource.attributes["…"], body, severity_number, severity_text, event_name, instrumentation_scope.name, instrumentation_scope.version';

function compilePath(n: Extract<ValueNode, { type: 'path' }>, ctx: OttlContext): Getter {
  let segs = n.segments;
  const name = describe(n);
  // Context prefixes, as in newer OTTL (`log.body`, `resource.attributes`).
  if (ctx === 'log' && segs[0] === 'log' && segs.length > 1) segs = segs.slice(1);
  let base: Getter | undefined;
  let root: 'attrs' | 'resource' | 'value' = 'value';
  const path = segs.join('.');
  if (ctx === 'resource') {
    if (path === 'attributes' || path === 'resource.attributes') root = 'resource';
    else
      throw new OttlSyntaxError(`path "${name}" is not available in the resource context; use attributes["…"]`, n.col);
  } else if (ctx === 'scope') {
    if (path === 'resource.attributes') root = 'resource';
    else if (path === 'name' || path === 'scope.name') base = (r) => r.instrumentationScope.name;
    else if (path === 'version' || path === 'scope.version') base = (r) => r.instrumentationScope.version ?? '';
    else
      throw new OttlSyntaxError(
        `path "${name}" is not available in the scope context; use name, version or resource.attributes["…"]`,
        n.col,
      );
  } else if (path === 'attributes') root = 'attrs';
  else if (path === 'resource.attributes') root = 'resource';
  else if (path === 'body') base = (r) => r.body ?? undefined;
  else if (path === 'severity_number') base = (r) => r.severityNumber ?? 0;
  else if (path === 'severity_text') base = (r) => r.severityText ?? '';
  else if (path === 'event_name') base = (r) => r.eventName ?? '';
  else if (path === 'instrumentation_scope.name' || path === 'scope.name') base = (r) => r.instrumentationScope.name;
  else if (path === 'instrumentation_scope.version' || path === 'scope.version')
    base = (r) => r.instrumentationScope.version ?? '';
  else throw new OttlSyntaxError(`unknown path "${name}"; supported: ${LOG_PATHS}`, n.col);

  const keys = n.keys;
  if (root !== 'value') {
    const first = keys[0];
    if (typeof first !== 'string')
      throw new OttlSyntaxError(`"${path}" must be indexed by a string key, e.g. ${path}["key"]`, n.col);
    base = root === 'attrs' ? (r) => r.attributes[first] : (r) => (r.resource.attributes as LogAttributes)[first];
    return indexChain(base, keys.slice(1));
  }
  if (keys.length > 0 && path !== 'body') throw new OttlSyntaxError(`"${path}" cannot be indexed`, n.col);
  return indexChain(base!, keys);
}

/** Indexes into maps (string keys) and lists (integer keys); a missing step is nil. */
function indexChain(base: Getter, keys: (string | number)[]): Getter {
  let g = base;
  for (const k of keys) {
    const prev = g;
    g =
      typeof k === 'string'
        ? (r) => {
            const v = prev(r);
            return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)
              ? (v as Record<string, AnyValue>)[k]
              : undefined;
          }
        : (r) => {
            const v = prev(r);
            return Array.isArray(v) ? v[k] : undefined;
          };
  }
  return g;
}

function compileCompare(op: CompareOp, a: Getter, b: Getter): Predicate {
  switch (op) {
    case '==':
      return (r) => equal(a(r), b(r));
    case '!=':
      return (r) => !equal(a(r), b(r));
    case '<':
      return (r) => order(a(r), b(r)) < 0;
    case '<=':
      return (r) => order(a(r), b(r)) <= 0;
    case '>':
      return (r) => order(a(r), b(r)) > 0;
    case '>=':
      return (r) => order(a(r), b(r)) >= 0;
  }
}

function equal(x: AnyValue | undefined, y: AnyValue | undefined): boolean {
  if (x === undefined || x === null) return y === undefined || y === null;
  if (y === undefined || y === null) return false;
  return valuesEqual(x, y);
}

/** Negative, zero or positive; NaN when the two cannot be ordered (every comparison with NaN is false). */
function order(x: AnyValue | undefined, y: AnyValue | undefined): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  return NaN;
}
