import { describe, expect, it } from 'vitest';
import { luhnValid } from '../../../processors/redaction/luhn.js';
import { redactText } from './helpers.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('redaction – emails', () => {
  it('masks an email and keeps the surrounding text', () => {
    expect(redactText('Invite sent to alice.smith+news@example.co.uk today')).toBe('Invite sent to **** today');
  });

  it('masks every email in a string', () => {
    expect(redactText('from a@b.io to c_d@mail.example.com')).toBe('from **** to ****');
  });

  it('leaves text with an @ that is not an email', () => {
    for (const s of ['@mention in a tweet', 'user@localhost', 'price @ 5.00', 'npm i @opentelemetry/api', 'a@b.c']) {
      expect(redactText(s)).toBe(s);
    }
  });

  it('can be switched off alone', () => {
    expect(redactText('mail bob@example.com', { privacy: { emails: false } })).toBe('mail bob@example.com');
  });
});

describe('redaction – payment card numbers', () => {
  it.each([
    ['Visa', '4111111111111111'],
    ['Visa 13 digits', '4222222222222'],
    ['Mastercard', '5555555555554444'],
    ['Mastercard 2-series', '2223003122003222'],
    ['Amex', '378282246310005'],
    ['Discover', '6011111111111117'],
    ['Diners', '30569309025904'],
    ['JCB', '3530111333300000'],
  ])('masks a %s number', (_, card) => {
    expect(redactText(`card ${card} charged`)).toBe('card **** charged');
  });

  it('masks numbers written with spaces or dashes', () => {
    expect(redactText('pan=4111 1111 1111 1111;')).toBe('pan=****;');
    expect(redactText('pan: 4111-1111-1111-1111.')).toBe('pan: ****.');
    expect(redactText('amex 3782 822463 10005 ok')).toBe('amex **** ok');
  });

  it('finds a card followed by more digit groups', () => {
    expect(redactText('4111 1111 1111 1111 2024')).toBe('**** 2024');
  });

  it('leaves a number that fails the Luhn check', () => {
    expect(redactText('card 4111111111111112 charged')).toBe('card 4111111111111112 charged');
  });

  it('leaves Luhn-valid timestamps (milliseconds and nanoseconds)', () => {
    let ms = 1_700_000_000_000;
    while (!luhnValid(String(ms), 0, 13)) ms++;
    let ns = 1_700_000_000_000_000_000n;
    while (!luhnValid(String(ns), 0, 19)) ns++;
    expect(redactText(`ts=${ms}`)).toBe(`ts=${ms}`);
    expect(redactText(`${ns}`)).toBe(`${ns}`);
  });

  it('leaves digits that belong to identifiers, fractions and dates', () => {
    for (const s of [
      'id=a4111111111111111',
      '0.4111111111111111',
      '4111111111111111.5',
      '2024-01-15 10:30:45',
      'tel +1 555-123-4567',
    ]) {
      expect(redactText(s)).toBe(s);
    }
  });

  it('validates with Luhn', () => {
    expect(luhnValid('79927398713', 0, 11)).toBe(true);
    expect(luhnValid('79927398710', 0, 11)).toBe(false);
    expect(luhnValid('4111-1111-1111-1111', 0, 19)).toBe(true);
  });
});

describe('redaction – JWTs', () => {
  it('masks a JWT inside text', () => {
    expect(redactText(`token was ${JWT} (expired)`)).toBe('token was **** (expired)');
  });

  it('leaves base64 that is not a JWT', () => {
    for (const s of ['eyJhbGciOiJIUzI1NiJ9 alone', 'config eyJ', 'a.b.c']) expect(redactText(s)).toBe(s);
  });
});

describe('redaction – bearer and basic credentials', () => {
  it('masks the credential after Bearer and keeps the scheme', () => {
    expect(redactText('sent Bearer abc123def456ghi to upstream')).toBe('sent Bearer **** to upstream');
  });

  it('masks Basic credentials (base64 of user:password)', () => {
    const basic = Buffer.from('admin:hunter2').toString('base64');
    expect(redactText(`Basic ${basic}`)).toBe('Basic ****');
  });

  it('leaves prose that merely uses the words', () => {
    for (const s of ['Upgraded to the Basic plan', 'Bearer authentication required', 'basic settings saved']) {
      expect(redactText(s)).toBe(s);
    }
  });

  it('masks key=value pairs that name a secret', () => {
    expect(redactText('login failed for bob password=hunter2 retry')).toBe('login failed for bob password=**** retry');
    expect(redactText('GET /cb?code=1&access_token=abc123&state=x')).toBe('GET /cb?code=1&access_token=****&state=x');
    expect(redactText('{"user":"bob","api_key":"k-123 456"}')).toBe('{"user":"bob","api_key":"****"}');
    expect(redactText('Authorization: Bearer abcdef123456')).toBe('Authorization: ****');
  });

  it('leaves token counts and similar metadata in text', () => {
    for (const s of ['prompt_tokens=12 completion_tokens: 40', 'max_tokens=100', 'tokenizer: cl100k']) {
      expect(redactText(s)).toBe(s);
    }
  });

  it('can be switched off alone', () => {
    expect(redactText('password=hunter2', { privacy: { credentials: false } })).toBe('password=hunter2');
  });
});

describe('redaction – API key shapes', () => {
  it.each([
    ['OpenAI', 'sk-proj-AbCdEf0123456789AbCdEf0123'],
    ['Anthropic', 'sk-ant-api03-AbCdEf0123456789AbCdEf'],
    ['Stripe', 'sk_live_51HxYzAbCdEf0123456789'],
    ['AWS', 'AKIAIOSFODNN7EXAMPLE'],
    ['GitHub', 'ghp_0123456789abcdefghijABCDEFGHIJ012345'],
    ['GitHub fine-grained', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop'],
    ['Slack', 'xoxb-1234567890-abcdefghij'],
    ['Google', 'AIzaSyA-0123456789abcdefghijklmnopqrstu'],
    ['GitLab', 'glpat-AbCdEf0123456789xyzW'],
  ])('masks a %s key', (_, key) => {
    expect(redactText(`using ${key} now`)).toBe('using **** now');
  });

  it('masks a PEM private key block', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
    expect(redactText(`key:\n${pem}\nend`)).toBe('key:\n****\nend');
  });

  it('leaves words that merely start like a key', () => {
    for (const s of [
      'task-manager-service-worker-pool-1',
      'disk-usage-monitoring-dashboard',
      'ASIAN cuisine is great',
    ]) {
      expect(redactText(s)).toBe(s);
    }
  });

  it('can be switched off alone', () => {
    expect(redactText('AKIAIOSFODNN7EXAMPLE', { privacy: { api_keys: false } })).toBe('AKIAIOSFODNN7EXAMPLE');
  });
});

describe('redaction – privacy profile switch', () => {
  it('detects nothing when privacy.enabled is false', () => {
    const s = `bob@example.com 4111111111111111 ${JWT} password=x`;
    expect(redactText(s, { privacy: { enabled: false } })).toBe(s);
  });

  it('uses the configured mask', () => {
    expect(redactText('bob@example.com', { mask: '[REDACTED]' })).toBe('[REDACTED]');
  });
});

describe('redaction – detectors inside longer text', () => {
  it('finds keys and tokens right after = or _ and across lines', () => {
    const text = 'cfg openai=sk-proj-AbCdEf0123456789AbCdEf0123\nenv_AKIAIOSFODNN7EXAMPLE\njwt=' + JWT + '\nend';
    expect(redactText(text)).toBe('cfg openai=****\nenv_****\njwt=****\nend');
  });

  it('masks a quoted secret value with spaces and keeps the quotes', () => {
    expect(redactText('password: "my secret pass", user: bob')).toBe('password: "****", user: bob');
    expect(redactText("client_secret='abc def'")).toBe("client_secret='****'");
  });

  it('finds an email next to non-ASCII text', () => {
    expect(redactText('Grüße an bob@example.com – danke')).toBe('Grüße an **** – danke');
  });

  it('masks several different secrets in one value and nothing else', () => {
    const s = `user bob@example.com paid with 4111-1111-1111-1111 using Bearer ${'x1'.repeat(12)} at 2024-01-15 10:30:45`;
    expect(redactText(s)).toBe('user **** paid with **** using Bearer **** at 2024-01-15 10:30:45');
  });

  it('leaves ordinary request metadata alone', () => {
    for (const s of [
      '3f2b8c1e-9a4d-4e6b-8f00-100000000123',
      '/v1/chat/completions',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
      'https://api.example.com/v1/items?id=3&page=2',
      'GET /api/users/42 completed in 12ms',
      'sk-short',
    ])
      expect(redactText(s)).toBe(s);
  });
});
