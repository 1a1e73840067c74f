import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { BackpressureError, PermanentError } from '../../src/component/errors.js';
import type { Host } from '../../src/component/types.js';
import { exporterHelperFields } from '../../src/exporterhelper/config.js';
import { obj } from '../../src/config/schema.js';
import { QueuedExporter } from '../../src/exporterhelper/queued-exporter.js';
import type { PushExporter } from '../../src/exporterhelper/push-exporter.js';
import { LogRecordData } from '../../src/model/log-record.js';
import { RecordTap } from '../../src/pipeline/tap.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { M, Telemetry } from '../../src/telemetry/metrics.js';

/** An exporter that fails its first `failures` calls, then stores what it gets. */
class FlakyExporter implements PushExporter<ReadableLogRecord[]> {
  readonly received: ReadableLogRecord[] = [];
  calls = 0;
  shutdowns = 0;
  constructor(
    private failures: number,
    private readonly error: Error = new Error('Backend unavailable.'),
    private readonly hold?: Promise<void>,
  ) {}
  prepare(records: ReadableLogRecord[]): ReadableLogRecord[] {
    return records;
  }
  exportPrepared(records: ReadableLogRecord[], cb: (r: ExportResult) => void): void {
    this.export(records, cb);
  }
  export(records: ReadableLogRecord[], cb: (r: ExportResult) => void): void {
    this.calls++;
    void (this.hold ?? Promise.resolve()).then(() => {
      if (this.failures > 0) {
        this.failures--;
        cb({ code: ExportResultCode.FAILED, error: this.error });
        return;
      }
      this.received.push(...records);
      cb({ code: ExportResultCode.SUCCESS });
    });
  }
  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
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
const host: Host = {
  getExtension: () => undefined,
  findExtension: () => undefined,
  tap: new RecordTap(),
  logger: silentLogger,
  telemetry: new Telemetry(),
};

describe('exporter helper', () => {
  it('retries retryable failures with backoff until the records arrive', async () => {
    const telemetry = new Telemetry();
    const inner = new FlakyExporter(2);
    const q = new QueuedExporter(
      { id: 'x', logger: silentLogger, telemetry },
      inner,
      helper({ retry_on_failure: { initial_interval: '5ms', max_interval: '20ms' } }),
    );
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
    const q = new QueuedExporter(
      { id: 'p', logger: silentLogger, telemetry },
      inner,
      helper({ retry_on_failure: { initial_interval: '5ms' } }),
    );
    await q.start(host);
    await q.consume(records(4));
    await q.drained();
    expect(inner.calls).toBe(1);
    expect(telemetry.value(M.exporterFailed, { exporter: 'p' })).toBe(4);
    await q.shutdown();
  });

  it('refuses with a BackpressureError when the queue is full instead of dropping', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => {
      release = r;
    });
    const telemetry = new Telemetry();
    const inner = new FlakyExporter(0, undefined, hold);
    const q = new QueuedExporter(
      { id: 'q', logger: silentLogger, telemetry },
      inner,
      helper({ sending_queue: { num_consumers: 1, queue_size: 2 } }),
    );
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
    const q = new QueuedExporter(
      { id: 'd', logger: silentLogger, telemetry: new Telemetry() },
      inner,
      helper({ retry_on_failure: { initial_interval: '5ms' } }),
    );
    await q.start(host);
    await q.consume(records(5));
    await Promise.all([q.shutdown(), q.shutdown()]);
    expect(inner.received).toHaveLength(5);
    expect(inner.shutdowns).toBe(1);
    await expect(q.consume(records(1))).rejects.toBeInstanceOf(BackpressureError);

    const never = new QueuedExporter(
      { id: 'n', logger: silentLogger, telemetry: new Telemetry() },
      new FlakyExporter(0),
      helper(),
    );
    await never.shutdown();
    await never.shutdown();
  });

  it('without a sending queue, a failure after retries reaches the caller', async () => {
    const inner = new FlakyExporter(100);
    const q = new QueuedExporter(
      { id: 's', logger: silentLogger, telemetry: new Telemetry() },
      inner,
      helper({
        sending_queue: { enabled: false },
        retry_on_failure: { initial_interval: '1ms', max_elapsed_time: '20ms' },
      }),
    );
    await q.start(host);
    await expect(q.consume(records(1))).rejects.toBeInstanceOf(BackpressureError);
    await q.shutdown();
  });
});

/** A two-phase exporter: batches become strings as they are queued; the first `failures` sends fail. */
class PreparingExporter implements PushExporter<string[]> {
  readonly prepared: string[][] = [];
  readonly sent: unknown[] = [];
  readonly delivered: string[] = [];
  constructor(
    private failures = 0,
    private readonly badBody?: string,
  ) {}
  prepare(records: ReadableLogRecord[]): string[] {
    const bodies = records.map((r) => String(r.body));
    if (this.badBody !== undefined && bodies.includes(this.badBody)) throw new Error(`Cannot encode ${this.badBody}.`);
    this.prepared.push(bodies);
    return bodies;
  }
  exportPrepared(payload: string[], cb: (r: ExportResult) => void): void {
    this.sent.push(payload);
    setImmediate(() => {
      if (this.failures > 0) {
        this.failures--;
        cb({ code: ExportResultCode.FAILED, error: new Error('Backend unavailable.') });
        return;
      }
      this.delivered.push(...payload);
      cb({ code: ExportResultCode.SUCCESS });
    });
  }
  export(records: ReadableLogRecord[], cb: (r: ExportResult) => void): void {
    this.exportPrepared(this.prepare(records), cb);
  }
  async shutdown(): Promise<void> {}
}

describe('exporter helper with a preparing exporter', () => {
  it('prepares each batch once as it is queued and retries with the same payload', async () => {
    const telemetry = new Telemetry();
    const inner = new PreparingExporter(2);
    const q = new QueuedExporter(
      { id: 'pp', logger: silentLogger, telemetry },
      inner,
      helper({ retry_on_failure: { initial_interval: '5ms', max_interval: '10ms' } }),
    );
    await q.start(host);
    await q.consume(records(3));
    expect(inner.prepared).toEqual([['r0', 'r1', 'r2']]); // already converted when consume returned
    await q.drained();
    expect(inner.prepared).toHaveLength(1);
    expect(inner.sent).toHaveLength(3);
    expect(inner.sent[1]).toBe(inner.sent[0]);
    expect(inner.sent[2]).toBe(inner.sent[0]);
    expect(inner.delivered).toEqual(['r0', 'r1', 'r2']);
    expect(telemetry.value(M.exporterSent, { exporter: 'pp' })).toBe(3);
    expect(telemetry.value(M.exporterRetries, { exporter: 'pp' })).toBe(2);
    await q.shutdown();
  });

  it('drops and counts a batch that cannot be prepared, and keeps sending the others', async () => {
    const telemetry = new Telemetry();
    const inner = new PreparingExporter(0, 'r1');
    const q = new QueuedExporter(
      { id: 'pb', logger: silentLogger, telemetry },
      inner,
      helper({ retry_on_failure: { initial_interval: '5ms' } }),
    );
    await q.start(host);
    await q.consume(records(2)); // holds r1: cannot be prepared
    await q.consume(records(1));
    await q.drained();
    expect(inner.delivered).toEqual(['r0']);
    expect(telemetry.value(M.exporterFailed, { exporter: 'pb' })).toBe(2);
    expect(telemetry.value(M.exporterSent, { exporter: 'pb' })).toBe(1);
    expect(telemetry.value(M.exporterRetries, { exporter: 'pb' }) ?? 0).toBe(0);
    await q.shutdown();
  });

  it('prepares too when the sending queue is disabled, and reports a failure to the caller', async () => {
    const inner = new PreparingExporter(0, 'r0');
    const q = new QueuedExporter(
      { id: 'pd', logger: silentLogger, telemetry: new Telemetry() },
      inner,
      helper({ sending_queue: { enabled: false } }),
    );
    await q.start(host);
    await expect(q.consume(records(1))).rejects.toThrow(/Cannot prepare the batch: Cannot encode r0/);
    const ok = new PreparingExporter();
    const q2 = new QueuedExporter(
      { id: 'pe', logger: silentLogger, telemetry: new Telemetry() },
      ok,
      helper({ sending_queue: { enabled: false } }),
    );
    await q2.start(host);
    await q2.consume(records(2));
    expect(ok.delivered).toEqual(['r0', 'r1']);
    await q.shutdown();
    await q2.shutdown();
  });
});
