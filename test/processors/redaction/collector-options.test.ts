import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HMAC_KEY, redactor } from './helpers.js';

type Attrs = Record<string, any>;

describe('redaction – allow_all_keys and allowed_keys', () => {
  it('keeps ordinary attributes with an empty config', () => {
    const attrs: Attrs = { model: 'gpt-4o', status: 'success', duration_ms: 12 };
    redactor({}).redactAttributes(attrs);
    expect(attrs).toEqual({ model: 'gpt-4o', status: 'success', duration_ms: 12 });
  });

  it('removes every key not in allowed_keys when allowed_keys is given', () => {
    const attrs: Attrs = { id: 1, name: 'n', birth_date: '1990-01-01', mothers_maiden_name: 'x' };
    const c = redactor({ allowed_keys: ['id', 'name'] }).redactAttributes(attrs);
    expect(attrs).toEqual({ id: 1, name: 'n' });
    expect(c.redacted).toBe(2);
  });

  it('fails closed like the Collector: allow_all_keys false with no allowed_keys removes everything', () => {
    const attrs: Attrs = { id: 1, name: 'n' };
    redactor({ allow_all_keys: false }).redactAttributes(attrs);
    expect(attrs).toEqual({});
  });

  it('ignores allowed_keys when allow_all_keys is true', () => {
    const attrs: Attrs = { id: 1, other: 2 };
    redactor({ allow_all_keys: true, allowed_keys: ['id'] }).redactAttributes(attrs);
    expect(attrs).toEqual({ id: 1, other: 2 });
  });

  it('applies allowed_keys to the keys of a map body too', () => {
    expect(redactor({ allowed_keys: ['id'] }).redactValue({ id: 1, note: 'x' })).toEqual({ id: 1 });
  });

  it('still masks blocked values of allowed keys', () => {
    const attrs: Attrs = { notes: 'card 4111111111111111' };
    redactor({ allowed_keys: ['notes'] }).redactAttributes(attrs);
    expect(attrs).toEqual({ notes: 'card ****' });
  });
});

describe('redaction – ignored_keys', () => {
  it('never touches ignored keys, even secret or content keys or values with secrets', () => {
    const attrs: Attrs = { password: 'p', prompt: 'q', contact: 'bob@example.com', other: 'eve@example.com' };
    const c = redactor({ ignored_keys: ['password', 'prompt', 'contact'] }).redactAttributes(attrs);
    expect(attrs).toEqual({ password: 'p', prompt: 'q', contact: 'bob@example.com', other: '****' });
    expect(c.ignored).toBe(3);
  });

  it('keeps ignored keys even when they are not in allowed_keys', () => {
    const attrs: Attrs = { safe: 's', dropped: 'd' };
    redactor({ allowed_keys: [], ignored_keys: ['safe'] }).redactAttributes(attrs);
    expect(attrs).toEqual({ safe: 's' });
  });

  it('accepts ignored_key_patterns', () => {
    const attrs: Attrs = { 'debug.password': 'p', password: 'q' };
    redactor({ ignored_key_patterns: ['^debug\\.'] }).redactAttributes(attrs);
    expect(attrs).toEqual({ 'debug.password': 'p', password: '****' });
  });
});

describe('redaction – blocked_values, blocked_key_patterns, allowed_values', () => {
  it('masks each match of blocked_values and keeps the rest of the value', () => {
    const attrs: Attrs = { note: 'visa 4000000000000002 and mc 5105105105105100 ok' };
    redactor({
      privacy: { enabled: false },
      blocked_values: ['4[0-9]{12}(?:[0-9]{3})?', '(5[1-5][0-9]{14})'],
    }).redactAttributes(attrs);
    expect(attrs.note).toBe('visa **** and mc **** ok');
  });

  it('accepts RE2 inline flags', () => {
    const attrs: Attrs = { note: 'Internal-Only memo' };
    redactor({ blocked_values: ['(?i)internal-only'] }).redactAttributes(attrs);
    expect(attrs.note).toBe('**** memo');
  });

  it('masks the whole value of keys matching blocked_key_patterns', () => {
    const attrs: Attrs = { 'my.custom.pin': '1234', count: 7, pinned: 'no' };
    redactor({ blocked_key_patterns: ['\\.pin$', '^count$'] }).redactAttributes(attrs);
    expect(attrs).toEqual({ 'my.custom.pin': '****', count: '****', pinned: 'no' });
  });

  it('lets allowed_values take precedence over blocked_values (the Collector example)', () => {
    const r = redactor({ blocked_values: ['mycompany\\.com'], allowed_values: ['support\\.mycompany\\.com'] });
    const attrs: Attrs = { a: 'mail support.mycompany.com', b: 'mail sales.mycompany.com' };
    r.redactAttributes(attrs);
    expect(attrs).toEqual({ a: 'mail support.mycompany.com', b: 'mail sales.****' });
  });

  it('exempts detected emails that lie inside an allowed value but masks the others', () => {
    const attrs: Attrs = { to: 'alice@mycompany.com, bob@gmail.com' };
    redactor({ allowed_values: ['[a-z]+@mycompany\\.com'] }).redactAttributes(attrs);
    expect(attrs.to).toBe('alice@mycompany.com, ****');
  });

  it('exempts a secret key whose whole value is allowed', () => {
    const attrs: Attrs = { token: 'none', password: 'hunter2' };
    redactor({ allowed_values: ['^none$'] }).redactAttributes(attrs);
    expect(attrs).toEqual({ token: 'none', password: '****' });
  });

  it('applies blocked_values to numbers and booleans only with redact_all_types', () => {
    const a1: Attrs = { code: 12345, flag: true };
    redactor({ blocked_values: ['^12345$', '^true$'] }).redactAttributes(a1);
    expect(a1).toEqual({ code: 12345, flag: true });
    const a2: Attrs = { code: 12345, flag: true };
    redactor({ blocked_values: ['^12345$', '^true$'], redact_all_types: true }).redactAttributes(a2);
    expect(a2).toEqual({ code: '****', flag: '****' });
  });
});

describe('redaction – hash_function', () => {
  it.each([
    ['md5', 'md5'],
    ['sha1', 'sha1'],
    ['sha3', 'sha3-256'],
  ] as const)('replaces matches with the %s hex digest of the matched text', (fn, algo) => {
    const attrs: Attrs = { note: 'to bob@example.com', password: 'hunter2' };
    redactor({ hash_function: fn }).redactAttributes(attrs);
    const h = (t: string) => createHash(algo).update(t).digest('hex');
    expect(attrs).toEqual({ note: `to ${h('bob@example.com')}`, password: h('hunter2') });
  });

  it('keyed HMAC-SHA256 joins equal values and differs by key', () => {
    const r1 = redactor({ hash_function: 'hmac_sha256', hash_key: HMAC_KEY });
    const r2 = redactor({ hash_function: 'hmac_sha256', hash_key: 'z'.repeat(32) });
    const a: Attrs = { user: 'bob@example.com' };
    const b: Attrs = { owner: 'mail bob@example.com' };
    const c: Attrs = { user: 'bob@example.com' };
    r1.redactAttributes(a);
    r1.redactAttributes(b);
    r2.redactAttributes(c);
    const expected = createHmac('sha256', HMAC_KEY).update('bob@example.com').digest('hex');
    expect(a.user).toBe(expected);
    expect(b.owner).toBe(`mail ${expected}`);
    expect(c.user).not.toBe(expected);
    expect(c.user).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts the Collector spelling hmac-sha256 with hmac_key', () => {
    const attrs: Attrs = { password: 'x' };
    redactor({ hash_function: 'hmac-sha256', hmac_key: HMAC_KEY }).redactAttributes(attrs);
    expect(attrs.password).toBe(createHmac('sha256', HMAC_KEY).update('x').digest('hex'));
  });
});

describe('redaction – summary attributes', () => {
  const input = (): { attrs: Attrs; body: any } => ({
    attrs: { id: 1, email: 'a@example.com', password: 'p', prompt: 'q', keep: 'ok', safe: 's' },
    body: { message: 'by b@example.com', messages: ['x'] },
  });

  it('debug lists removed and masked keys (sorted) with counts, for attributes and body', () => {
    const { attrs, body } = input();
    const r = redactor({ summary: 'debug', ignored_keys: ['safe'] });
    const out = r.redactLog(attrs, body);
    expect(out).toEqual({ message: 'by ****' });
    expect(attrs).toEqual({
      id: 1,
      email: '****',
      password: '****',
      keep: 'ok',
      safe: 's',
      'redaction.redacted.keys': 'prompt',
      'redaction.redacted.count': 1,
      'redaction.masked.keys': 'email,password',
      'redaction.masked.count': 2,
      'redaction.ignored.count': 1,
      'redaction.body.redacted.keys': 'messages',
      'redaction.body.redacted.count': 1,
      'redaction.body.masked.keys': 'message',
      'redaction.body.masked.count': 1,
    });
    expect(r.changes).toBe(5);
  });

  it('info adds counts only', () => {
    const { attrs, body } = input();
    redactor({ summary: 'info' }).redactLog(attrs, body);
    expect(
      Object.keys(attrs)
        .filter((k) => k.startsWith('redaction.'))
        .sort(),
    ).toEqual([
      'redaction.body.masked.count',
      'redaction.body.redacted.count',
      'redaction.masked.count',
      'redaction.redacted.count',
    ]);
  });

  it('silent (the default) adds nothing', () => {
    const { attrs, body } = input();
    redactor({}).redactLog(attrs, body);
    expect(Object.keys(attrs).some((k) => k.startsWith('redaction.'))).toBe(false);
  });

  it('merges with the summary of an earlier redaction pass and keeps it under an allowlist', () => {
    const attrs: Attrs = { id: 1, password: 'p', other: 'x' };
    redactor({ summary: 'debug' }).redactLog(attrs, undefined);
    redactor({ summary: 'debug', allowed_keys: ['id', 'password'] }).redactLog(attrs, undefined);
    expect(attrs['redaction.masked.count']).toBe(1);
    expect(attrs['redaction.redacted.keys']).toBe('other');
    expect(attrs['redaction.redacted.count']).toBe(1);
  });

  it('names nested paths the Collector way', () => {
    const attrs: Attrs = {};
    redactor({ summary: 'debug' }).redactLog(attrs, {
      user: { emails: ['x', 'c@example.com'] },
      list: [{ prompt: 'p' }],
    });
    expect(attrs['redaction.body.masked.keys']).toBe('user.emails.[1]');
    expect(attrs['redaction.body.redacted.keys']).toBe('list.[0].prompt');
  });
});
