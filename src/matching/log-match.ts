// The Collector's include/exclude match properties for logs, shared by the
// `attributes` processor (`include`/`exclude`) and the `filter` processor's
// legacy `logs.include`/`logs.exclude`. Compiled once into a predicate:
// every property that is set must match; within a list, any item may match.
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { compileGoRegExp } from './go-regexp.js';
import type { AddIssue } from './transform.js';
import { valuesEqual, valueString } from './values.js';

export type MatchType = 'strict' | 'regexp';
export interface KeyValueMatch {
  key: string;
  value?: AnyValue;
}
export interface LibraryMatch {
  name: string;
  version?: string;
}

/** Normalised properties; each processor maps its own YAML key names onto these. */
export interface LogMatchProps {
  matchType: MatchType;
  bodies?: string[];
  severityTexts?: string[];
  severityNumber?: { min: number; matchUndefined: boolean };
  attributes?: KeyValueMatch[];
  resources?: KeyValueMatch[];
  libraries?: LibraryMatch[];
}

export type RecordPredicate = (r: ReadableLogRecord) => boolean;

/** Where each property came from in YAML, for error paths. */
export type PropKeys = Partial<Record<keyof Omit<LogMatchProps, 'matchType'>, string>>;

type StringTest = (s: string) => boolean;

function stringTests(items: string[], type: MatchType, at: string, add: AddIssue): StringTest[] {
  if (type === 'strict') return items.map((item) => (s: string) => s === item);
  const out: StringTest[] = [];
  items.forEach((item, i) => {
    try {
      const re = compileGoRegExp(item);
      out.push((s) => re.test(s));
    } catch (err) {
      add([at, i], `is not a valid regular expression: ${(err as Error).message}`);
    }
  });
  return out;
}

type AttrTest = (attrs: LogAttributes) => boolean;

function attributeTests(items: KeyValueMatch[], type: MatchType, at: string, add: AddIssue): AttrTest[] {
  const out: AttrTest[] = [];
  items.forEach((item, i) => {
    const key = item.key;
    if (item.value === undefined) {
      out.push((a) => a[key] !== undefined);
      return;
    }
    if (type === 'strict') {
      const want = item.value;
      out.push((a) => {
        const v = a[key];
        return v !== undefined && valuesEqual(v, want);
      });
      return;
    }
    if (typeof item.value !== 'string') {
      add([at, i, 'value'], 'must be a string (a regular expression) when match_type is regexp');
      return;
    }
    try {
      const re = compileGoRegExp(item.value);
      out.push((a) => {
        const v = a[key];
        return v !== undefined && re.test(valueString(v));
      });
    } catch (err) {
      add([at, i, 'value'], `is not a valid regular expression: ${(err as Error).message}`);
    }
  });
  return out;
}

/** Compiles match properties into a predicate; problems go to `add` with their YAML key. */
export function compileLogMatch(p: LogMatchProps, keys: PropKeys, add: AddIssue): RecordPredicate {
  const checks: RecordPredicate[] = [];
  const any = (tests: StringTest[], s: string) => {
    for (let i = 0; i < tests.length; i++) if (tests[i]!(s)) return true;
    return false;
  };
  const all = (tests: AttrTest[], a: LogAttributes) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(a)) return false;
    return true;
  };

  if (p.bodies?.length) {
    const tests = stringTests(p.bodies, p.matchType, keys.bodies ?? 'bodies', add);
    // Only string bodies are matched, as in the Collector.
    checks.push((r) => typeof r.body === 'string' && any(tests, r.body));
  }
  if (p.severityTexts?.length) {
    const tests = stringTests(p.severityTexts, p.matchType, keys.severityTexts ?? 'severity_texts', add);
    checks.push((r) => any(tests, r.severityText ?? ''));
  }
  if (p.severityNumber) {
    const { min, matchUndefined } = p.severityNumber;
    checks.push((r) => {
      const n = r.severityNumber ?? 0;
      return n === 0 ? matchUndefined : n >= min;
    });
  }
  if (p.attributes?.length) {
    const tests = attributeTests(p.attributes, p.matchType, keys.attributes ?? 'attributes', add);
    checks.push((r) => all(tests, r.attributes));
  }
  if (p.resources?.length) {
    const tests = attributeTests(p.resources, p.matchType, keys.resources ?? 'resources', add);
    checks.push((r) => all(tests, r.resource.attributes as LogAttributes));
  }
  if (p.libraries?.length) {
    const at = keys.libraries ?? 'libraries';
    const libs = p.libraries.map((l, i) => {
      const name = stringTests([l.name], p.matchType, at, (sub, msg) => add([at, i, 'name'], msg))[0];
      const version = l.version;
      return (r: ReadableLogRecord) =>
        name !== undefined &&
        name(r.instrumentationScope.name) &&
        (version === undefined || (r.instrumentationScope.version ?? '') === version);
    });
    checks.push((r) => {
      for (const l of libs) if (l(r)) return true;
      return false;
    });
  }
  if (checks.length === 1) return checks[0]!;
  return (r) => {
    for (let i = 0; i < checks.length; i++) if (!checks[i]!(r)) return false;
    return true;
  };
}
