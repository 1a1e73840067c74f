// Configuration of the `filter` processor with the Collector's keys. OTTL
// conditions are parsed and compiled here, so an unsupported construct is a
// config error at its YAML path (`processors::filter::logs::log_record::0`).
import { bool, def, ignored, list, obj, oneOf, opt, req, str, type Spec, type SpecOutput } from '../../src/config/schema.js';
import { anyValue, lowerCaseKeys } from '../../src/matching/any-value.js';
import { compileLogMatch, type RecordPredicate } from '../../src/matching/log-match.js';
import { severitySpec } from '../../src/matching/severity.js';
import { transform } from '../../src/matching/transform.js';
import { compileCondition, type CompiledCondition, type OttlContext } from './ottl/compile.js';
import { OttlSyntaxError } from './ottl/lexer.js';

function condition(ctx: OttlContext): Spec<CompiledCondition> {
  return transform(str(), (src, add) => {
    try {
      return compileCondition(src, ctx);
    } catch (err) {
      if (!(err instanceof OttlSyntaxError)) throw err;
      add([], `cannot use OTTL condition '${src}': ${err.reason} (column ${err.col})`);
      return undefined;
    }
  }, 'OTTL condition');
}

/** `log_conditions` entries: a condition string, or `{ context: log|resource, conditions: [...] }`. */
const logConditionEntry: Spec<CompiledCondition[]> = {
  shape: 'OTTL condition or { context, conditions }',
  parse(v, p, is) {
    if (typeof v === 'string') { const c = condition('log').parse(v, p, is); return c && [c]; }
    const grouped = obj({ context: def(oneOf(['log', 'resource'] as const), 'log'), conditions: req(list(str())) }).parse(v, p, is);
    if (!grouped) return undefined;
    const spec = list(condition(grouped.context));
    return spec.parse(grouped.conditions, [...p, 'conditions'], is);
  },
};

const keyValue = lowerCaseKeys(obj({ key: req(str({ nonEmpty: true })), value: opt(anyValue()) }));

/** The legacy `logs.include` / `logs.exclude` block. An empty block is ignored, as in the Collector. */
const legacyMatch: Spec<RecordPredicate | null> = transform(obj({
  match_type: req(oneOf(['strict', 'regexp'] as const)),
  resource_attributes: opt(list(keyValue)),
  record_attributes: opt(list(keyValue)),
  severity_texts: opt(list(str())),
  severity_number: opt(obj({ min: req(severitySpec()), match_undefined: opt(bool()) })),
  bodies: opt(list(str())),
}), (m, add) => {
  if (!m.resource_attributes?.length && !m.record_attributes?.length && !m.severity_texts?.length && !m.bodies?.length && !m.severity_number) return null;
  return compileLogMatch({
    matchType: m.match_type,
    bodies: m.bodies, severityTexts: m.severity_texts,
    severityNumber: m.severity_number && { min: m.severity_number.min, matchUndefined: m.severity_number.match_undefined ?? false },
    attributes: m.record_attributes as never, resources: m.resource_attributes as never,
  }, { bodies: 'bodies', severityTexts: 'severity_texts', attributes: 'record_attributes', resources: 'resource_attributes' }, add);
}, 'map');

const logsSpec = obj({
  /** Records matching any condition are dropped. */
  log_record: opt(list(condition('log'))),
  /** Records whose resource matches any condition are dropped. */
  resource: opt(list(condition('resource'))),
  include: opt(legacyMatch),
  exclude: opt(legacyMatch),
}, (c, add) => {
  if ((c.log_record || c.resource) && (c.include !== undefined || c.exclude !== undefined)) {
    add(null, 'cannot use "log_record" or "resource" conditions and "include"/"exclude" at the same time');
  }
});

export const filterConfigSpec = obj({
  /** What to do when a condition fails to evaluate: propagate (refuse the batch), ignore (log, keep the record) or silent. */
  error_mode: def(oneOf(['propagate', 'ignore', 'silent'] as const), 'propagate'),
  logs: def(logsSpec, () => logsSpec.parse({}, [], [])!),
  /** Conditions with an inferred context (`log.body`, `resource.attributes[...]`). */
  log_conditions: opt(list(logConditionEntry)),
  // Other signals' filters load (a shared Collector config carries them) and are ignored with a warning.
  traces: ignored(),
  spans: ignored(),
  metrics: ignored(),
  profiles: ignored(),
  trace_conditions: ignored(),
  metric_conditions: ignored(),
  profile_conditions: ignored(),
}, (c, add) => {
  if (c.log_conditions && (c.logs.log_record || c.logs.resource || c.logs.include !== undefined || c.logs.exclude !== undefined)) {
    add('log_conditions', 'cannot be used together with the settings under "logs"');
  }
});

export type FilterConfig = SpecOutput<typeof filterConfigSpec>;
