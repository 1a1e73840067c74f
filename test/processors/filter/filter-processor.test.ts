import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Host, LogsConsumer } from '../../../src/component/types.js';
import type { ConfigIssue } from '../../../src/config/schema.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { M, Telemetry } from '../../../src/telemetry/metrics.js';
import { filterProcessorFactory } from '../../../processors/filter/factory.js';

class Sink implements LogsConsumer {
  batches: ReadableLogRecord[][] = [];
  async consume(r: ReadableLogRecord[]): Promise<void> {
    this.batches.push(r);
  }
  get received(): ReadableLogRecord[] {
    return this.batches.flat();
  }
}
const host: Host = {
  getExtension: () => undefined,
  findExtension: () => undefined,
  tap: new RecordTap(),
  logger: silentLogger,
  telemetry: new Telemetry(),
};

interface Opts {
  body?: AnyValue;
  severityText?: string;
  severityNumber?: number;
  resource?: LogAttributes;
}
function record(name: string, attributes: LogAttributes, o: Opts = {}): LogRecordData {
  const r = new LogRecordData(resourceFromAttributes(o.resource ?? { 'service.name': 'api' }), { name: 'app' });
  r.attributes = { name, ...attributes };
  r.body = o.body;
  r.severityText = o.severityText;
  r.severityNumber = o.severityNumber;
  return r;
}

/** A fixed set of records every condition below is evaluated against. */
const RECORDS = () => [
  record('debug', { component: 'auth' }, { body: 'cache warm', severityText: 'DEBUG', severityNumber: 5 }),
  record(
    'info',
    { component: 'billing', 'http.route': '/health' },
    { body: 'GET /health 200', severityText: 'INFO', severityNumber: 9 },
  ),
  record(
    'warn',
    { component: 'billing', retries: 3 },
    { body: 'payment retry', severityText: 'WARN', severityNumber: 13, resource: { 'service.name': 'worker' } },
  ),
  record(
    'error',
    { component: 'auth', 'user.id': 'u1' },
    { body: { msg: 'login failed', code: 401 }, severityText: 'ERROR', severityNumber: 17 },
  ),
  record('unset', {}, {}),
];

function parse(raw: unknown): { cfg?: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const cfg = filterProcessorFactory.config.parse(
    typeof raw === 'string' ? parseYaml(raw) : raw,
    ['processors', 'filter'],
    issues,
  );
  return { cfg, issues };
}

async function keptNames(raw: unknown, telemetry = new Telemetry()): Promise<string[]> {
  const { cfg, issues } = parse(raw);
  if (!cfg) throw new Error(issues.map((i) => `${i.path.join('::')}: ${i.message}`).join('\n'));
  const sink = new Sink();
  const p = filterProcessorFactory.create({ id: 'filter', logger: silentLogger, telemetry }, cfg, sink);
  await p.start(host);
  await p.consume(RECORDS());
  await p.shutdown();
  return sink.received.map((r) => r.attributes.name as string);
}

/** Names of the records a single condition drops. */
async function dropped(condition: string): Promise<string[]> {
  const all = RECORDS().map((r) => r.attributes.name as string);
  const kept = await keptNames({ logs: { log_record: [condition] } });
  return all.filter((n) => !kept.includes(n));
}

describe('filter processor – OTTL conditions', () => {
  it.each([
    ['attributes["component"] == "auth"', ['debug', 'error']],
    ['attributes["component"] != "auth"', ['info', 'warn', 'unset']],
    ['resource.attributes["service.name"] == "worker"', ['warn']],
    ['severity_number < SEVERITY_NUMBER_WARN', ['debug', 'info', 'unset']],
    ['severity_number <= 9', ['debug', 'info', 'unset']],
    ['severity_number > SEVERITY_NUMBER_INFO4', ['warn', 'error']],
    ['severity_number >= SEVERITY_NUMBER_ERROR', ['error']],
    ['severity_number == SEVERITY_NUMBER_UNSPECIFIED', ['unset']],
    ['severity_number != 5', ['info', 'warn', 'error', 'unset']],
    ['severity_text == "DEBUG"', ['debug']],
    ['IsMatch(body, "^GET /health")', ['info']],
    ['IsMatch(body, "login failed")', ['error']],
    ['IsMatch(attributes["http.route"], "(?i)^/HEALTH$")', ['info']],
    ['body == "payment retry"', ['warn']],
    ['body["code"] == 401', ['error']],
    ['attributes["user.id"] == nil', ['debug', 'info', 'warn', 'unset']],
    ['attributes["retries"] >= 3', ['warn']],
    ['attributes["retries"] == "3"', []],
    ['log.attributes["component"] == "billing" and log.body != nil', ['info', 'warn']],
  ] as const)('drops records matching %s', async (condition, expected) => {
    expect(await dropped(condition)).toEqual(expected);
  });

  it('combines conditions with and, or, not and parentheses with OTTL precedence', async () => {
    // not binds tighter than and, and tighter than or.
    expect(await dropped('not severity_text == "DEBUG" and attributes["component"] == "auth"')).toEqual(['error']);
    expect(
      await dropped('severity_text == "DEBUG" or severity_text == "WARN" and attributes["component"] == "auth"'),
    ).toEqual(['debug']);
    expect(
      await dropped('(severity_text == "DEBUG" or severity_text == "WARN") and attributes["component"] == "billing"'),
    ).toEqual(['warn']);
    expect(await dropped('not (attributes["component"] == "auth" or attributes["component"] == "billing")')).toEqual([
      'unset',
    ]);
  });

  it('drops a record when any condition in the list matches, and counts what it dropped', async () => {
    const telemetry = new Telemetry();
    const kept = await keptNames(
      { logs: { log_record: ['severity_number < SEVERITY_NUMBER_INFO', 'IsMatch(body, "health")'] } },
      telemetry,
    );
    // The record without a severity has severity_number 0 (SEVERITY_NUMBER_UNSPECIFIED), below INFO.
    expect(kept).toEqual(['warn', 'error']);
    expect(telemetry.value(M.processorFiltered, { processor: 'filter' })).toBe(3);
  });

  it('forwards nothing when every record is dropped, and passes everything with an empty config', async () => {
    expect(await keptNames({ logs: { log_record: ['true'] } })).toEqual([]);
    expect(await keptNames({})).toEqual(['debug', 'info', 'warn', 'error', 'unset']);
    expect(await keptNames(null)).toEqual(['debug', 'info', 'warn', 'error', 'unset']);
  });

  it("applies logs.resource conditions to each record's resource", async () => {
    expect(await keptNames({ logs: { resource: ['attributes["service.name"] == "api"'] } })).toEqual(['warn']);
  });

  it('accepts context-inferred log_conditions, flat or grouped by context', async () => {
    expect(
      await keptNames({
        error_mode: 'ignore',
        log_conditions: ['log.severity_text == "ERROR"', 'resource.attributes["service.name"] == "worker"'],
      }),
    ).toEqual(['debug', 'info', 'unset']);
    expect(
      await keptNames({
        log_conditions: [{ context: 'resource', conditions: ['attributes["service.name"] == "api"'] }],
      }),
    ).toEqual(['warn']);
  });
});

describe('filter processor – legacy include/exclude', () => {
  it('keeps only records matching include', async () => {
    expect(
      await keptNames(`
logs:
  include:
    match_type: strict
    record_attributes: [{ key: component, value: billing }]
`),
    ).toEqual(['info', 'warn']);
  });

  it('drops records matching exclude, by regexp body or minimum severity', async () => {
    expect(
      await keptNames(`
logs:
  exclude:
    match_type: regexp
    bodies: ['^GET /health', 'retry$']
`),
    ).toEqual(['debug', 'error', 'unset']);
    expect(
      await keptNames(`
logs:
  include:
    match_type: strict
    severity_number: { min: WARN, match_undefined: true }
`),
    ).toEqual(['warn', 'error', 'unset']);
  });

  it("matches resource attributes with the Collector's capitalised Key/Value", async () => {
    expect(
      await keptNames(`
logs:
  exclude:
    match_type: regexp
    resource_attributes: [{ Key: service.name, Value: ^work }]
`),
    ).toEqual(['debug', 'info', 'error', 'unset']);
  });
});

describe('filter processor – config errors', () => {
  const at = (i: number) => `processors::filter::logs::log_record::${i}`;

  it('reports every unsupported condition at its YAML path, naming the problem', () => {
    const bad = [
      'Len(body) > 5',
      'attributes["a"] == "b" and',
      'attributes["a"] + 1 == 2',
      'span.name == "x"',
      'severity_number < SEVERITY_NUMBER_LOUD',
      'attributes["a"]',
      'IsMatch(body, attributes["p"])',
      'IsMatch(body, "([")',
      'attributes == "x"',
      'body == "unterminated',
      'severity_text == "A" "B"',
      'IsString(body)',
    ];
    const { cfg, issues } = parse({ logs: { log_record: ['severity_text == "OK"', ...bad] } });
    expect(cfg).toBeUndefined();
    expect(issues.map((i) => i.path.join('::'))).toEqual(bad.map((_, i) => at(i + 1)));
    const msg = (i: number) => issues[i]!.message;
    expect(msg(0)).toMatch(/unsupported function "Len"/);
    expect(msg(1)).toMatch(/ends where a value was expected/);
    expect(msg(2)).toMatch(/math expressions/);
    expect(msg(3)).toMatch(/unknown path "span.name"/);
    expect(msg(4)).toMatch(/unknown enum "SEVERITY_NUMBER_LOUD"/);
    expect(msg(5)).toMatch(/expected a comparison operator/);
    expect(msg(6)).toMatch(/pattern must be a string literal/);
    expect(msg(7)).toMatch(/invalid regular expression/);
    expect(msg(8)).toMatch(/must be indexed/);
    expect(msg(9)).toMatch(/unterminated string/);
    expect(msg(10)).toMatch(/unexpected "B"; expected "and", "or"/);
    expect(msg(11)).toMatch(/unsupported function "IsString"; supported: IsMatch/);
    expect(msg(0)).toMatch(/column 1/);
  });

  it('refuses body paths in the resource context, mixing styles and a bad error_mode', () => {
    expect(parse({ logs: { resource: ['body == "x"'] } }).issues.map((i) => i.path.join('::'))).toEqual([
      'processors::filter::logs::resource::0',
    ]);
    expect(
      parse({ logs: { log_record: ['true'], exclude: { match_type: 'strict', bodies: ['x'] } } }).issues.map((i) =>
        i.path.join('::'),
      ),
    ).toEqual(['processors::filter::logs']);
    const { issues } = parse({ error_mode: 'loud', traces: { span: ['true'] } });
    expect(issues.map((i) => i.path.join('::'))).toEqual(['processors::filter::error_mode']);
  });

  it('reports a bad legacy regexp and severity with their paths', () => {
    const { issues } = parse({
      logs: { include: { match_type: 'regexp', bodies: ['ok', '(['], severity_number: { min: 'LOUD' } } },
    });
    expect(issues.map((i) => i.path.join('::')).sort()).toEqual([
      'processors::filter::logs::include::severity_number::min',
    ]);
    const second = parse({ logs: { include: { match_type: 'regexp', bodies: ['ok', '(['] } } });
    expect(second.issues.map((i) => i.path.join('::'))).toEqual(['processors::filter::logs::include::bodies::1']);
  });
});
