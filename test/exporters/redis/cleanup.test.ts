// Trimming what TTLs cannot reach: old members of indexes that keep
// receiving new ones, and response-time samples past their window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { exportAll, request } from './fixtures.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

describe('redis exporter – trimming', () => {
  it('removes index members older than the longest retention and response times older than their window', async () => {
    const e = new RedisExporter({
      endpoint: redis.url,
      retention: { requests: 1, errors: 2, oauth: 3, stats: 30 },
      response_times_window: '1h',
      cleanup_interval: '0s',
    });
    try {
      const now = Date.now();
      await exportAll(e, [
        request({ time: now - 5 * 86_400_000, ip: '10.0.0.1' }),
        request({ time: now - 2 * 3_600_000, ip: '10.0.0.1' }),
        request({ time: now - 60_000, ip: '10.0.0.1' }),
      ]);
      expect(await redis.cli('zcard', 'idx:req:ip:10.0.0.1')).toBe('3');
      const res = await e.trim();
      expect(res.removed).toBeGreaterThan(0);
      // Older than 3 days (the oauth class, the longest) goes; the rest stays.
      expect(await redis.cli('zcard', 'idx:req:ip:10.0.0.1')).toBe('2');
      expect(await redis.cli('zcard', 'idx:req:status:200')).toBe('2');
      // Response times keep one hour.
      expect(await redis.cli('zcard', 'stats:response_times:api.example.com')).toBe('1');
    } finally {
      await e.shutdown();
    }
  });
});
