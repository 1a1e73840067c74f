// The `redis` exporter factory for collector pipelines.
import { defineExporter } from '../../src/exporterhelper/define-exporter.js';
import { checkRedisConfig, redisFields } from './config.js';
import { RedisExporter } from './exporter.js';

export const REDIS_TYPE = 'redis';

export const redisExporterFactory = defineExporter({
  type: REDIS_TYPE,
  description:
    'Writes request hashes, sorted-set indexes, live streams, hourly stats and unique-visitor HyperLogLogs to Redis or Redis Cluster, and serves the /logs queries.',
  fields: redisFields,
  check: checkRedisConfig,
  create(settings, config) {
    return RedisExporter.fromConfig(config, {
      id: settings.id,
      logger: settings.logger,
      telemetry: settings.telemetry,
      commandTimeout: config.timeout,
    });
  },
});
