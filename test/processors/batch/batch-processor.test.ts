import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { BackpressureError } from '../../../src/component/errors.js';
import type { Host, LogsConsumer } from '../../../src/component/types.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { batchProcessorFactory } from '../../../processors/batch/factory.js';

class Collecting implements LogsConsumer {
  batches: ReadableLogRecord[][] = [];
  refuse = 0;
  async consume(records: ReadableLogRecord[]): Promise<void> {
    if (this.refuse > 0) { this.refuse--; throw new BackpressureError('Queue full.', 0); }
    this.batches.push(records);
  }
  get count(): number { return this.batches.reduce((n, b) => n + b.length, 0); }
}

const res = resourceFromAttributes({});
const recs = (n: number) => Array.from({ length: n }, () => new LogRecordData(res, { name: 's' }));
const host: Host = { getExtension: () => undefined, findExtension: () => undefined, tap: new RecordTap(), logger: silentLogger, telemetry: new Telemetry() };

function make(cfg: Record<string, unknown>, next: LogsConsumer) {
  const parsed = batchProcessorFactory.config.parse(cfg, [], [])!;
  return batchProcessorFactory.create({ id: 'batch', logger: silentLogger, telemetry: new Telemetry() }, parsed, next);
}

const until = async (cond: () => boolean) => { for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5)); };

describe('batch processor', () => {
  it('sends full batches at send_batch_size, capped by send_batch_max_size', async () => {
    const out = new Collecting();
    const p = make({ send_batch_size: 10, send_batch_max_size: 15, timeout: '10s' }, out);
    await p.start(host);
    await p.consume(recs(37));
    expect(out.batches.map((b) => b.length)).toEqual([15, 15]);
    await p.shutdown();
    expect(out.count).toBe(37);
  });

  it('sends a partial batch after the timeout', async () => {
    const out = new Collecting();
    const p = make({ send_batch_size: 100, timeout: '20ms' }, out);
    await p.start(host);
    await p.consume(recs(3));
    await until(() => out.count === 3);
    expect(out.batches).toHaveLength(1);
    await p.shutdown();
  });

  it('keeps a refused batch and delivers it later; refuses new records while too much is held', async () => {
    const out = new Collecting();
    out.refuse = 3;
    const p = make({ send_batch_size: 5, timeout: '5ms', max_pending: 10 }, out);
    await p.start(host);
    await p.consume(recs(10));
    await expect(p.consume(recs(1))).rejects.toBeInstanceOf(BackpressureError);
    await until(() => out.count === 10);
    expect(out.count).toBe(10);
    await p.shutdown();
  });

  it('flushes everything at shutdown; shutdown is idempotent and safe without start', async () => {
    const out = new Collecting();
    const p = make({ send_batch_size: 1000, timeout: '1h' }, out);
    await p.start(host);
    await p.consume(recs(7));
    await Promise.all([p.shutdown(), p.shutdown()]);
    expect(out.count).toBe(7);
    await expect(p.consume(recs(1))).rejects.toBeInstanceOf(BackpressureError);
    const q = make({}, out);
    await q.shutdown();
    await q.shutdown();
  });

  it('refuses send_batch_max_size below send_batch_size', () => {
    const issues: { path: (string | number)[]; message: string }[] = [];
    batchProcessorFactory.config.parse({ send_batch_size: 10, send_batch_max_size: 5 }, ['processors', 'batch'], issues);
    expect(issues).toEqual([{ path: ['processors', 'batch', 'send_batch_max_size'], message: 'must be greater than or equal to send_batch_size' }]);
  });
});
