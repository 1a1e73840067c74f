// One shared lifecycle test, run for every component the registry lists:
// shutdown without start; start → one record → shutdown; double shutdown.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factories } from '../src/components.js';
import type { Factory, Host, Lifecycle, LogsConsumer } from '../src/component/types.js';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { LogRecordData } from '../src/model/log-record.js';
import { RecordTap } from '../src/pipeline/tap.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { Telemetry } from '../src/telemetry/metrics.js';
import { tempDir } from './helpers/collector.js';
import { startRedis, type RedisServer } from './helpers/redis.js';

let dir: string;
let redis: RedisServer;

/** The smallest config each type needs beyond its defaults (ports are ephemeral). */
function minimalConfig(f: Factory): Record<string, unknown> {
  switch (f.type) {
    case 'otlp':
      return { protocols: { http: { endpoint: '127.0.0.1:0' }, grpc: { endpoint: '127.0.0.1:0' } } };
    case 'msgpack_audit':
      return { directory: join(dir, 'audit') };
    case 'sqlite':
      return { path: join(dir, 'db', 'auditline.db') };
    case 'redis':
      return { endpoint: redis.url };
    case 'file':
      return { path: join(dir, 'file', 'logs.jsonl') };
    case 'otlp_http':
      return { endpoint: 'http://127.0.0.1:9', retry_on_failure: { enabled: false }, sending_queue: { enabled: true } };
    case 'query_api':
      return { endpoint: '127.0.0.1:0', auth: { tokens: ['t0ken'] } };
    case 'health_check':
      return { endpoint: '127.0.0.1:0' };
    case 'bearertokenauth':
      return { token: 't0ken' };
    case 'file_storage':
      return { directory: join(dir, 'queue') };
    case 'memory_limiter':
      return { limit_mib: 65536 };
    case 'attributes':
      return { actions: [{ key: 'lifecycle.checked', value: true, action: 'insert' }] };
    default:
      return {};
  }
}

class Sink implements LogsConsumer {
  received: ReadableLogRecord[] = [];
  async consume(r: ReadableLogRecord[]): Promise<void> {
    this.received.push(...r);
  }
}

function oneRecord(): LogRecordData {
  const r = new LogRecordData(resourceFromAttributes({ 'service.name': 'lifecycle' }), { name: 'lifecycle' });
  r.hrTime = [Math.floor(Date.now() / 1000), 0];
  r.body = 'Lifecycle check.';
  r.severityNumber = 9;
  r.attributes = { 'event.name': 'lifecycle', 'session.id': 's1' };
  return r;
}

function build(f: Factory, next: LogsConsumer): Lifecycle & Partial<LogsConsumer> {
  const parsed = f.config.parse(minimalConfig(f), [f.type], []);
  if (parsed === undefined) throw new Error(`minimal config for ${f.type} is invalid`);
  const settings = { id: f.type, logger: silentLogger, telemetry: new Telemetry() };
  switch (f.kind) {
    case 'receiver':
      return f.create(settings, parsed, next);
    case 'processor':
      return f.create(settings, parsed, next);
    case 'exporter':
      return f.create(settings, parsed);
    case 'extension':
      return f.create(settings, parsed);
  }
}

const host: Host = {
  getExtension: () => undefined,
  findExtension: () => undefined,
  tap: new RecordTap(),
  logger: silentLogger,
  telemetry: new Telemetry(),
};

beforeAll(async () => {
  dir = tempDir('auditline-lifecycle-');
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(factories.map((f) => [`${f.kind} ${f.type}`, f] as const))('lifecycle – %s', (_name, f) => {
  it('shuts down without being started', async () => {
    const c = build(f, new Sink());
    await c.shutdown();
  });

  it('starts, takes one record, and shuts down twice', async () => {
    const sink = new Sink();
    const c = build(f, sink);
    await c.start(host);
    if (c.consume && f.type !== 'otlp_http') await c.consume([oneRecord()]);
    await c.shutdown();
    await c.shutdown();
    if (f.kind === 'processor' && f.type !== 'filter') expect(sink.received.length).toBe(1);
  });
});
