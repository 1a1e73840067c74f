import { describe, expect, it } from 'vitest';
import { redactor, redactText } from './helpers.js';

// The redactor saves work on most values: a string under 14 characters is only
// checked for '@', '=' and ':'; a longer one is first looked up among strings
// recently found clean; the scan steps over runs of letters and digits; the
// API-key and Bearer/Basic regexes run only after a word's first characters
// matched. These tests show every shortcut is conservative: each kind of
// secret is still found at the lengths and in the places a shortcut applies to.

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const alnum = (n: number) => 'aB3dE5gH7jK9mN1pQ2sT4vW6yZ8'.repeat(4).slice(0, n);
const upper = (n: number) => 'AB3DE5GH7JK9MN1PQ2ST4VW6YZ8'.repeat(4).slice(0, n);

/** One value per API-key shape the privacy profile knows, each at its minimum length. */
const API_KEYS: Record<string, string> = {
  'OpenAI sk-': `sk-${alnum(20)}`,
  'Stripe sk_live_': `sk_live_${alnum(10)}`,
  'Stripe sk_test_': `sk_test_${alnum(10)}`,
  'Stripe rk_live_': `rk_live_${alnum(10)}`,
  'Stripe rk_test_': `rk_test_${alnum(10)}`,
  'Stripe whsec_': `whsec_${alnum(20)}`,
  'AWS AKIA': `AKIA${upper(16)}`,
  'AWS ASIA': `ASIA${upper(16)}`,
  'AWS ABIA': `ABIA${upper(16)}`,
  'AWS ACCA': `ACCA${upper(16)}`,
  'GitHub ghp_': `ghp_${alnum(30)}`,
  'GitHub gho_': `gho_${alnum(30)}`,
  'GitHub ghu_': `ghu_${alnum(30)}`,
  'GitHub ghs_': `ghs_${alnum(30)}`,
  'GitHub ghr_': `ghr_${alnum(30)}`,
  'GitHub github_pat_': `github_pat_${alnum(22)}`,
  'GitLab glpat-': `glpat-${alnum(20)}`,
  'Slack xoxa-': `xoxa-${alnum(10)}`,
  'Slack xoxb-': `xoxb-${alnum(10)}`,
  'Slack xoxp-': `xoxp-${alnum(10)}`,
  'Slack xoxo-': `xoxo-${alnum(10)}`,
  'Slack xoxs-': `xoxs-${alnum(10)}`,
  'Slack xoxr-': `xoxr-${alnum(10)}`,
  'Google AIza': `AIza${alnum(35)}`,
  'Hugging Face hf_': `hf_${alnum(30)}`,
  'npm npm_': `npm_${alnum(36)}`,
  'SendGrid SG.': `SG.${alnum(16)}.${alnum(16)}`,
  'PEM private key': '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----',
};

describe('redaction shortcuts – short values (under 14 characters)', () => {
  it.each([['a@b.io'], ['ab@cd.io'], ['bob@mail.co'], ['x@example.io'], ['ab@example.io']])(
    'finds the email %s',
    (email) => {
      expect(email.length).toBeLessThan(14);
      expect(redactText(email)).toBe('****');
      const attrs = { 'user.email': email, n: 1 };
      redactor().redactAttributes(attrs);
      expect(attrs['user.email']).toBe('****');
    },
  );

  it.each([
    ['pwd=hunter2', 'pwd=****'],
    ['token:abc12', 'token:****'],
    ['secret=x', 'secret=****'],
    ['pwd: "a b"', 'pwd: "****"'],
    ['a:1 pwd=2', 'a:1 pwd=****'],
  ])('finds the name=value pair in %s', (text, masked) => {
    expect(text.length).toBeLessThan(13);
    expect(redactText(text)).toBe(masked);
  });

  it('masks a 13-digit card given alone, the shortest card there is', () => {
    expect(redactText('4222222222222')).toBe('****');
    const attrs = { 'payment.ref': '4222222222222' };
    redactor().redactAttributes(attrs);
    expect(attrs['payment.ref']).toBe('****');
  });

  it('treats 13 and 14 characters alike', () => {
    expect(redactText('abc@example.io')).toBe('****'); // 14
    expect(redactText('ab@example.io')).toBe('****'); // 13
    expect(redactText('pwd=123456789')).toBe('pwd=****'); // 13
    expect(redactText('pwd=1234567890')).toBe('pwd=****'); // 14
  });

  it('still honours the switches', () => {
    expect(redactText('a@b.io', { privacy: { emails: false } })).toBe('a@b.io');
    expect(redactText('pwd=hunter2', { privacy: { credentials: false } })).toBe('pwd=hunter2');
  });
});

describe('redaction shortcuts – API keys, JWTs and credentials at a word start', () => {
  it.each(Object.entries(API_KEYS))('finds a %s key alone, after a space, after = or _, and at the end', (_, key) => {
    expect(redactText(key)).toBe('****');
    expect(redactText(`using ${key} now`)).toBe('using **** now');
    expect(redactText(`KEY=${key};`)).toBe('KEY=****;');
    expect(redactText(`env_${key}`)).toBe('env_****');
    expect(redactText(`id-${key}`)).toBe('id-****');
    expect(redactText(`the key: ${key}`)).toBe('the key: ****');
  });

  it.each([' ', ',', ';', '\n', '(', '/'])('finds both of two secrets one %j apart', (sep) => {
    const keys = Object.values(API_KEYS).filter((k) => !k.startsWith('-'));
    for (let i = 0; i < keys.length; i++) {
      const a = keys[i]!;
      const b = keys[(i + 1) % keys.length]!;
      expect(redactText(`${a}${sep}${b}`)).toBe(`****${sep}****`);
    }
    expect(redactText(`${JWT}${sep}${JWT}`)).toBe(`****${sep}****`);
  });

  it("leaves words that share a key's first letters", () => {
    const text = 'when which skip sky global give ghost xoxo hfx npmjs SGML ASIAN ACCESS AIzb bench because';
    expect(redactText(text)).toBe(text);
  });

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR', 'BeArEr'])('finds a credential after %s', (scheme) => {
    expect(redactText(`auth ${scheme} abc123def456ghi done`)).toBe(`auth ${scheme} **** done`);
    expect(redactText(`${scheme}\tabc123def456ghi`)).toBe(`${scheme}\t****`);
  });

  it.each(['Basic', 'basic', 'BASIC', 'bAsIc'])('finds a credential after %s', (scheme) => {
    const cred = Buffer.from('admin:hunter2').toString('base64');
    expect(redactText(`sent ${scheme} ${cred}`)).toBe(`sent ${scheme} ****`);
  });

  it('finds a JWT alone, in text, after = and after another word', () => {
    expect(redactText(JWT)).toBe('****');
    expect(redactText(`token ${JWT} expired`)).toBe('token **** expired');
    expect(redactText(`jwt=${JWT}`)).toBe('jwt=****');
    expect(redactText('x eyJabcd.efgh.')).toBe('x ****');
  });
});

describe('redaction shortcuts – card numbers between runs of letters and digits', () => {
  it.each([
    ['4111111111111111'],
    ['4111 1111 1111 1111'],
    ['4111-1111-1111-1111'],
    ['3782 822463 10005'],
    ['5555-5555-5555-4444'],
    ['6011 1111 1111 1117'],
    ['30569309025904'],
  ])('finds %s at the start, inside text and at the end', (card) => {
    expect(redactText(card)).toBe('****');
    expect(redactText(`paid with ${card} today`)).toBe('paid with **** today');
    expect(redactText(`card:${card}`)).toBe('card:****');
    expect(redactText(`Payment with card ${card}`)).toBe('Payment with card ****');
  });

  it('finds a card after a word, a tainted group and a year', () => {
    expect(redactText('ref ab12 4111 1111 1111 1111 ok')).toBe('ref ab12 **** ok');
    expect(redactText('x 4111 1111 1111 1111 2024')).toBe('x **** 2024');
  });

  it('finds a card given as a number', () => {
    const attrs = { amount: 12, pan: 4111111111111111, ok: true };
    redactor().redactAttributes(attrs);
    expect(attrs).toEqual({ amount: 12, pan: '****', ok: true });
  });
});

describe('redaction shortcuts – values already found clean', () => {
  const clean = 'GET /api/items completed in 12 ms';

  it('masks a repeated clean text once it moves under a secret key, and drops it under a content key', () => {
    const r = redactor();
    const first: Record<string, any> = { note: clean };
    r.redactLog(first, clean);
    expect(first.note).toBe(clean);
    const second: Record<string, any> = { note: clean, password: clean, prompt: clean, 'x.api_key': clean };
    r.redactLog(second, undefined);
    expect(second).toEqual({ note: clean, password: '****', 'x.api_key': '****' });
  });

  it('finds secrets inside bodies, nested maps and arrays whose other strings were seen clean', () => {
    const r = redactor();
    r.redactLog({ a: clean }, clean);
    const body = {
      msg: clean,
      user: { email: 'grace@example.com', note: clean, password: clean },
      list: [clean, `${clean} for 4111 1111 1111 1111`, [clean, `key ${API_KEYS['AWS AKIA']}`]],
      messages: [clean],
      n: 4111111111111111,
    };
    expect(r.redactLog({}, body)).toEqual({
      msg: clean,
      user: { email: '****', note: clean, password: '****' },
      list: [clean, `${clean} for ****`, [clean, 'key ****']],
      n: '****',
    });
  });

  it('scans a secret every time it repeats, in attributes and in the body', () => {
    const r = redactor();
    const secret = 'reply to grace.hopper@example.com please';
    for (let i = 0; i < 3; i++) {
      const attrs = { note: `${secret}`.slice(0), other: clean };
      expect(r.redactLog(attrs, secret)).toBe('reply to **** please');
      expect(attrs.note).toBe('reply to **** please');
    }
  });

  it('judges a text afresh under another configuration', () => {
    const text = 'order 12345 shipped today';
    expect(redactor().redactValue(text)).toBe(text);
    expect(redactor({ blocked_values: ['\\d{5}'] }).redactValue(text)).toBe('order **** shipped today');
  });

  it('finds a secret at the end of a long value, repeatedly', () => {
    const r = redactor();
    for (const len of [255, 256, 257, 300]) {
      const pad = 'lorem ipsum '.repeat(30).slice(0, len - 15);
      const v = `${pad} bob@example.io`;
      expect(v.length).toBe(len);
      expect(r.redactValue(pad)).toBe(pad);
      expect(r.redactValue(v)).toBe(`${pad} ****`);
      expect(r.redactValue(v)).toBe(`${pad} ****`);
    }
  });

  it('applies blocked_values to short strings too', () => {
    const attrs = { code: 'ab', id: 'x-ab-1' };
    redactor({ blocked_values: ['ab'] }).redactAttributes(attrs);
    expect(attrs).toEqual({ code: '****', id: 'x-****-1' });
  });
});
