// The redis exporter's YAML options: defaults, units, and every error with its path.
import { describe, expect, it } from 'vitest';
import { formatIssue, type ConfigIssue } from '../../../src/config/schema.js';
import { redisExporterFactory } from '../../../exporters/redis/factory.js';
import { RedisExporter } from '../../../exporters/redis/exporter.js';

function parse(raw: unknown): { cfg: Record<string, unknown> | undefined; errors: string[] } {
  const issues: ConfigIssue[] = [];
  const cfg = redisExporterFactory.config.parse(raw, ['exporters', 'redis'], issues) as
    Record<string, unknown> | undefined;
  return { cfg, errors: issues.map(formatIssue) };
}

describe('redis exporter config', () => {
  it('fills every default from an empty block', () => {
    const { cfg, errors } = parse(null);
    expect(errors).toEqual([]);
    expect(cfg).toMatchObject({
      key_prefix: '',
      slow_threshold: 1000,
      stream: { max_length: 100_000 },
      retention: { requests: 7 * 86400, errors: 30 * 86400, oauth: 90 * 86400, stats: 365 * 86400 },
      pipeline_size: 1000,
      response_times_window: 86400,
      dedup_window: 3_600_000,
      serve_queries: true,
      timeout: 5000,
      retry_on_failure: { enabled: true },
    });
    expect(cfg!.endpoint).toBeUndefined();
    expect((cfg!.indexes as string[]).length).toBe(14);
  });

  it('takes retention in days or as a period with a unit', () => {
    const { cfg } = parse({ retention: { requests: 3, errors: '2w', oauth: '36h', stats: '1d' } });
    expect(cfg!.retention).toEqual({ requests: 3 * 86400, errors: 14 * 86400, oauth: 36 * 3600, stats: 86400 });
  });

  it('refuses endpoint together with cluster', () => {
    expect(parse({ endpoint: 'redis://h:6379', cluster: ['h:7000'] }).errors).toEqual([
      'exporters::redis: set either "endpoint" (one Redis) or "cluster" (Redis Cluster seed nodes), not both',
    ]);
  });

  it('reports every bad option at once, each with its path', () => {
    const { errors } = parse({
      endpoint: 'http://h',
      cluster: ['no-port'],
      retention: { requests: '7 days' },
      mapping: { client_ip: [] },
      key_prefix: 'a*b',
      pipeline_size: 1,
      slow_threshold: 'slow',
      stream: { max_length: 0 },
      colour: 'red',
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^exporters::redis::colour: unknown key/),
        'exporters::redis::endpoint: must be a redis:// or rediss:// URL',
        'exporters::redis::cluster::0: must be host:port',
        expect.stringMatching(/^exporters::redis::retention::requests: must be a positive number of days/),
        'exporters::redis::mapping::client_ip: must not be empty',
        expect.stringMatching(/^exporters::redis::key_prefix: must be letters, digits/),
        'exporters::redis::pipeline_size: must be an integer from 10 to 100000',
        expect.stringMatching(/^exporters::redis::slow_threshold: must be a duration/),
        'exporters::redis::stream::max_length: must be a positive integer',
      ]),
    );
    expect(errors).toHaveLength(9);
  });

  it('refuses unknown mapping fields and index names, naming the valid ones', () => {
    const { errors } = parse({ mapping: { ip: 'x' }, indexes: ['ip', 'colour'] });
    expect(errors).toEqual([
      expect.stringMatching(/^exporters::redis::mapping: unknown field "ip" \(expected one of: client_ip, /),
      expect.stringMatching(/^exporters::redis::indexes: unknown index "colour"/),
    ]);
  });

  it('refuses a dedup window shorter than the retry budget, which could count a retried batch twice', () => {
    expect(parse({ dedup_window: '1m', retry_on_failure: { max_elapsed_time: '5m' } }).errors).toEqual([
      expect.stringMatching(/^exporters::redis::dedup_window: must be at least retry_on_failure::max_elapsed_time/),
    ]);
  });

  it('throws one error listing every problem for in-process options', () => {
    expect(() => new RedisExporter({ endpoint: 'redis://h', cluster: ['h:1'], pipeline_size: 0 })).toThrow(
      /pipeline_size: must be an integer from 10 to 100000/,
    );
  });
});
