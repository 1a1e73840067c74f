import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { BackpressureError } from '../../../src/component/errors.js';
import type { Host, LogsConsumer } from '../../../src/component/types.js';
import type { ConfigIssue } from '../../../src/config/schema.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { otlpReceiverFactory, type OtlpReceiver } from '../../../src/receivers/otlp/factory.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { M, Telemetry } from '../../../src/telemetry/metrics.js';
import { memoryLimiterProcessorFactory } from '../../../processors/memory-limiter/factory.js';
import { resolveLimits } from '../../../processors/memory-limiter/limits.js';
import type { MemoryLimiterConfig } from '../../../processors/memory-limiter/config.js';

const MIB = 1024 * 1024;

class Sink implements LogsConsumer {
  received: ReadableLogRecord[] = [];
  async consume(r: ReadableLogRecord[]): Promise<void> {
    for (const x of r) this.received.push(x);
  }
}

const host: Host = {
  getExtension: () => undefined,
  findExtension: () => undefined,
  tap: new RecordTap(),
  logger: silentLogger,
  telemetry: new Telemetry(),
};
const recs = (n: number) =>
  Array.from({ length: n }, () => new LogRecordData(resourceFromAttributes({}), { name: 't' }));

function parse(raw: unknown): { cfg?: MemoryLimiterConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const cfg = memoryLimiterProcessorFactory.config.parse(raw, ['processors', 'memory_limiter'], issues);
  return { cfg, issues };
}

function make(raw: unknown, next: LogsConsumer, telemetry = new Telemetry()) {
  const { cfg, issues } = parse(raw);
  if (!cfg) throw new Error(issues.map((i) => i.message).join('; '));
  return memoryLimiterProcessorFactory.create({ id: 'memory_limiter', logger: silentLogger, telemetry }, cfg, next);
}

describe('memory_limiter processor', () => {
  it('refuses records with a 429 backpressure error and counts them when memory is above the soft limit', async () => {
    const sink = new Sink();
    const telemetry = new Telemetry();
    // 1 MiB is far below the RSS of any Node process.
    const p = make({ check_interval: '1s', limit_mib: 1 }, sink, telemetry);
    await p.start(host);
    const err = await p.consume(recs(3)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackpressureError);
    expect((err as BackpressureError).status).toBe(429);
    expect((err as BackpressureError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(sink.received).toHaveLength(0);
    expect(telemetry.value(M.processorRefused, { processor: 'memory_limiter' })).toBe(3);
    await p.shutdown();
  });

  it('passes records through unchanged while memory is below the soft limit', async () => {
    const sink = new Sink();
    const p = make({ limit_mib: 1_000_000 }, sink);
    await p.start(host);
    const batch = recs(5);
    await p.consume(batch);
    expect(sink.received).toEqual(batch);
    await p.shutdown();
    await p.shutdown();
  });

  it('makes the OTLP/HTTP receiver answer 429 with Retry-After while refusing', async () => {
    const sink = new Sink();
    const limiter = make({ check_interval: '2s', limit_mib: 1 }, sink);
    const rcfg = otlpReceiverFactory.config.parse({ protocols: { http: { endpoint: '127.0.0.1:0' } } }, [], [])!;
    const receiver = otlpReceiverFactory.create(
      { id: 'otlp', logger: silentLogger, telemetry: new Telemetry() },
      rcfg,
      limiter,
    ) as OtlpReceiver;
    await limiter.start(host);
    await receiver.start(host);
    try {
      const port = receiver.http!.port;
      const body = {
        resourceLogs: [
          {
            resource: { attributes: [] },
            scopeLogs: [{ scope: { name: 's' }, logRecords: [{ body: { stringValue: 'hello' } }] }],
          },
        ],
      };
      const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(sink.received).toHaveLength(0);
    } finally {
      await receiver.shutdown();
      await limiter.shutdown();
    }
  });

  it('shuts down without being started', async () => {
    const p = make({ limit_mib: 100 }, new Sink());
    await p.shutdown();
    await p.shutdown();
  });
});

describe('memory_limiter config', () => {
  it('requires limit_mib or limit_percentage', () => {
    const { cfg, issues } = parse({ check_interval: '1s' });
    expect(cfg).toBeUndefined();
    expect(issues.map((i) => i.path.join('::'))).toEqual(['processors::memory_limiter']);
    expect(issues[0]!.message).toMatch(/limit_mib or limit_percentage/);
  });

  it('refuses a spike limit that is not below the limit', () => {
    expect(parse({ limit_mib: 100, spike_limit_mib: 100 }).issues.map((i) => i.path.join('::'))).toEqual([
      'processors::memory_limiter::spike_limit_mib',
    ]);
    expect(parse({ limit_percentage: 50, spike_limit_percentage: 60 }).issues.map((i) => i.path.join('::'))).toEqual([
      'processors::memory_limiter::spike_limit_percentage',
    ]);
  });

  it('refuses percentages above 100 and a bad check_interval', () => {
    const { issues } = parse({ limit_percentage: 150, check_interval: 'soon' });
    expect(issues.map((i) => i.path.join('::')).sort()).toEqual([
      'processors::memory_limiter::check_interval',
      'processors::memory_limiter::limit_percentage',
    ]);
  });

  it('defaults the spike to 20% of the limit and lets limit_mib win over percentages', () => {
    const a = resolveLimits(parse({ limit_mib: 1000 }).cfg!);
    expect(a).toEqual({ hardBytes: 1000 * MIB, softBytes: 800 * MIB });
    const b = resolveLimits(parse({ limit_mib: 4000, spike_limit_mib: 800, limit_percentage: 10 }).cfg!);
    expect(b).toEqual({ hardBytes: 4000 * MIB, softBytes: 3200 * MIB });
  });

  it('computes percentage limits from total memory as in the Collector example', () => {
    const total = () => 1000 * MIB;
    expect(resolveLimits(parse({ limit_percentage: 80, spike_limit_percentage: 15 }).cfg!, total)).toEqual({
      hardBytes: 800 * MIB,
      softBytes: 650 * MIB,
    });
    expect(resolveLimits(parse({ limit_percentage: 50 }).cfg!, total)).toEqual({
      hardBytes: 500 * MIB,
      softBytes: 400 * MIB,
    });
  });
});

describe('memory_limiter GC intervals', () => {
  it("accepts the Collector's GC interval keys and refuses a soft interval below the hard one", () => {
    expect(
      parse({
        limit_mib: 100,
        min_gc_interval_when_soft_limited: '30s',
        min_gc_interval_when_hard_limited: '1s',
        max_gc_interval_when_soft_limited: '1m',
      }).issues,
    ).toEqual([]);
    expect(
      parse({
        limit_mib: 100,
        min_gc_interval_when_soft_limited: '1s',
        min_gc_interval_when_hard_limited: '5s',
      }).issues.map((i) => i.path.join('::')),
    ).toEqual(['processors::memory_limiter::min_gc_interval_when_soft_limited']);
  });
});
