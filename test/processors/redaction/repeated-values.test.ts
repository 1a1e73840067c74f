import { describe, expect, it } from 'vitest';
import { redactor } from './helpers.js';

// The redactor skips rescanning a string that equals the last clean value at
// the same attribute position; these records exercise exactly that path.
describe('redaction – values repeated across records', () => {
  const clean = 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0';
  const secret = 'contact person42@example.com now';

  it('masks a secret arriving at a position that held a clean value in the previous record', () => {
    const r = redactor();
    const first = { 'user_agent.original': clean, note: 'nothing to see in this text' };
    r.redactLog(first, undefined);
    expect(first).toEqual({ 'user_agent.original': clean, note: 'nothing to see in this text' });
    const second = { 'user_agent.original': clean, note: secret };
    r.redactLog(second, undefined);
    expect(second['user_agent.original']).toBe(clean);
    expect(second.note).not.toContain('person42@example.com');
  });

  it('masks the same secret every time it repeats at one position', () => {
    const r = redactor();
    for (let i = 0; i < 5; i++) {
      const attrs = { message: `${secret}`.slice(0), user: 'u' };
      r.redactLog(attrs, undefined);
      expect(attrs.message).not.toContain('person42@example.com');
    }
  });

  it('judges a value again when the same text moves to a key whose rule differs', () => {
    const r = redactor();
    const a = { 'app.note': clean };
    r.redactLog(a, undefined);
    expect(a['app.note']).toBe(clean);
    const b: Record<string, unknown> = { password: clean };
    r.redactLog(b as Record<string, string>, undefined);
    expect(b.password).not.toBe(clean);
  });
});
