import { describe, expect, it } from 'vitest';
import { CleanCache } from '../../../processors/redaction/clean-cache.js';
import { redactor } from './helpers.js';

describe('redaction – cache of clean values', () => {
  it('still scans a secret whose slot holds a clean value of the same shape', () => {
    const clean = 'mail bob_example.com ok';
    const dirty = 'mail bob@example.com ok';
    const cache = new CleanCache();
    expect(cache.slotOf(dirty)).toBe(cache.slotOf(clean)); // the case under test: a collision
    const r = redactor();
    expect(r.redactValue(clean)).toBe(clean);
    expect(r.redactValue(dirty)).toBe('mail **** ok');
    const attrs = { a: clean, b: dirty };
    r.redactAttributes(attrs);
    expect(attrs).toEqual({ a: clean, b: 'mail **** ok' });
  });

  it('has a fixed number of slots', () => {
    const cache = new CleanCache();
    for (let i = 0; i < 20_000; i++) {
      const slot = cache.slotOf(`request-${i.toString(36)}-${'x'.repeat(i % 300)}é`);
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(slot).toBeLessThan(1024);
    }
  });

  it('gives texts that differ only at either end their own slots', () => {
    const cache = new CleanCache();
    const slots = new Set(['GET', 'PUT', 'POST', 'HEAD'].map((m) => cache.slotOf(`${m} /api/items completed`)));
    expect(slots.size).toBe(4);
    const ids = new Set(
      Array.from({ length: 100 }, (_, i) =>
        cache.slotOf(`3f2b8c1e-9a4d-4e6b-8f00-1000000000${String(i).padStart(2, '0')}`),
      ),
    );
    expect(ids.size).toBeGreaterThan(90);
  });
});
