// The parser operators: a minimal subset of the Collector's stanza operators.
// `json_parser` parses a JSON object line into attributes; `regex_parser`
// turns the named groups of an RE2 pattern into attributes. Both write to
// `attributes` (the Collector's default `parse_to`), may set the severity
// from a parsed attribute, and either send an unparsable line as it is
// (`on_error: send`, the default) or drop it (`on_error: drop`).
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import { parseSeverity } from '../../matching/severity.js';
import type { LogRecordData } from '../../model/log-record.js';
import type { OperatorConfig } from './config.js';

/** Returns false when the record is to be dropped; throws nothing. */
export type Operator = (r: LogRecordData, line: string) => boolean;

export function compileOperators(
  ops: readonly OperatorConfig[],
  onError: (op: string, reason: string) => void,
): Operator[] {
  return ops.map((op, i) => {
    const name = op.id ?? `${op.type}/${i}`;
    const parse = op.type === 'json_parser' ? parseJson : regexParser(op);
    const severityKey = op.severity?.parse_from.slice('attributes.'.length);
    const drop = op.on_error === 'drop';
    return (r, line) => {
      const parsed = parse(line);
      if (typeof parsed === 'string') {
        onError(name, parsed);
        return !drop;
      }
      Object.assign(r.attributes, parsed);
      if (severityKey !== undefined) {
        const v = parsed[severityKey];
        const n = parseSeverity(v);
        if (n !== undefined) {
          r.severityNumber = n;
          if (typeof v === 'string') r.severityText = v;
        }
      }
      return true;
    };
  });
}

/** An object of parsed fields, or a string saying why the line did not parse. */
function parseJson(line: string): LogAttributes | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'The line is not valid JSON.';
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'The line is JSON but not an object.';
  const out: LogAttributes = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toAnyValue(x);
  return out;
}

function toAnyValue(x: unknown): AnyValue {
  if (x === null) return null;
  if (Array.isArray(x)) return x.map(toAnyValue);
  if (typeof x === 'object') {
    const m: Record<string, AnyValue> = {};
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) m[k] = toAnyValue(v);
    return m;
  }
  return x as AnyValue;
}

function regexParser(op: OperatorConfig): (line: string) => LogAttributes | string {
  const re = op.regex!;
  return (line) => {
    const groups = re.namedGroups(line);
    if (!groups) return 'The line does not match the regex.';
    const out: LogAttributes = {};
    for (const [k, v] of Object.entries(groups)) if (v !== '') out[k] = v;
    return out;
  };
}
