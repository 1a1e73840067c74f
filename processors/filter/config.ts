// Configuration of the `filter` processor with the Collector's keys. OTTL
// conditions are parsed and compiled here, so an unsupported construct is a
// config error at its YAML path (`processors::filter::logs::log_record::0`).
import {
  bool,
  def,
  ignored,
  list,
  obj,
  oneOf,
  opt,
  req,
  str,
  type Spec,
  type SpecOutput,
} from '../../src/config/schema.js';
import { anyValue, lowerCaseKeys } from '../../src/matching/any-value.js';
import { compileLogMatch, type RecordPredicate } from '../../src/matching/log-match.js';
import { severitySpec } from '../../src/matching/severity.js';
import { transform } from '../../src/matching/transform.js';
import { compileCondition, type CompiledCondition, type OttlContext } from './ottl/compile.js';
import { OttlSyntaxError } from './ottl/lexer.js';

function condition(ctx: OttlContext): Spec<CompiledCondition> {
  return transform(
    str(),
    (src, add) => {
      try {
        return compileCondition(src, ctx);
      } catch (err) {
        if (!(err instanceof OttlSyntaxError)) throw err;
        add([], `cannot use OTTL condition '${src}': ${err.reason} (column ${err.col})`);
        return undefined;
      }
    },
    'OTTL condition',
  );
}

const ERROR_MODES = ['propagate', 'ignore', 'silent'] as const;
export type ErrorMode = (typeof ERROR_MODES)[number];

/** Conditions evaluated together; `errorMode` overrides the processor's `error_mode` for them. */
export interface ConditionGroup {
  conditions: CompiledCondition[];
  errorMode?: ErrorMode;
}

/** OTTL contexts a log condition group may pin (the Collector's names, case-insensitive). */
const groupContext: Spec<OttlContext> = transform(
  str(),
  (v, add) => {
    const c = v.toLowerCase();
    if (c === 'log' || c === 'resource' || c === 'scope') return c;
    add([], 'must be log, resource or scope (the contexts of log conditions)');
    return undefined;
  },
  'log | resource | scope',
);

const conditionGroup = obj({
  /** Omitted: inferred from each condition's path prefixes (`log.`, `resource.`, `scope.`). */
  context: opt(groupContext),
  conditions: req(list(str())),
  error_mode: opt(oneOf(ERROR_MODES)),
});

/**
 * `log_conditions`: condition strings (one group, context inferred), or groups
 * `{ context, conditions, error_mode }`. As in the Collector, one list uses one style.
 */
const logConditions: Spec<ConditionGroup[]> = {
  shape: 'list of OTTL conditions, or of { context, conditions, error_mode }',
  parse(v, p, is) {
    if (!Array.isArray(v)) return void is.push({ path: p, message: 'must be a list' });
    const flat = v.filter((x) => typeof x === 'string').length;
    if (flat > 0 && flat < v.length) {
      return void is.push({
        path: p,
        message: 'mixes condition strings and { context, conditions } groups; use one style',
      });
    }
    if (flat > 0) {
      const conditions = list(condition('log')).parse(v, p, is);
      return conditions && [{ conditions }];
    }
    const before = is.length;
    const groups = v.map((raw, i): ConditionGroup | undefined => {
      const g = conditionGroup.parse(raw, [...p, i], is);
      if (!g) return undefined;
      const conditions = list(condition(g.context ?? 'log')).parse(g.conditions, [...p, i, 'conditions'], is);
      return conditions && { conditions, errorMode: g.error_mode };
    });
    return is.length === before ? (groups as ConditionGroup[]) : undefined;
  },
};

const keyValue = lowerCaseKeys(obj({ key: req(str({ nonEmpty: true })), value: opt(anyValue()) }));

/** The legacy `logs.include` / `logs.exclude` block. An empty block is ignored, as in the Collector. */
const legacyMatch: Spec<RecordPredicate | null> = transform(
  obj({
    /** Needed for bodies, severity_texts and attributes; `severity_number` alone matches without it. */
    match_type: opt(oneOf(['strict', 'regexp'] as const)),
    resource_attributes: opt(list(keyValue)),
    record_attributes: opt(list(keyValue)),
    severity_texts: opt(list(str())),
    severity_number: opt(obj({ min: req(severitySpec()), match_undefined: opt(bool()) })),
    bodies: opt(list(str())),
  }),
  (m, add) => {
    const patterns = !!(
      m.resource_attributes?.length ||
      m.record_attributes?.length ||
      m.severity_texts?.length ||
      m.bodies?.length
    );
    if (!patterns && !m.severity_number) return null;
    if (patterns && !m.match_type) {
      add(
        ['match_type'],
        'is required (strict or regexp) with bodies, severity_texts, record_attributes or resource_attributes',
      );
      return undefined;
    }
    return compileLogMatch(
      {
        matchType: m.match_type ?? 'strict',
        bodies: m.bodies,
        severityTexts: m.severity_texts,
        severityNumber: m.severity_number && {
          min: m.severity_number.min,
          matchUndefined: m.severity_number.match_undefined ?? false,
        },
        attributes: m.record_attributes,
        resources: m.resource_attributes,
      },
      {
        bodies: 'bodies',
        severityTexts: 'severity_texts',
        attributes: 'record_attributes',
        resources: 'resource_attributes',
      },
      add,
    );
  },
  'map',
);

const logsSpec = obj(
  {
    /** Records matching any condition are dropped. */
    log_record: opt(list(condition('log'))),
    /** Records whose resource matches any condition are dropped. */
    resource: opt(list(condition('resource'))),
    include: opt(legacyMatch),
    exclude: opt(legacyMatch),
  },
  (c, add) => {
    if ((c.log_record || c.resource) && (c.include !== undefined || c.exclude !== undefined)) {
      add(null, 'cannot use "log_record" or "resource" conditions and "include"/"exclude" at the same time');
    }
  },
);

export const filterConfigSpec = obj(
  {
    /** What to do when a condition fails to evaluate: propagate (refuse the batch), ignore (log, keep the record) or silent. */
    error_mode: def(oneOf(ERROR_MODES), 'propagate'),
    logs: def(logsSpec, () => logsSpec.parse({}, [], [])!),
    /** Conditions with an inferred context (`log.body`, `resource.attributes[...]`), or groups of them. */
    log_conditions: opt(logConditions),
    // Other signals' filters load (a shared Collector config carries them) and are ignored with a warning.
    traces: ignored(),
    spans: ignored(),
    metrics: ignored(),
    profiles: ignored(),
    trace_conditions: ignored(),
    metric_conditions: ignored(),
    profile_conditions: ignored(),
  },
  (c, add) => {
    if (
      c.log_conditions &&
      (c.logs.log_record || c.logs.resource || c.logs.include !== undefined || c.logs.exclude !== undefined)
    ) {
      add('log_conditions', 'cannot be used together with the settings under "logs"');
    }
  },
);

export type FilterConfig = SpecOutput<typeof filterConfigSpec>;
