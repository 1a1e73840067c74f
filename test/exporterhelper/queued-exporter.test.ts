import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { BackpressureError, PermanentError } from '../../src/component/errors.js';
import type { Host } from '../../src/component/types.js';
import { exporterHelperFields } from '../../src/exporterhelper/config.js';
import { obj } from '../../src/config/schema.js';
import { QueuedExporter, type PushExporter } from '../../src/exporterhelper/queued-exporter.js';
import { LogRecordData } from '../../src/model/log-record.js';
import { RecordTap } from '../../src/pipeline/tap.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { M, Telemetry } from '../../src/telemetry/metrics.js';

/** An exporter that fails its first `failures` calls, then stores what it gets. */
class FlakyExporter implements PushExporter {
  readonly received: ReadableLogRecord[] = [];
  calls = 0;
  shutdowns = 0;
  constructor(private failures: number, private readonly error: Error = new Error('Backend unavailable.'), private readonly hold?: Promise<void>) {}
  export(records: ReadableLogRecord[], cb: (r: ExportResult) => void): void {
    this.calls++;
    void (this.hold ?? Promise.resolve()).then(() => {
      if (this.failures > 0) { this.failures--; cb({ code: ExportResultCode.FAILED, error: this.error }); return; }
      this.received.push(...records);
      cb({ code: ExportResultCode.SUCCESS });
    });
  }
  async shutdown(): Promise<void> { this.shutdowns++; }
}

function records(n: number): LogRecordData[] {
  const res = resourceFromAttributes({});
  return Array.from({ length: n }, (_, i) => {
    const r = new LogRecordData(res, { name: 't' });
    r.body = `r${i}`;
    return r;
  });
}

const helper = (over: Record<string, unknown> = {}) => obj(exporterHelperFields).parse(over, [], [])!;
const host: Host = { getExtension: () => undefined, findExtension: () => undefined, tap: new RecordTap(), logger: silentLogger, telemetry: new Telemetry() };

describe('exporter helper', () => {
  it('retries retryable failures with backoff until the records arrive', async () => {
    const telemetry = new Telemetry();
    const inner = new FlakyExporter(2);
    const q = new QueuedExporter({ id: 'x', logger: silentLogger, telemetry }, inner, helper({ retry_on_failure: { initial_interval: '5ms', max_interval: '20ms' } }));
    await q.start(host);
    await q.consume(records(3));
    await q.drained();
    expect(inner.received).toHaveLength(3);
    expect(inner.calls).toBe(3);
    expect(telemetry.value(M.exporterRetries, { exporter: 'x' })).toBe(2);
    expect(telemetry.value(M.exporterSent, { exporter: 'x' })).toBe(3);
    await q.shutdown();
  });

  it('drops and counts permanent failures without retrying', async () => {
    const telemetry = new Telemetry();
    const inner = new FlakyExporter(1, new PermanentError('Schema mismatch.'));
    const q = new QueuedExporter({ id: 'p', logger: silentLogger, telemetry }, inner, helper({ retry_on_failure: { initial_interval: '5ms' } }));
    await q.start(host);
    await q.consume(records(4));
    await q.drained();
    expect(inner.calls).toBe(1);
    expect(telemetry.value(M.exporterFailed, { exporter: 'p' })).toBe(4);
    await q.shutdown();
  });

  it('refuses with a BackpressureError when the queue is full instead of dropping', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => { release = r; });
    const telemetry = new Telemetry();
    const inner = new FlakyExporter(0, undefined, hold);
    const q = new QueuedExporter({ id: 'q', logger: silentLogger, telemetry }, inner, helper({ sending_queue: { num_consumers: 1, queue_size: 2 } }));
    await q.start(host);
    await q.consume(records(1)); // in flight
    await q.consume(records(1)); // queued
    await q.consume(records(1)); // queued
    await expect(q.consume(records(1))).rejects.toBeInstanceOf(BackpressureError);
    expect(telemetry.value(M.exporterEnqueueFailed, { exporter: 'q' })).toBe(1);
    release();
    await q.drained();
    expect(inner.received).toHaveLength(3);
    await q.shutdown();
  });

  it('drains the queue at shutdown, is safe to shut down twice and without start', async () => {
    const inner = new FlakyExporter(1);
    const q = new QueuedExporter({ id: 'd', logger: silentLogger, telemetry: new Telemetry() }, inner, helper({ retry_on_failure: { initial_interval: '5ms' } }));
    await q.start(host);
    await q.consume(records(5));
    await Promise.all([q.shutdown(), q.shutdown()]);
    expect(inner.received).toHaveLength(5);
    expect(inner.shutdowns).toBe(1);
    await expect(q.consume(records(1))).rejects.toBeInstanceOf(BackpressureError);

    const never = new QueuedExporter({ id: 'n', logger: silentLogger, telemetry: new Telemetry() }, new FlakyExporter(0), helper());
    await never.shutdown();
    await never.shutdown();
  });

  it('without a sending queue, a failure after retries reaches the caller', async () => {
    const inner = new FlakyExporter(100);
    const q = new QueuedExporter({ id: 's', logger: silentLogger, telemetry: new Telemetry() }, inner,
      helper({ sending_queue: { enabled: false }, retry_on_failure: { initial_interval: '1ms', max_elapsed_time: '20ms' } }));
    await q.start(host);
    await expect(q.consume(records(1))).rejects.toBeInstanceOf(BackpressureError);
    await q.shutdown();
  });
});
