import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../src/component/errors.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { M, Telemetry } from '../../../src/telemetry/metrics.js';
import { redactionProcessorFactory } from '../../../processors/redaction/factory.js';
import { createRedactionProcessor } from '../../../processors/redaction/redaction-processor.js';
import { config } from './helpers.js';

const SECRETS = {
  email: 'grace.hopper@example.com',
  card: '4111 1111 1111 1111',
  cardNumber: 5555555555554444,
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
  bearer: 'tok_9f8e7d6c5b4a39281706',
  openai: 'sk-proj-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2',
  aws: 'AKIAZ7EXAMPLEKEY1234',
  password: 'correct-horse-battery-staple',
  prompt: 'Please summarise my medical history',
  completion: 'You were diagnosed with',
  ownerEmail: 'ops-team@example.org',
  dbPassword: 'db-pass-31415',
};

class Sink {
  batches: ReadableLogRecord[][] = [];
  consume(records: ReadableLogRecord[]): Promise<void> {
    this.batches.push(records);
    return Promise.resolve();
  }
}

function collectorRecord(resource = resourceFromAttributes({ 'service.name': 'api' })): LogRecordData {
  const r = new LogRecordData(resource, { name: 'test' });
  r.attributes = {
    'event.name': 'request',
    model: 'gpt-4o',
    duration_ms: 12,
    'user.email': SECRETS.email,
    'http.request.header.authorization': `Bearer ${SECRETS.bearer}`,
    prompt: SECRETS.prompt,
  };
  r.body = `charged card ${SECRETS.card}`;
  return r;
}

describe('redaction processor – collector pipeline', () => {
  function make(options = {}) {
    const telemetry = new Telemetry();
    const sink = new Sink();
    const p = redactionProcessorFactory.create(
      { id: 'redaction/x', logger: silentLogger, telemetry },
      config(options),
      sink,
    );
    return { p, sink, telemetry };
  }

  it('redacts record attributes and bodies, then passes the same batch on', async () => {
    const { p, sink, telemetry } = make();
    const records = [collectorRecord(), collectorRecord()];
    await p.consume(records);
    expect(sink.batches).toEqual([records]);
    for (const r of records) {
      expect(r.attributes).toEqual({
        'event.name': 'request',
        model: 'gpt-4o',
        duration_ms: 12,
        'user.email': '****',
        'http.request.header.authorization': '****',
      });
      expect(r.body).toBe('charged card ****');
    }
    // Per record: email and authorization masked, prompt removed, body masked.
    expect(telemetry.value(M.redacted, { processor: 'redaction/x' })).toBe(8);
  });

  it('redacts each distinct resource once and shares the result between its records', async () => {
    const { p, telemetry } = make();
    const shared = resourceFromAttributes({
      'service.name': 'api',
      'db.password': SECRETS.dbPassword,
      owner: SECRETS.ownerEmail,
    });
    const plain = resourceFromAttributes({ 'service.name': 'worker' });
    const records = [collectorRecord(shared), collectorRecord(shared), collectorRecord(plain)];
    records.forEach((r) => {
      r.attributes = {};
      r.body = undefined;
    });
    await p.consume(records);
    expect(records[0]!.resource).not.toBe(shared);
    expect(records[0]!.resource).toBe(records[1]!.resource);
    expect(records[0]!.resource.attributes).toEqual({ 'service.name': 'api', 'db.password': '****', owner: '****' });
    expect(shared.attributes['db.password']).toBe(SECRETS.dbPassword); // the original is not modified
    expect(records[2]!.resource).toBe(plain); // nothing to redact: same object
    await p.consume([collectorRecord(shared)]);
    expect(telemetry.value(M.redacted, { processor: 'redaction/x' })).toBe(2 + 4); // the resource once, plus the last record's four
  });

  it('redacts resource attributes that were still resolving, once they resolve', async () => {
    const { p } = make();
    const pending = resourceFromAttributes({
      'service.name': 'api',
      'host.owner': Promise.resolve(SECRETS.ownerEmail),
      'cloud.api_key': Promise.resolve('k'),
    });
    expect(pending.asyncAttributesPending).toBe(true);
    const r = collectorRecord(pending);
    await p.consume([r]);
    await r.resource.waitForAsyncAttributes?.();
    expect(r.resource.attributes).toEqual({ 'service.name': 'api', 'host.owner': '****', 'cloud.api_key': '****' });
  });

  it('refuses the whole batch permanently when a value cannot be read', async () => {
    const { p, sink, telemetry } = make();
    const r = collectorRecord();
    r.body = {
      get boom(): string {
        throw new Error('getter failed');
      },
    } as never;
    await expect(p.consume([r])).rejects.toBeInstanceOf(PermanentError);
    expect(sink.batches).toHaveLength(0);
    expect(telemetry.value(M.processorDropped, { processor: 'redaction/x' })).toBe(1);
  });

  it('starts and shuts down (twice) without work', async () => {
    const { p } = make();
    await p.shutdown();
    await p.shutdown();
  });
});

describe('redaction processor – in-process SDK', () => {
  function provider(options = {}) {
    const exporter = new InMemoryLogRecordExporter();
    const lp = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop', 'deployment.owner_email': SECRETS.ownerEmail }),
      processors: [createRedactionProcessor(options), new SimpleLogRecordProcessor({ exporter })],
    });
    return { lp, exporter, logger: lp.getLogger('test') };
  }

  it('leaves no planted secret anywhere in the exported records', async () => {
    const { lp, exporter, logger } = provider({ summary: 'debug' });
    const appBody = {
      message: `Payment by ${SECRETS.email}`,
      request: {
        headers: { Authorization: `Bearer ${SECRETS.bearer}` },
        messages: [{ role: 'user', content: SECRETS.prompt }],
      },
      cards: [[{ number: SECRETS.cardNumber }]],
    };
    logger.emit({
      body: appBody,
      attributes: {
        'session.id': 'sess-1',
        model: 'gpt-4o',
        'user.password': SECRETS.password,
        'gen_ai.prompt': SECRETS.prompt,
        'gen_ai.completion': SECRETS.completion,
        note: `keys ${SECRETS.openai} and ${SECRETS.aws}`,
        auth: `jwt=${SECRETS.jwt}`,
        tags: ['vip', SECRETS.email],
      },
    });
    logger.emit({ body: `card ${SECRETS.card} token ${SECRETS.jwt}`, attributes: { pan: SECRETS.cardNumber } });
    await lp.forceFlush();

    const records = exporter.getFinishedLogRecords();
    expect(records).toHaveLength(2);
    const json = JSON.stringify(records);
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(json.includes(String(secret)), name).toBe(false);
    }
    expect(records[0]!.attributes).toMatchObject({ 'session.id': 'sess-1', model: 'gpt-4o', 'user.password': '****' });
    expect(records[0]!.attributes['redaction.redacted.keys']).toBe('gen_ai.completion,gen_ai.prompt');
    expect(records[0]!.body).toEqual({
      message: 'Payment by ****',
      request: { headers: { Authorization: '****' } },
      cards: [[{ number: '****' }]],
    });
    expect(records[0]!.resource.attributes).toEqual({
      'service.name': 'shop',
      'deployment.owner_email': '****',
      'redaction.masked.keys': 'deployment.owner_email',
      'redaction.masked.count': 1,
    });
    expect(records[1]!.resource).toBe(records[0]!.resource);
    // The application's own object is not modified.
    expect(appBody.message).toBe(`Payment by ${SECRETS.email}`);
    await lp.shutdown();
  });

  it('hashes with HMAC in process so equal values still join', async () => {
    const { lp, exporter, logger } = provider({ hash_function: 'hmac_sha256', hash_key: 'q'.repeat(40) });
    logger.emit({ attributes: { 'user.email': SECRETS.email } });
    logger.emit({ body: `login ${SECRETS.email}` });
    await lp.forceFlush();
    const [a, b] = exporter.getFinishedLogRecords();
    const h = a!.attributes['user.email'] as string;
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(b!.body).toBe(`login ${h}`);
    await lp.shutdown();
  });

  it('never throws into the application and drops what it could not redact', async () => {
    const { lp, exporter, logger } = provider();
    expect(() =>
      logger.emit({
        body: {
          get boom(): string {
            throw new Error('getter failed');
          },
        } as never,
        attributes: { password: 'x', 'user.email': SECRETS.email },
      }),
    ).not.toThrow();
    await lp.forceFlush();
    const [r] = exporter.getFinishedLogRecords();
    expect(r!.attributes).toEqual({});
    expect(r!.body).toBe('[redaction failed]');
    expect(JSON.stringify(r)).not.toContain(SECRETS.ownerEmail);
    await lp.shutdown();
  });

  it('refuses invalid options when constructed', () => {
    expect(() => createRedactionProcessor({ blocked_values: ['(x'] })).toThrow(/blocked_values::0/);
  });
});
