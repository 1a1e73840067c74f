// Filter configs in shapes the Collector loads (issue #15): the legacy
// severity_number match without match_type (the Collector's own
// config_logs_min_severity.yaml) and log_conditions groups with their own
// context and error_mode.
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Host, LogsConsumer } from '../../../src/component/types.js';
import { formatIssue, type ConfigIssue } from '../../../src/config/schema.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { filterProcessorFactory } from '../../../processors/filter/factory.js';

const host: Host = {
  getExtension: () => undefined,
  findExtension: () => undefined,
  tap: new RecordTap(),
  logger: silentLogger,
  telemetry: new Telemetry(),
};

function record(name: string, severityNumber: number | undefined, scope = 'app'): LogRecordData {
  const r = new LogRecordData(resourceFromAttributes({ 'service.name': 'api' }), { name: scope, version: '1.2.0' });
  r.attributes = { name };
  r.body = `${name} happened`;
  r.severityNumber = severityNumber;
  return r;
}
const RECORDS = () => [
  record('trace', 1),
  record('debug', 5),
  record('info', 9),
  record('warn', 13),
  record('error', 17),
  record('fatal', 21),
  record('unset', undefined),
  record('db', 9, 'pg-driver'),
];

function parse(yaml: string): { cfg?: unknown; issues: string[] } {
  const issues: ConfigIssue[] = [];
  const cfg = filterProcessorFactory.config.parse(parseYaml(yaml), ['processors', 'filter'], issues);
  return { cfg, issues: issues.map(formatIssue) };
}

async function kept(yaml: string): Promise<string[]> {
  const { cfg, issues } = parse(yaml);
  if (!cfg) throw new Error(issues.join('\n'));
  const out: ReadableLogRecord[] = [];
  const sink: LogsConsumer = {
    consume: async (r) => {
      out.push(...r);
    },
  };
  const p = filterProcessorFactory.create(
    { id: 'filter', logger: silentLogger, telemetry: new Telemetry() },
    cfg,
    sink,
  );
  await p.start(host);
  await p.consume(RECORDS());
  await p.shutdown();
  return out.map((r) => r.attributes.name as string);
}

describe('filter – legacy severity_number without match_type', () => {
  it('include min INFO with match_undefined keeps INFO and above and records without a severity', async () => {
    expect(
      await kept(`
logs:
  include:
    severity_number:
      min: "INFO"
      match_undefined: true
`),
    ).toEqual(['info', 'warn', 'error', 'fatal', 'unset', 'db']);
  });

  it('exclude min ERROR drops the ERROR and FATAL ranges; an undefined severity does not match', async () => {
    expect(
      await kept(`
logs:
  exclude:
    severity_number:
      min: "ERROR"
`),
    ).toEqual(['trace', 'debug', 'info', 'warn', 'unset', 'db']);
  });

  it('include then exclude keeps the INFO and WARN ranges and undefined severities', async () => {
    expect(
      await kept(`
logs:
  include:
    severity_number: { min: "INFO", match_undefined: true }
  exclude:
    severity_number: { min: "ERROR" }
`),
    ).toEqual(['info', 'warn', 'unset', 'db']);
  });

  it('takes lower-case names and numbers for min, as the Collector does', async () => {
    expect(await kept('logs: { include: { severity_number: { min: warn } } }')).toEqual(['warn', 'error', 'fatal']);
    expect(await kept('logs: { include: { severity_number: { min: 17 } } }')).toEqual(['error', 'fatal']);
  });

  it('still needs match_type for patterns, naming the key', () => {
    expect(parse('logs: { exclude: { bodies: ["debug happened"] } }').issues).toEqual([
      'processors::filter::logs::exclude::match_type: is required (strict or regexp) ' +
        'with bodies, severity_texts, record_attributes or resource_attributes',
    ]);
    expect(parse('logs: { exclude: { severity_number: { min: LOUD } } }').issues).toEqual([
      'processors::filter::logs::exclude::severity_number::min: ' +
        'must be a severity number from 0 to 24 or a name such as INFO, WARN or ERROR',
    ]);
  });
});

describe('filter – log_conditions groups', () => {
  it('takes groups with their own error_mode, an explicit or inferred context, any case', async () => {
    expect(
      await kept(`
error_mode: ignore
log_conditions:
  - error_mode: propagate
    conditions:
      - log.severity_number < SEVERITY_NUMBER_INFO and log.severity_number != SEVERITY_NUMBER_UNSPECIFIED
  - context: Scope
    error_mode: silent
    conditions: ['name == "pg-driver"']
  - context: resource
    conditions: ['attributes["service.name"] == "billing"']
  - conditions: ['IsMatch(log.body, "^fatal")']
`),
    ).toEqual(['info', 'warn', 'error', 'unset']);
  });

  it('refuses mixed styles, unknown contexts and error modes with their paths', () => {
    expect(parse('log_conditions: ["true", { conditions: ["true"] }]').issues).toEqual([
      'processors::filter::log_conditions: mixes condition strings and { context, conditions } groups; use one style',
    ]);
    expect(parse('log_conditions: [{ context: span, error_mode: loud, conditions: ["true"] }]').issues).toEqual([
      'processors::filter::log_conditions::0::context: must be log, resource or scope (the contexts of log conditions)',
      'processors::filter::log_conditions::0::error_mode: must be one of propagate, ignore, silent',
    ]);
    expect(parse('log_conditions: [{ context: scope, conditions: ["body == \\"x\\""] }]').issues[0]).toMatch(
      /^processors::filter::log_conditions::0::conditions::0: .*not available in the scope context/,
    );
  });
});
