import { describe, expect, it } from 'vitest';
import { redactor } from './helpers.js';

describe('redaction – keys that name secrets', () => {
  it('masks the whole value of secret keys, matched on the last segment case-insensitively', () => {
    const attrs: Record<string, any> = {
      'http.request.header.authorization': 'Bearer x',
      'user.password': 'hunter2',
      Password: 'hunter3',
      passwd: 'p',
      client_secret: 's',
      access_token: 'a',
      refresh_token: 'r',
      session_token: 't',
      'X-Api-Key': 'k',
      apiKey: 'k2',
      api_key: 'k3',
      cookie: 'sid=1',
      'http.response.header.set-cookie': 'sid=2',
      private_key: 'pk',
      db_credential: 'c',
      csrftoken: 'x',
    };
    const c = redactor().redactAttributes(attrs);
    for (const [k, v] of Object.entries(attrs)) expect(v, k).toBe('****');
    expect(c.masked).toBe(Object.keys(attrs).length);
  });

  it('keeps metadata whose names only resemble secrets', () => {
    const attrs: Record<string, any> = {
      'session.id': 'abc123',
      'gen_ai.usage.input_tokens': 12,
      prompt_tokens: 12,
      completion_tokens: 40,
      token_count: 3,
      'password.length': 8,
      'event.name': 'login',
    };
    const before = { ...attrs };
    redactor().redactAttributes(attrs);
    expect(attrs).toEqual(before);
  });

  it('masks non-string secret values and nested maps under a secret key', () => {
    const attrs: Record<string, any> = { pin_password: 1234, secret: { a: 1 }, token: true };
    redactor().redactAttributes(attrs);
    expect(attrs).toEqual({ pin_password: '****', secret: '****', token: '****' });
  });

  it('adds extra secret key names from privacy.secret_keys', () => {
    const attrs: Record<string, any> = { ssn: '123-45-6789', 'app.user.dob': '1990-01-01', name: 'Bob' };
    redactor({ privacy: { secret_keys: ['ssn', 'user.dob'] } }).redactAttributes(attrs);
    expect(attrs).toEqual({ ssn: '****', 'app.user.dob': '****', name: 'Bob' });
  });
});

describe('redaction – content keys', () => {
  it('drops content keys entirely, including dotted and indexed forms', () => {
    const attrs: Record<string, any> = {
      prompt: 'tell me a secret',
      response: 'no',
      completion: 'x',
      messages: [{ role: 'user', content: 'hi' }],
      input: 'i',
      output: 'o',
      'gen_ai.prompt': 'p',
      'llm.response': 'r',
      'gen_ai.prompt.0.content': 'c',
      'gen_ai.input.messages': '[]',
      'llm.input_messages.0.message.content': 'm',
      'http.response.body': '{"a":1}',
      model: 'gpt-4o',
    };
    const c = redactor().redactAttributes(attrs);
    expect(attrs).toEqual({ model: 'gpt-4o' });
    expect(c.redacted).toBe(12);
  });

  it('keeps metadata that sits beside content', () => {
    const attrs: Record<string, any> = {
      'http.response.status_code': 200,
      'gen_ai.response.model': 'gpt-4o',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.prompt.0.role': 'user',
      'gen_ai.usage.output_tokens': 40,
      response_time_ms: 12,
      'http.request.header.content-type': 'application/json',
    };
    const before = structuredClone(attrs);
    redactor().redactAttributes(attrs);
    expect(attrs).toEqual(before);
  });

  it('drops content keys inside nested maps of a body', () => {
    const body = { event: 'chat', request: { model: 'm', messages: [{ content: 'hi' }], prompt: 'p' }, response: 'r' };
    const out = redactor().redactValue(body);
    expect(out).toEqual({ event: 'chat', request: { model: 'm' } });
    expect(body.response).toBe('r'); // the application's object is untouched
  });

  it('keeps content when drop_content is false but still scans it', () => {
    const attrs: Record<string, any> = { prompt: 'mail me at bob@example.com' };
    redactor({ privacy: { drop_content: false } }).redactAttributes(attrs);
    expect(attrs).toEqual({ prompt: 'mail me at ****' });
  });

  it('adds extra content keys from privacy.content_keys', () => {
    const attrs: Record<string, any> = { query: 'q', 'rag.documents': 'd', id: 1 };
    redactor({ privacy: { content_keys: ['query', 'rag.documents'] } }).redactAttributes(attrs);
    expect(attrs).toEqual({ id: 1 });
  });
});

describe('redaction – nested and non-string values', () => {
  it('masks an email inside an array inside a map inside an attribute', () => {
    const attrs: Record<string, any> = { team: { members: ['ok', { contact: 'x carol@example.com' }] } };
    redactor().redactAttributes(attrs);
    expect(attrs).toEqual({ team: { members: ['ok', { contact: 'x ****' }] } });
  });

  it('masks a card number given as a number', () => {
    const attrs: Record<string, any> = { pan: 4111111111111111, amount: 1999, ts: 1_700_000_000_000 };
    redactor().redactAttributes(attrs);
    expect(attrs).toEqual({ pan: '****', amount: 1999, ts: 1_700_000_000_000 });
  });

  it('redacts string bodies, array bodies and deep map bodies', () => {
    const r = redactor();
    expect(r.redactValue('login by dave@example.com')).toBe('login by ****');
    expect(r.redactValue(['a', ['b', 'eve@example.com']])).toEqual(['a', ['b', '****']]);
    let deep: any = { leaf: 'frank@example.com' };
    for (let i = 0; i < 20; i++) deep = { level: deep };
    let out: any = r.redactValue(deep);
    for (let i = 0; i < 20; i++) out = out.level;
    expect(out).toEqual({ leaf: '****' });
  });

  it('returns the same object when nothing needs redacting', () => {
    const body = { a: [1, 2, { b: 'plain' }], c: true };
    expect(redactor().redactValue(body)).toBe(body);
  });

  it('masks values nested deeper than it inspects, so cycles cannot leak or hang', () => {
    const cyclic: any = { name: 'loop' };
    cyclic.self = cyclic;
    const out: any = redactor().redactValue(cyclic);
    expect(() => JSON.stringify(out)).not.toThrow(); // the output is finite
    let cur = out;
    let depth = 0;
    while (typeof cur === 'object') {
      cur = cur.self;
      depth++;
    }
    expect(cur).toBe('****');
    expect(depth).toBeLessThanOrEqual(33);
  });

  it('leaves byte arrays, null and undefined alone', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const attrs: Record<string, any> = { raw: bytes, n: null, u: undefined };
    redactor().redactAttributes(attrs);
    expect(attrs.raw).toBe(bytes);
    expect(attrs.n).toBeNull();
    expect('u' in attrs).toBe(true);
  });
});
