// Configuration of the `attributes` processor with the Collector's keys:
// an ordered list of actions, and optional include/exclude match blocks that
// choose which records the actions apply to. Regexes and match blocks are
// compiled here, so every mistake is reported with its YAML path.
import type { AnyValue } from '@opentelemetry/api-logs';
import { bool, int, list, obj, oneOf, opt, req, str, type Spec, type SpecOutput } from '../../src/config/schema.js';
import { anyValue, lowerCaseKeys } from '../../src/matching/any-value.js';
import { goRegExp } from '../../src/matching/go-regexp.js';
import { compileLogMatch, type RecordPredicate } from '../../src/matching/log-match.js';
import { severitySpec } from '../../src/matching/severity.js';
import { transform } from '../../src/matching/transform.js';

export const ACTIONS = ['insert', 'update', 'upsert', 'delete', 'hash', 'extract', 'convert'] as const;
export type ActionName = (typeof ACTIONS)[number];
const SET_ACTIONS: readonly string[] = ['insert', 'update', 'upsert'];

/** The Collector lower-cases action names, so `INSERT` works too. */
const actionName: Spec<ActionName> = transform(
  str(),
  (v, add) => {
    const a = v.toLowerCase();
    if ((ACTIONS as readonly string[]).includes(a)) return a as ActionName;
    add([], `must be one of ${ACTIONS.join(', ')}`);
    return undefined;
  },
  ACTIONS.join(' | '),
);

const actionSpec = obj(
  {
    key: opt(str({ nonEmpty: true })),
    action: req(actionName),
    value: opt(anyValue()),
    from_attribute: opt(str({ nonEmpty: true })),
    from_context: opt(str()),
    default_value: opt(anyValue()),
    /** Regex over attribute names (delete, hash) or, with named groups, over the value of `key` (extract). */
    pattern: opt(goRegExp()),
    converted_type: opt(oneOf(['int', 'double', 'string'] as const)),
  },
  (c, add, warnAt) => {
    const a = c.action;
    // The Collector skips the action when the context key is missing; here it always is.
    if (c.from_context !== undefined) {
      warnAt(
        'from_context',
        `ignored (records carry no request metadata, auth or client address here); the action ${
          c.default_value !== undefined ? 'sets default_value' : 'does nothing'
        }`,
      );
    }
    const notFor = (key: 'value' | 'from_attribute' | 'default_value' | 'pattern' | 'converted_type') => {
      if (c[key] !== undefined) add(key, `is not used by action ${a}`);
    };
    if (SET_ACTIONS.includes(a)) {
      if (!c.key) add('key', `is required for action ${a}`);
      const sources = [c.value, c.from_attribute, c.from_context].filter((x) => x !== undefined).length;
      if (sources > 1) add(null, 'set only one of value, from_attribute, from_context');
      if (sources === 0 && c.default_value === undefined)
        add(null, `action ${a} needs one of value, from_attribute or default_value`);
      notFor('pattern');
      notFor('converted_type');
    } else if (a === 'delete' || a === 'hash') {
      if (!c.key && !c.pattern) add(null, `action ${a} needs key or pattern`);
      for (const k of ['value', 'from_attribute', 'default_value', 'converted_type'] as const) notFor(k);
    } else if (a === 'extract') {
      if (!c.key) add('key', 'is required for action extract');
      if (!c.pattern) add('pattern', 'is required for action extract');
      else if (c.pattern.groupNames.length === 0)
        add('pattern', 'must contain at least one named group such as (?P<name>...)');
      for (const k of ['value', 'from_attribute', 'default_value', 'converted_type'] as const) notFor(k);
    } else {
      if (!c.key) add('key', 'is required for action convert');
      if (!c.converted_type) add('converted_type', 'is required for action convert (int, double or string)');
      for (const k of ['value', 'from_attribute', 'default_value', 'pattern'] as const) notFor(k);
    }
  },
);

export type AttributeAction = NonNullable<SpecOutput<typeof actionSpec>>;

const keyValue = lowerCaseKeys(obj({ key: req(str({ nonEmpty: true })), value: opt(anyValue()) }));
const library = lowerCaseKeys(obj({ name: req(str({ nonEmpty: true })), version: opt(str()) }));

const NOT_FOR_LOGS = { services: 'spans', span_names: 'spans', span_kinds: 'spans', metric_names: 'metrics' } as const;

const matchFields = obj({
  match_type: req(oneOf(['strict', 'regexp'] as const)),
  /** Accepted for compatibility: patterns are compiled once, so no result cache is needed. */
  regexp: opt(obj({ cacheenabled: opt(bool()), cachemaxnumentries: opt(int({ min: 0 })) })),
  log_bodies: opt(list(str())),
  log_severity_texts: opt(list(str())),
  log_severity_number: opt(obj({ min: req(severitySpec()), match_undefined: opt(bool()) })),
  attributes: opt(list(keyValue)),
  resources: opt(list(keyValue)),
  libraries: opt(list(library)),
  services: opt(list(str())),
  span_names: opt(list(str())),
  span_kinds: opt(list(str())),
  metric_names: opt(list(str())),
});

/** An include/exclude block, compiled into a record predicate. */
export interface MatchBlock {
  match_type: 'strict' | 'regexp';
  matches: RecordPredicate;
}

const matchSpec: Spec<MatchBlock> = transform(matchFields, (m, add) => {
  for (const [key, signal] of Object.entries(NOT_FOR_LOGS)) {
    if (m[key as keyof typeof NOT_FOR_LOGS] !== undefined) add([key], `applies to ${signal}, not logs; remove it`);
  }
  const props = {
    matchType: m.match_type,
    bodies: m.log_bodies,
    severityTexts: m.log_severity_texts,
    severityNumber: m.log_severity_number && {
      min: m.log_severity_number.min,
      matchUndefined: m.log_severity_number.match_undefined ?? false,
    },
    attributes: m.attributes as { key: string; value?: AnyValue }[] | undefined,
    resources: m.resources as { key: string; value?: AnyValue }[] | undefined,
    libraries: m.libraries,
  };
  if (
    !props.bodies?.length &&
    !props.severityTexts?.length &&
    !props.severityNumber &&
    !props.attributes?.length &&
    !props.resources?.length &&
    !props.libraries?.length
  ) {
    add(
      [],
      'must set at least one of log_bodies, log_severity_texts, log_severity_number, attributes, resources, libraries',
    );
    return undefined;
  }
  const matches = compileLogMatch(
    props,
    {
      bodies: 'log_bodies',
      severityTexts: 'log_severity_texts',
      attributes: 'attributes',
      resources: 'resources',
      libraries: 'libraries',
    },
    add,
  );
  return { match_type: m.match_type, matches };
});

export const attributesConfigSpec = obj({
  actions: req(list(actionSpec, { nonEmpty: true })),
  include: opt(matchSpec),
  exclude: opt(matchSpec),
});

export type AttributesConfig = SpecOutput<typeof attributesConfigSpec>;
