// The redaction processor's url_sanitizer and db_sanitizer (the Collector's
// options, issue #15) on real-looking values, through the collector processor
// built from YAML.
import type { AnyValue } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIssue, takeWarnings, type ConfigIssue } from '../../../src/config/schema.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { M, Telemetry } from '../../../src/telemetry/metrics.js';
import { redactionProcessorFactory } from '../../../processors/redaction/factory.js';
import { GrowthRunner, expectLinear } from '../../matching/linear.js';
import { fileURLToPath } from 'node:url';

type Attrs = Record<string, AnyValue>;

async function run(
  yaml: string,
  attributes: Attrs,
  body?: AnyValue,
  telemetry = new Telemetry(),
): Promise<ReadableLogRecord> {
  const issues: ConfigIssue[] = [];
  const cfg = redactionProcessorFactory.config.parse(parseYaml(yaml), ['processors', 'redaction'], issues);
  if (!cfg) throw new Error(issues.map(formatIssue).join('\n'));
  const out: ReadableLogRecord[] = [];
  const p = redactionProcessorFactory.create({ id: 'redaction', logger: silentLogger, telemetry }, cfg, {
    consume: async (r) => {
      out.push(...r);
    },
  });
  const r = new LogRecordData(resourceFromAttributes({ 'service.name': 'shop' }), { name: 'app' });
  r.attributes = attributes;
  r.body = body;
  await p.consume([r]);
  return out[0]!;
}

const URLS = `
url_sanitizer:
  enabled: true
  attributes: [url.full, http.target, http.url]
ignored_keys: [http.url]
`;

describe('redaction – url_sanitizer', () => {
  it('replaces ids, UUIDs, dates and tokens in the listed attributes; drops queries and credentials', async () => {
    const r = await run(URLS, {
      'url.full':
        'https://deploy:s3cret@shop.example.com/api/v2/customers/8f14e45f-ceea-467f-a0e1-7a3c2b1d9e55' +
        '/orders/20241203-0042?coupon=WINTER&sig=abc#items',
      'http.target': '/oauth2/authorize/reset/eyJhbGciOiJIUzI1NiJ9xQ7pL2vN/users/1234567',
      'http.route': '/api/v2/customers/{id}',
      'url.path': '/api/users/42',
      'http.url': '/kept/as/is/42',
    });
    expect(r.attributes).toEqual({
      'url.full': 'https://*@shop.example.com/api/v2/customers/*/orders/*',
      'http.target': '/oauth2/authorize/reset/*/users/*',
      'http.route': '/api/v2/customers/{id}',
      'url.path': '/api/users/42',
      'http.url': '/kept/as/is/42',
    });
  });

  it('does nothing when disabled or without attributes', async () => {
    const attrs = { 'url.full': '/api/users/12345' };
    expect((await run('url_sanitizer: { enabled: false, attributes: [url.full] }', { ...attrs })).attributes).toEqual(
      attrs,
    );
    expect((await run('url_sanitizer: { enabled: true }', { ...attrs })).attributes).toEqual(attrs);
  });
});

const DB = `
db_sanitizer:
  sql:
    enabled: true
    attributes: [db.statement, db.query.text]
  redis:
    enabled: true
    attributes: [db.statement, redis.command]
  memcached:
    enabled: true
    attributes: [memcached.command]
  mongo:
    enabled: true
    attributes: [db.statement, mongodb.query]
`;

describe('redaction – db_sanitizer', () => {
  it('SQL: literals become ?, comments go, IN lists collapse; identifiers and bind parameters stay', async () => {
    const r = await run(DB, {
      'db.system.name': 'postgresql',
      'db.query.text':
        "SELECT o.id, o.total FROM orders o WHERE o.customer_email = 'dana@example.org' AND o.total > 250.00 " +
        "AND o.status IN ('paid', 'shipped') AND o.created_at > $1 /* report for dana */ LIMIT 50",
      'db.statement':
        "UPDATE accounts SET balance = balance - 100 WHERE iban = 'DE89 3704 0044 0532 0130 00' -- manual fix",
    });
    expect(r.attributes['db.query.text']).toBe(
      'SELECT o.id, o.total FROM orders o WHERE o.customer_email = ? AND o.total > ? ' +
        'AND o.status IN (?) AND o.created_at > $1   LIMIT ?',
    );
    expect(r.attributes['db.statement']).toBe('UPDATE accounts SET balance = balance - ? WHERE iban = ?');
  });

  it("picks the sanitizer for the record's db.system: Redis arguments and Mongo values go", async () => {
    const redis = await run(DB, {
      'db.system': 'redis',
      'db.statement': 'HSET session:7f3a9c user_id 81723 email eve@example.net',
    });
    expect(redis.attributes['db.statement']).toBe('HSET ?');
    const mongo = await run(DB, {
      'db.system.name': 'mongodb',
      'db.statement': '{"find":"users","filter":{"email":"eve@example.net","age":{"$gte":21}},"limit":5}',
    });
    expect(mongo.attributes['db.statement']).toBe('{"find":"?","filter":{"email":"?","age":{"$gte":"?"}},"limit":"?"}');
  });

  it('without db.system, each kind listing the key applies in turn; other keys are untouched', async () => {
    const r = await run(DB, {
      'redis.command': 'AUTH hunter2-prod',
      'memcached.command': 'set user:42 0 3600 11\r\n{"id":42}',
      'mongodb.query': 'db.users.find({email: \'eve@example.net\', _id: ObjectId("507f1f77bcf86cd799439011")})',
      'db.operation.name': 'SELECT 1',
    });
    expect(r.attributes).toEqual({
      'redis.command': 'AUTH ?',
      'memcached.command': 'set user:42 0 3600 11',
      'mongodb.query': 'db.users.find({email: "?", _id: ObjectId("?")})',
      'db.operation.name': 'SELECT 1',
    });
  });

  it('a kind configured without attributes sanitizes string values in the body, and counts as redaction', async () => {
    const telemetry = new Telemetry();
    const body = { query: 'SELECT * FROM users WHERE id = 42', rows: 1, nested: ["DELETE FROM t WHERE k = 'x'"] };
    const r = await run('db_sanitizer: { sql: { enabled: true } }', { 'db.statement': 'SELECT 2' }, body, telemetry);
    expect(r.body).toEqual({
      query: 'SELECT * FROM users WHERE id = ?',
      rows: 1,
      nested: ['DELETE FROM t WHERE k = ?'],
    });
    expect(body.query).toBe('SELECT * FROM users WHERE id = 42'); // the original object is not modified
    expect(r.attributes['db.statement']).toBe('SELECT 2');
    expect(telemetry.value(M.redacted, { processor: 'redaction' })).toBe(2);
  });

  it("loads the Collector's full example; sanitize_span_name is ignored with a warning", () => {
    const issues: ConfigIssue[] = [];
    const cfg = redactionProcessorFactory.config.parse(
      parseYaml(`
db_sanitizer:
  sanitize_span_name: true
  sql: { enabled: true, attributes: ["db.statement", "db.query"] }
  redis: { enabled: true, attributes: ["db.statement", "redis.command"] }
  valkey: { enabled: true, attributes: ["valkey.command"] }
  memcached: { enabled: true, attributes: ["db.statement", "memcached.command"] }
  mongo: { enabled: true, attributes: ["db.statement", "mongodb.query"] }
  opensearch: { enabled: true, attributes: ["db.statement", "opensearch.body"] }
  es: { enabled: true, attributes: ["db.statement", "elasticsearch.body"] }
`),
      ['processors', 'redaction'],
      issues,
    );
    expect(issues).toEqual([]);
    expect(cfg).toBeDefined();
    expect(takeWarnings(issues).map(formatIssue)).toEqual([
      'processors::redaction::db_sanitizer::sanitize_span_name: ignored (Auditline collects logs only)',
    ]);
  });
});

const SUBJECTS = fileURLToPath(new URL('./subjects.ts', import.meta.url));
const runner = new GrowthRunner();
afterAll(() => runner.close());

describe('redaction – sanitizers take time linear in the value', () => {
  for (const unit of ["'", '((', '(?, ', '$$', '$a', '-- x\n', '/*', '-1,', 'a1/', '{"a":', ' : ', 'SET a\n', '"\\']) {
    it(`${JSON.stringify(unit)} repeated to 1 MiB`, async () => {
      await expectLinear(
        runner,
        `sanitize ${JSON.stringify(unit)}`,
        { module: SUBJECTS, export: 'sanitizeLog' },
        { unit },
      );
    }, 120_000);
  }
});
