// Connecting: password and database from the URL or the options, and what
// happens when they are wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../../src/component/errors.js';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { parseEndpoint } from '../../../exporters/redis/resp-pipeline.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { exportAll, request, SEED_TIME } from './fixtures.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis({ password: 's3cret' });
});
afterAll(async () => {
  await redis.stop();
});

describe('redis exporter – connecting', () => {
  it('parses redis:// and rediss:// URLs with credentials and a database number', () => {
    expect(parseEndpoint('redis://127.0.0.1:6380/2')).toEqual({
      host: '127.0.0.1',
      port: 6380,
      tls: false,
      db: 2,
      username: undefined,
      password: undefined,
    });
    expect(parseEndpoint('rediss://app:p%40ss@cache.example.com')).toEqual({
      host: 'cache.example.com',
      port: 6379,
      tls: true,
      db: 0,
      username: 'app',
      password: 'p@ss',
    });
    expect(parseEndpoint('redis://[::1]:7000', 'u', 'p')).toMatchObject({
      host: '::1',
      port: 7000,
      username: 'u',
      password: 'p',
    });
  });

  it('authenticates with the password in the URL and writes to the database it names', async () => {
    const e = new RedisExporter({ endpoint: `redis://:s3cret@127.0.0.1:${redis.port}/3` });
    try {
      await exportAll(e, [request({ time: SEED_TIME, ip: '1.1.1.1' })]);
      expect(await redis.cli('-n', '3', 'zcard', 'idx:req:ip:1.1.1.1')).toBe('1');
      expect(await redis.cli('-n', '0', 'dbsize')).toBe('0');
      expect((await e.queries().ip('1.1.1.1', { hours: 24 * 365 * 20, limit: 10 })).length).toBe(1);
    } finally {
      await e.shutdown();
    }
  });

  it('takes the password from the password option', async () => {
    const e = new RedisExporter({ endpoint: redis.url, password: 's3cret' });
    try {
      await exportAll(e, [request({ time: SEED_TIME, ip: '2.2.2.2' })]);
      expect(await redis.cli('zcard', 'idx:req:ip:2.2.2.2')).toBe('1');
    } finally {
      await e.shutdown();
    }
  });

  it('fails exports with a retryable error naming the refusal when the password is wrong', async () => {
    const e = new RedisExporter({ endpoint: redis.url, password: 'wrong' });
    try {
      const err = await exportAll(e, [request({ time: SEED_TIME })]).then(
        () => undefined,
        (x: unknown) => x as Error,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(PermanentError);
      expect(err!.message).toMatch(/WRONGPASS|invalid password/i);
    } finally {
      await e.shutdown();
    }
  });
});
