import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Host, LogsConsumer } from '../../../src/component/types.js';
import { formatIssue, takeWarnings, type ConfigIssue } from '../../../src/config/schema.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { attributesProcessorFactory } from '../../../processors/attributes/factory.js';

class Sink implements LogsConsumer {
  received: ReadableLogRecord[] = [];
  async consume(r: ReadableLogRecord[]): Promise<void> {
    for (const x of r) this.received.push(x);
  }
}
const host: Host = {
  getExtension: () => undefined,
  findExtension: () => undefined,
  tap: new RecordTap(),
  logger: silentLogger,
  telemetry: new Telemetry(),
};

function record(
  attributes: LogAttributes,
  opts: {
    body?: AnyValue;
    severityText?: string;
    severityNumber?: number;
    resource?: LogAttributes;
    scope?: string;
  } = {},
): LogRecordData {
  const r = new LogRecordData(resourceFromAttributes(opts.resource ?? {}), { name: opts.scope ?? 'app' });
  r.attributes = attributes;
  r.body = opts.body;
  r.severityText = opts.severityText;
  r.severityNumber = opts.severityNumber;
  return r;
}

function parse(yaml: string): { cfg?: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const cfg = attributesProcessorFactory.config.parse(parseYaml(yaml), ['processors', 'attributes'], issues);
  return { cfg, issues };
}

async function run(yaml: string, records: LogRecordData[]): Promise<LogAttributes[]> {
  const { cfg, issues } = parse(yaml);
  if (!cfg) throw new Error(issues.map((i) => `${i.path.join('::')}: ${i.message}`).join('\n'));
  const sink = new Sink();
  const p = attributesProcessorFactory.create(
    { id: 'attributes', logger: silentLogger, telemetry: new Telemetry() },
    cfg,
    sink,
  );
  await p.start(host);
  await p.consume(records);
  await p.shutdown();
  return sink.received.map((r) => r.attributes);
}

const paths = (issues: ConfigIssue[]) => issues.map((i) => i.path.join('::'));

describe('attributes processor – actions', () => {
  it('applies insert, update, upsert, copies with from_attribute and falls back to default_value, in order', async () => {
    const [a, b] = await run(
      `
actions:
  - { key: env, value: prod, action: insert }
  - { key: region, value: eu, action: insert }
  - { key: tier, value: gold, action: update }
  - { key: status, value: 200, action: update }
  - { key: redacted, value: true, action: upsert }
  - { key: copy, from_attribute: region, action: upsert }
  - { key: zone, from_attribute: cloud.zone, default_value: zone-a, action: insert }
`,
      [record({ env: 'dev', status: 'ok' }), record({ 'cloud.zone': 'z9' })],
    );
    expect(a).toEqual({ env: 'dev', status: 200, region: 'eu', redacted: true, copy: 'eu', zone: 'zone-a' });
    expect(b).toEqual({ 'cloud.zone': 'z9', env: 'prod', region: 'eu', redacted: true, copy: 'eu', zone: 'z9' });
  });

  it('deletes by key and by key pattern', async () => {
    const [a] = await run(
      `
actions:
  - { key: password, action: delete }
  - { pattern: ^secret\\., action: delete }
`,
      [record({ password: 'p', 'secret.a': 1, 'secret.b': 2, keep: 'yes', 'not.secret.c': 3 })],
    );
    expect(a).toEqual({ keep: 'yes', 'not.secret.c': 3 });
  });

  it('hashes with SHA-256 exactly as the Collector does for strings, ints, doubles and booleans', async () => {
    const [a] = await run(
      `
actions:
  - { key: email, action: hash }
  - { key: account_id, action: hash }
  - { pattern: ^ratio$|^flag$, action: hash }
  - { key: nested, action: hash }
`,
      [
        record({
          email: 'user@example.com',
          account_id: 2245,
          ratio: 1.5,
          flag: true,
          nested: { a: 'secret' },
          other: 'x',
        }),
      ],
    );
    expect(a).toEqual({
      // Reference digests computed with Python's hashlib over the Collector's byte encodings.
      email: 'b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514',
      account_id: '91df0e58e24451873e480a434ac913ec45d00603e21470511a89c1e850e58c87',
      ratio: 'e163f8cb0f7067a7fc78ca859a77f849aea3214f38fb75b884e4a16be725c905',
      flag: '4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a',
      nested: '',
      other: 'x',
    });
  });

  it('extracts named groups, including Go-style (?P<name>) groups, leaving the source unchanged', async () => {
    const [a, b] = await run(
      `
actions:
  - key: http.url
    pattern: ^(?P<http_protocol>.*):\\/\\/(?P<http_domain>[^/]*)(?P<http_path>\\/.*)?$
    action: extract
`,
      [record({ 'http.url': 'https://example.com/a/b' }), record({ 'http.url': 42 })],
    );
    expect(a).toEqual({
      'http.url': 'https://example.com/a/b',
      http_protocol: 'https',
      http_domain: 'example.com',
      http_path: '/a/b',
    });
    expect(b).toEqual({ 'http.url': 42 });
  });

  it('converts to int, double and string, leaving unconvertible values unchanged', async () => {
    const [a] = await run(
      `
actions:
  - { key: code, action: convert, converted_type: int }
  - { key: ratio, action: convert, converted_type: int }
  - { key: bad, action: convert, converted_type: int }
  - { key: price, action: convert, converted_type: double }
  - { key: n, action: convert, converted_type: string }
  - { key: missing, action: convert, converted_type: string }
`,
      [record({ code: '404', ratio: 2.9, bad: 'abc', price: '12.5', n: 7 })],
    );
    expect(a).toEqual({ code: 404, ratio: 2, bad: 'abc', price: 12.5, n: '7' });
  });

  it('accepts upper-case action names as the Collector does', async () => {
    const [a] = await run('actions: [{ key: k, value: v, action: INSERT }]', [record({})]);
    expect(a).toEqual({ k: 'v' });
  });
});

describe('attributes processor – include/exclude', () => {
  const actions = 'actions: [{ key: touched, value: true, action: upsert }]';
  const touched = (attrs: LogAttributes[]) => attrs.map((a) => a.touched === true);

  it('applies actions only to records whose attributes match strictly', async () => {
    const out = await run(
      `${actions}
include:
  match_type: strict
  attributes: [{ key: component, value: billing }, { key: user.id }]
`,
      [
        record({ component: 'billing', 'user.id': 'u1' }),
        record({ component: 'billing' }),
        record({ component: 'auth', 'user.id': 'u1' }),
      ],
    );
    expect(touched(out)).toEqual([true, false, false]);
  });

  it('matches bodies and severity texts by regexp and severity numbers by minimum', async () => {
    const out = await run(
      `${actions}
include:
  match_type: regexp
  log_bodies: ['^payment (failed|declined)']
  log_severity_texts: ['^(ERROR|WARN)$']
  log_severity_number: { min: WARN, match_undefined: false }
`,
      [
        record({}, { body: 'payment failed for order 7', severityText: 'ERROR', severityNumber: 17 }),
        record({}, { body: 'payment failed for order 8', severityText: 'INFO', severityNumber: 9 }),
        record({}, { body: 'a payment failed', severityText: 'ERROR', severityNumber: 17 }),
        record({}, { body: 'payment declined', severityText: 'WARN' }),
      ],
    );
    expect(touched(out)).toEqual([true, false, false, false]);
  });

  it('checks include before exclude and matches resources and libraries', async () => {
    const out = await run(
      `${actions}
include:
  match_type: strict
  resources: [{ Key: service.name, Value: checkout }]
exclude:
  match_type: regexp
  libraries: [{ name: ^health }]
`,
      [
        record({}, { resource: { 'service.name': 'checkout' }, scope: 'orders' }),
        record({}, { resource: { 'service.name': 'checkout' }, scope: 'healthcheck' }),
        record({}, { resource: { 'service.name': 'auth' }, scope: 'orders' }),
      ],
    );
    expect(touched(out)).toEqual([true, false, false]);
  });
});

describe('attributes processor – config errors', () => {
  it('requires a non-empty actions list', () => {
    expect(paths(parse('{}').issues)).toEqual(['processors::attributes::actions']);
    expect(paths(parse('actions: []').issues)).toEqual(['processors::attributes::actions']);
  });

  it('names each invalid action key with its path', () => {
    const { issues } = parse(`
actions:
  - { key: a, action: rename }
  - { action: insert, value: 1 }
  - { key: c, action: insert }
  - { key: d, action: extract, pattern: '^(.*)$' }
  - { key: e, action: delete, pattern: '([' }
  - { key: f, action: upsert, from_attribute: x, from_context: metadata.tenant }
  - { key: g, action: convert }
  - { key: h, action: insert, value: 1, from_attribute: x }
`);
    expect(paths(issues).sort()).toEqual([
      'processors::attributes::actions::0::action',
      'processors::attributes::actions::1::key',
      'processors::attributes::actions::2',
      'processors::attributes::actions::3::pattern',
      'processors::attributes::actions::4::pattern',
      'processors::attributes::actions::5',
      'processors::attributes::actions::6::converted_type',
      'processors::attributes::actions::7',
    ]);
    expect(issues.find((i) => i.path[3] === 5)!.message).toMatch(/set only one of value, from_attribute, from_context/);
    expect(issues.find((i) => i.path[3] === 3)!.message).toMatch(/named group/);
  });

  it('refuses span and metric match keys, a missing match_type and empty match blocks', () => {
    const { issues } = parse(`
actions: [{ key: a, action: delete }]
include: { match_type: strict, span_names: [x] }
exclude: { attributes: [{ key: k }] }
`);
    expect(paths(issues).sort()).toEqual([
      'processors::attributes::exclude::match_type',
      'processors::attributes::include',
      'processors::attributes::include::span_names',
    ]);
    expect(issues.find((i) => i.path.at(-1) === 'span_names')!.message).toMatch(/applies to spans, not logs/);
  });

  it('reports an invalid regexp inside a match list with its index', () => {
    const { issues } = parse(`
actions: [{ key: a, action: delete }]
include: { match_type: regexp, log_bodies: [ok, '(unclosed'] }
`);
    expect(paths(issues)).toEqual(['processors::attributes::include::log_bodies::1']);
  });
});

describe('attributes processor – from_context (issue #15)', () => {
  it('loads with a warning and acts as the Collector does when the context key is missing', async () => {
    const issues: ConfigIssue[] = [];
    const cfg = attributesProcessorFactory.config.parse(
      parseYaml(`
actions:
  - { key: tenant_id, from_context: metadata.tenant, default_value: default-tenant, action: upsert }
  - { key: client, from_context: client.address, action: insert }
`),
      ['processors', 'attributes'],
      issues,
    );
    expect(issues).toEqual([]);
    expect(takeWarnings(issues).map(formatIssue)).toEqual([
      'processors::attributes::actions::0::from_context: ignored (records carry no request metadata, auth or client address here); ' +
        'the action sets default_value',
      'processors::attributes::actions::1::from_context: ignored (records carry no request metadata, auth or client address here); ' +
        'the action does nothing',
    ]);
    const out: ReadableLogRecord[] = [];
    const p = attributesProcessorFactory.create(
      { id: 'attributes', logger: silentLogger, telemetry: new Telemetry() },
      cfg!,
      {
        consume: async (r) => {
          out.push(...r);
        },
      },
    );
    const r = new LogRecordData(resourceFromAttributes({}), { name: 'app' });
    r.attributes = { tenant_id: 'acme' };
    await p.consume([r]);
    expect(out[0]!.attributes).toEqual({ tenant_id: 'default-tenant' });
  });
});
