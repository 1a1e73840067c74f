// Issue #12: the privacy profile v2, behaviour by behaviour (the corpus in
// ./corpus/ measures it at scale; these pin the rules down). The tests that
// expect a mask fail on 2021a52, the commit before the v2 detectors; the
// look-alike ones guard the new rules against reaching too far.
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { LogRecordData } from '../../../src/model/log-record.js';
import type { LogScope } from '../../../src/otlp/types.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { redactionProcessorFactory } from '../../../processors/redaction/factory.js';
import { createRedactionProcessor } from '../../../processors/redaction/redaction-processor.js';
import { config, configIssues, redactor, redactText } from './helpers.js';

const PII = { profiles: ['secrets', 'pii'] } as const;
const pii = (s: string) => redactor(PII).redactValue(s);

class Sink {
  batches: ReadableLogRecord[][] = [];
  consume(records: ReadableLogRecord[]): Promise<void> {
    this.batches.push(records);
    return Promise.resolve();
  }
}

describe('redaction v2 – places', () => {
  it('masks scope attributes and the event name in the collector pipeline, keeping an unchanged scope object', async () => {
    const p = redactionProcessorFactory.create(
      { id: 'redaction/v2', logger: silentLogger, telemetry: new Telemetry() },
      config({}),
      new Sink(),
    );
    const dirty: LogScope = { name: 'lib', attributes: { owner: 'ops@example.com', 'db.password': 'pw-123456' } };
    const clean: LogScope = { name: 'lib', attributes: { team: 'payments' } };
    const a = new LogRecordData(resourceFromAttributes({}), dirty);
    a.eventName = 'signup:mara@example.net';
    const b = new LogRecordData(resourceFromAttributes({}), clean);
    b.eventName = 'user.password.changed';
    await p.consume([a, b]);
    expect((a.instrumentationScope as LogScope).attributes).toEqual({ owner: '****', 'db.password': '****' });
    expect(dirty.attributes).toEqual({ owner: 'ops@example.com', 'db.password': 'pw-123456' }); // the shared scope is not edited
    expect(a.eventName).toBe('signup:****');
    expect(b.instrumentationScope).toBe(clean);
    expect(b.eventName).toBe('user.password.changed');
  });

  it('masks the event name in the SDK processor', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const lp = new LoggerProvider({
      processors: [createRedactionProcessor(), new SimpleLogRecordProcessor({ exporter })],
    });
    lp.getLogger('t').emit({ eventName: 'refund:4111111111111111', body: 'ok' });
    await lp.forceFlush();
    expect(exporter.getFinishedLogRecords()[0]!.eventName).toBe('refund:****');
  });

  it('scans bytes as text and writes them back as bytes; leaves clean bytes as the same object', () => {
    const attrs: Record<string, any> = {
      raw: new TextEncoder().encode('password=Hunter2-Blue!x to db'),
      bin: new Uint8Array([0, 255, 1, 2, 3, 4, 5]),
    };
    const bin = attrs.bin;
    redactor().redactAttributes(attrs);
    expect(attrs.raw).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(attrs.raw).toString()).toBe('password=**** to db');
    expect(attrs.bin).toBe(bin);
  });

  it('masks secrets in map keys at any depth, keeping the structure and the order', () => {
    const body = { users: { 'ann@example.com': { plan: 'pro' }, 'bob@example.org': { plan: 'free' }, total: 2 } };
    expect(redactor().redactValue(body)).toEqual({
      users: { '****': { plan: 'pro' }, '****#2': { plan: 'free' }, total: 2 },
    });
    const attrs: Record<string, any> = { a: 1, 'x@example.com': 2, z: 3 };
    redactor().redactAttributes(attrs);
    expect(Object.entries(attrs)).toEqual([
      ['a', 1],
      ['****', 2],
      ['z', 3],
    ]);
  });
});

describe('redaction v2 – URL credentials and over-redaction', () => {
  it('masks only the password of a URL, whatever it holds', () => {
    expect(redactText('postgres://app:Pa55#word!x@db.internal:5432/orders?sslmode=require')).toBe(
      'postgres://app:****@db.internal:5432/orders?sslmode=require',
    );
    expect(redactText('redis://:R3dis!only-pass@cache:6379/0')).toBe('redis://:****@cache:6379/0');
    expect(redactText('https://user:p%40ss@api.example.com/v2')).toBe('https://user:****@api.example.com/v2');
  });

  it('leaves paths under PWD, dates under password_*_at keys, token counts and retina file names', () => {
    for (const s of [
      'PWD=/srv/app',
      'password_changed_at=2024-05-01T10:00:00Z',
      '/static/icon@2x.png',
      'TOKEN_TTL_SECONDS=3600',
    ]) {
      expect(redactText(s)).toBe(s);
    }
    const attrs: Record<string, any> = {
      PWD: '/srv/app',
      password_changed_at: '2024-05-01T10:00:00Z',
      'llm.token_count.prompt': 123,
      'auth.method': 'password',
    };
    redactor().redactAttributes(attrs);
    expect(attrs).toEqual({
      PWD: '/srv/app',
      password_changed_at: '2024-05-01T10:00:00Z',
      'llm.token_count.prompt': 123,
      'auth.method': 'password',
    });
  });
});

describe('redaction v2 – key names and serialised forms', () => {
  it('masks keys with version or copy suffixes and short names', () => {
    const attrs: Record<string, any> = {
      password1: 'a',
      api_key_2: 'b',
      access_token_old: 'c',
      pass: 'd',
      'x-auth': 'e',
      'db.password.value': 'f',
      apiKey2: 'g',
    };
    redactor().redactAttributes(attrs);
    expect(Object.values(attrs)).toEqual(['****', '****', '****', '****', '****', '****', '****']);
  });

  it.each([
    ['escaped JSON', '{"p":"{\\"password\\":\\"Xk9#mq2!Lp\\"}"}', '{"p":"{\\"password\\":\\"****\\"}"}'],
    ['Ruby', '{"password"=>"s3cr3t-R0tate!", "host"=>"db1"}', '{"password"=>"****", "host"=>"db1"}'],
    ['PHP print_r', '[password] => hunter2-Pa55\n[remember] => 1', '[password] => ****\n[remember] => 1'],
    ['PHP var_dump', '["db_pass"]=>\n  string(13) "Maria!DB-2024"', '["db_pass"]=>\n  string(13) "****"'],
    ['XML', '<user><password>Qw3rty!9x</password></user>', '<user><password>****</password></user>'],
    ['XML appSettings', '<add key="DbPassword" value="Sql!Serv3r#22" />', '<add key="DbPassword" value="****" />'],
    ['SQL', "CREATE USER 'app'@'%' IDENTIFIED BY 'N0t-S0-Secret!';", "CREATE USER 'app'@'%' IDENTIFIED BY '****';"],
    [
      'SQL PASSWORD()',
      "SET PASSWORD FOR 'bob'@'localhost' = PASSWORD('B0b$ecret-x');",
      "SET PASSWORD FOR 'bob'@'localhost' = PASSWORD('****');",
    ],
    ['mysqldump -p', 'mysqldump -u root -pS3cretR00t shop', 'mysqldump -u root -p**** shop'],
    [
      'env dump',
      'HOME=/home/app\nSMTP_PASS=Smtp!Relay-88\nAPP_KEY=base64:abc=',
      'HOME=/home/app\nSMTP_PASS=****\nAPP_KEY=****',
    ],
    ['CLI flag', 'deploy --api-key 7fQ2mZ8xL4pN9vR1aB3c --region eu', 'deploy --api-key **** --region eu'],
    ['curl -u', 'curl -u admin:Cu!rl-Pass https://x.example.com', 'curl -u admin:**** https://x.example.com'],
  ])('masks the value in %s', (_, input, output) => {
    expect(redactText(input)).toBe(output);
  });

  it('leaves look-alikes of those forms', () => {
    for (const s of [
      'SELECT id, password_hash FROM users',
      'docker login --password-stdin registry.example.com',
      'useradd --disabled-password deploy',
      'Array\n(\n    [password_reset_count] => 3\n)',
    ]) {
      expect(redactText(s)).toBe(s);
    }
  });

  it('masks the value after a secret flag in an argument list', () => {
    expect(redactor().redactValue(['node', 'w.js', '--api-key', 'JtcU09cQjZN1e0f4', '--token-ttl', '3600'])).toEqual([
      'node',
      'w.js',
      '--api-key',
      '****',
      '--token-ttl',
      '3600',
    ]);
  });
});

describe('redaction v2 – headers, key shapes, cards, emails, content', () => {
  it('masks every cookie and any Authorization scheme, keeping header names and Set-Cookie attributes', () => {
    expect(redactText('Cookie: sid=QIg8IZqLauYd; csrftoken=6yoETrNH; _ga=GA1.2.178')).toBe(
      'Cookie: sid=****; csrftoken=****; _ga=****',
    );
    expect(redactText('Set-Cookie: s=CHEVTYff; Path=/; HttpOnly')).toBe('Set-Cookie: s=****; Path=/; HttpOnly');
    expect(redactText('Authorization: Digest username="ops", response="5eac53e7"\nHost: x')).toBe(
      'Authorization: ****\nHost: x',
    );
    expect(redactText("curl -H 'Authorization: Token 80167265bda2' https://api.example.com")).toBe(
      "curl -H 'Authorization: ****' https://api.example.com",
    );
  });

  it.each([
    [
      'Azure AccountKey',
      'AccountName=prod;AccountKey=PbWEIEDTs5zkmXs8==;EndpointSuffix=core.windows.net',
      'AccountName=prod;AccountKey=****;EndpointSuffix=core.windows.net',
    ],
    ['Azure SAS sig', '?sv=2022-11-02&sig=3jVZzMcFc74T%3D', '?sv=2022-11-02&sig=****'],
    [
      'Slack webhook',
      'https://hooks.slack.com/services/T0REZ72Q7H/B0B7AUS30NI/3jyYtAfHLcxB',
      'https://hooks.slack.com/services/****',
    ],
    [
      'Telegram',
      'https://api.telegram.org/bot2278924606:AATn0N0NHXUOUTyjt_RylnEnTdSuJwp09RD/sendMessage',
      'https://api.telegram.org/bot****/sendMessage',
    ],
    ['Twilio', 'key SKa6dd988aedf06134c51dfa731804d610 ok', 'key **** ok'],
    ['DigitalOcean', `t dop_v1_${'ab'.repeat(32)}`, 't ****'],
    ['PEM cut before END', 'key: -----BEGIN RSA PRIVATE KEY-----\nFsQynHaM0jT2BN2suDrga8HdmEbrXNwK', 'key: ****'],
  ])('masks %s', (_, input, output) => {
    expect(redactText(input)).toBe(output);
  });

  it('masks cards in the new formats and networks, and leaves decimals and hex ids', () => {
    expect(redactText('paid 4119\u00a07221\u00a09314\u00a04697')).toBe('paid ****');
    expect(redactText('pan 4026.9395.1862.4128')).toBe('pan ****');
    expect(redactText('card  6573  7860  9425  6052  on file')).toBe('card  ****  on file');
    expect(redactText('PAN4290025503034918 exp')).toBe('PAN**** exp');
    expect(redactText('Mir 2200 9658 5046 5566, troy 9792021037393401')).toBe('Mir ****, troy ****');
    for (const s of ['0.4111111111111111', 'id=a4111111111111111', 'build 2024.05.01.1530'])
      expect(redactText(s)).toBe(s);
  });

  it('masks URL-encoded and punycode emails', () => {
    expect(redactText('?email=alice.w%40example.com&list=weekly')).toBe('?email=****&list=weekly');
    expect(redactText('mailed to ivan@shop.xn--p1ai')).toBe('mailed to ****');
    expect(redactText('/static/logo%402x.png')).toBe('/static/logo%402x.png');
  });

  it('masks prompt and messages inside JSON text and drops tool arguments and chat history', () => {
    expect(redactText('{"model":"m","messages":[{"role":"user","content":"hi"}],"n":1}')).toBe(
      '{"model":"m","messages":****,"n":1}',
    );
    expect(redactText('{"prompt":"Write a letter","max_tokens":300}')).toBe('{"prompt":"****","max_tokens":300}');
    const attrs: Record<string, any> = {
      'gen_ai.tool.call.arguments': '{}',
      chat_history: ['a'],
      'llm.prompt_template.variables': '{}',
      'http.request.body': 'x',
      'chat_history.turns': 6,
    };
    redactor().redactAttributes(attrs);
    expect(attrs).toEqual({ 'chat_history.turns': 6 });
  });
});

describe('redaction v2 – the opt-in pii profile', () => {
  it('is off by default and refuses unknown profiles', () => {
    expect(redactText('IBAN DE22892770227958496509, SSN 536-22-8471, +44 20 7946 0321, from 203.0.113.7')).toBe(
      'IBAN DE22892770227958496509, SSN 536-22-8471, +44 20 7946 0321, from 203.0.113.7',
    );
    expect(configIssues({ profiles: ['secrets', 'gdpr'] })).toEqual([
      'processors::redaction::profiles::1: must be one of secrets, pii',
    ]);
  });

  it('masks checksum-valid IBANs, SSNs by the SSA rules, international phone numbers and IPs in text', () => {
    expect(pii('IBAN DE22892770227958496509, SSN 536-22-8471, +44 20 7946 0321, from 203.0.113.7')).toBe(
      'IBAN ****, SSN ****, ****, from ****',
    );
    expect(pii('refund to GB71 BARC 5636 7797 4571 17 queued')).toBe('refund to **** queued');
    expect(pii('blocked 2001:db8:85a3::8a2e:370:7334 after 5')).toBe('blocked **** after 5');
    for (const s of [
      'DE14614868109060787923',
      '666-45-1234',
      '123-00-4567',
      'latency +200ms',
      'N+1 query',
      'OID 1.3.6.1.4.1.311.21.8',
      'mac 00:1a:2b:3c:4d:5e',
      'at 12:30:45',
      '2024-05-01T10:00:00+05:30',
    ]) {
      expect(pii(s)).toBe(s);
    }
  });

  it('keeps IP addresses under client.address (the Redis indexes use it), and under configured keys', () => {
    const attrs: Record<string, any> = { 'client.address': '203.0.113.7', note: 'from 203.0.113.7' };
    redactor(PII).redactAttributes(attrs);
    expect(attrs).toEqual({ 'client.address': '203.0.113.7', note: 'from ****' });
    const more: Record<string, any> = { 'client.address': '203.0.113.7', 'peer.ip': '198.51.100.1' };
    redactor({ ...PII, pii: { kept_ip_keys: ['peer.ip'] } }).redactAttributes(more);
    expect(more).toEqual({ 'client.address': '****', 'peer.ip': '198.51.100.1' });
  });
});

describe('redaction v2 – keys and user patterns', () => {
  it('applies blocked_values to values only, never to key names (as the Collector does)', () => {
    const attrs: Record<string, any> = { order_4111: 'ref 4111', 'ann@example.com': 1 };
    redactor({ blocked_values: ['4111'] }).redactAttributes(attrs);
    expect(attrs).toEqual({ order_4111: 'ref ****', '****': 1 });
  });
});
