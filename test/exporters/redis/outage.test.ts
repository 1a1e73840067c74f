// Redis going away: exports fail fast with a retryable error, the sending
// queue retries, and once redis-server is back every record arrives exactly
// once in the counters, the HyperLogLogs and the stream. (A batch whose
// connection is lost halfway: once.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../../src/component/errors.js';
import type { ConfigIssue } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { M, Telemetry } from '../../../src/telemetry/metrics.js';
import { redisExporterFactory } from '../../../exporters/redis/factory.js';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { freePort, startRedis, type RedisServer } from '../../helpers/redis.js';
import { exportAll, request, testHost } from './fixtures.js';

const HOUR_START = Date.UTC(2031, 5, 1, 8, 0, 0);

describe('redis exporter – idempotent retries', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('does not count a batch twice when the same batch is exported again', async () => {
    const e = new RedisExporter({ endpoint: redis.url });
    try {
      const batch = Array.from({ length: 500 }, (_, i) =>
        request({ time: HOUR_START + i, ip: `10.0.${i % 9}.${i % 4}`, status: i % 10 === 0 ? 500 : 200 }),
      );
      await exportAll(e, batch);
      await exportAll(e, batch);
      await exportAll(e, batch);
      expect(await redis.cli('hget', 'stats:requests:20310601:08', 'total')).toBe('500');
      expect(await redis.cli('hget', 'stats:errors:20310601:08', '500')).toBe('50');
      expect(await redis.cli('xlen', 'stream:requests')).toBe('500');
      expect(await redis.cli('pfcount', 'stats:unique_ips:api.example.com:20310601:08')).toBe('36');
      expect(await redis.cli('zcard', 'idx:req:status:200')).toBe('450');
    } finally {
      await e.shutdown();
    }
  });

  it('counts two different batches sent concurrently in full', async () => {
    await redis.cli('flushall');
    const e = new RedisExporter({ endpoint: redis.url });
    try {
      const a = Array.from({ length: 300 }, (_, i) => request({ time: HOUR_START + i, ip: '10.9.0.1' }));
      const b = Array.from({ length: 300 }, (_, i) => request({ time: HOUR_START + 1000 + i, ip: '10.9.0.2' }));
      await Promise.all([exportAll(e, a), exportAll(e, b)]);
      expect(await redis.cli('hget', 'stats:requests:20310601:08', 'total')).toBe('600');
      expect(await redis.cli('xlen', 'stream:requests')).toBe('600');
    } finally {
      await e.shutdown();
    }
  });
});

describe('redis exporter – outages', () => {
  it('fails an export quickly with a retryable error while nothing listens, instead of queueing or hanging', async () => {
    const port = await freePort();
    const e = new RedisExporter({ endpoint: `redis://127.0.0.1:${port}`, connect_timeout: '500ms' });
    try {
      const err = await exportAll(e, [request({ time: HOUR_START })]).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(PermanentError);
      // A second attempt while ioredis is reconnecting fails at once as well (no offline queue).
      const again = await exportAll(e, [request({ time: HOUR_START })]).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(again).toBeInstanceOf(Error);
      expect(again).not.toBeInstanceOf(PermanentError);
    } finally {
      await e.shutdown();
    }
  });

  it('delivers every record exactly once when redis-server is killed mid-stream and restarted', async () => {
    const redis = await startRedis({ persistent: true });
    const telemetry = new Telemetry();
    const issues: ConfigIssue[] = [];
    const cfg = redisExporterFactory.config.parse(
      {
        endpoint: redis.url,
        connect_timeout: '300ms',
        timeout: '2s',
        retry_on_failure: { initial_interval: '50ms', max_interval: '250ms', max_elapsed_time: '60s' },
        sending_queue: { num_consumers: 4, queue_size: 1000 },
      },
      ['exporters', 'redis'],
      issues,
    );
    expect(issues).toEqual([]);
    const exporter = redisExporterFactory.create({ id: 'redis', logger: silentLogger, telemetry }, cfg!);
    await exporter.start(testHost());

    const BATCHES = 40;
    const PER = 50;
    const ips = (b: number, i: number) => `172.16.${(b * PER + i) % 61}.1`;
    const batch = (b: number) =>
      Array.from({ length: PER }, (_, i) =>
        request({
          time: HOUR_START + b * PER + i,
          ip: ips(b, i),
          status: i % 5 === 0 ? 503 : 200,
          duration: i === 0 ? 2 : 0.01,
        }),
      );
    try {
      for (let b = 0; b < BATCHES; b++) {
        await exporter.consume(batch(b));
        if (b === 12) await redis.kill('SIGKILL');
        if (b === 25) {
          await new Promise((r) => setTimeout(r, 300));
          await redis.restart();
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      // Shutdown drains the sending queue (retrying until Redis has everything).
      await exporter.shutdown();

      const total = BATCHES * PER;
      const distinctIps = new Set(
        Array.from({ length: BATCHES }, (_, b) => Array.from({ length: PER }, (_, i) => ips(b, i))).flat(),
      ).size;
      expect(telemetry.total(M.exporterRetries)).toBeGreaterThan(0);
      expect(telemetry.total(M.exporterFailed)).toBe(0);
      expect(telemetry.total(M.exporterSent)).toBe(total);
      expect(await redis.cli('hget', 'stats:requests:20310601:08', 'total')).toBe(String(total));
      expect(await redis.cli('hget', 'stats:requests:20310601:08', 'status_503')).toBe(String(total / 5));
      expect(await redis.cli('hget', 'stats:errors:20310601:08', '503')).toBe(String(total / 5));
      expect(await redis.cli('xlen', 'stream:requests')).toBe(String(total));
      expect(await redis.cli('pfcount', 'stats:unique_ips:api.example.com:20310601:08')).toBe(String(distinctIps));
      expect(await redis.cli('zcard', 'idx:req:method:GET')).toBe(String(total));
      expect(await redis.cli('zcard', 'idx:req:slow')).toBe(String(BATCHES));
      expect(await redis.cli('eval', "return #redis.call('keys', 'req:*')", '0')).toBe(String(total));
    } finally {
      await exporter.shutdown();
      await redis.stop();
    }
  });
});
