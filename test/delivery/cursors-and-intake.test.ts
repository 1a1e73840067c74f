// Exporter cursors and the all-or-nothing intake, through their public classes
// with real records and exporters that fail, stall or count on purpose.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { BackpressureError } from '../../src/component/errors.js';
import type { LogsConsumer } from '../../src/component/types.js';
import { DeliveryLog, MemoryBudget } from '../../src/delivery/delivery-log.js';
import { LogCursor, type BatchSettings } from '../../src/delivery/log-cursor.js';
import { PipelineTail } from '../../src/delivery/pipeline-tail.js';
import { RequestIntake } from '../../src/delivery/request-intake.js';
import { exporterHelperFields, type ExporterHelperSettings } from '../../src/exporterhelper/config.js';
import type { LogSpan, PushExporter } from '../../src/exporterhelper/push-exporter.js';
import { obj } from '../../src/config/schema.js';
import { RecordTap } from '../../src/pipeline/tap.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { M, Telemetry } from '../../src/telemetry/metrics.js';
import { requestAuditRecords } from '../../bench/fixtures.js';

const helper = (o: Record<string, unknown> = {}): ExporterHelperSettings =>
  obj(exporterHelperFields).parse(
    { timeout: '5s', retry_on_failure: { initial_interval: '5ms', max_interval: '20ms' }, ...o },
    [],
    [],
  )! as ExporterHelperSettings;
const idOf = (r: ReadableLogRecord) => String(r.attributes['request.id']);
const until = async (cond: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('Timed out.');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** Counts what it stores; fails the first `failures` attempts; each attempt takes `delayMs`. */
class CountingExporter implements PushExporter<ReadableLogRecord[]> {
  stored: string[] = [];
  batches: number[] = [];
  spans: LogSpan[] = [];
  attempts = 0;
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private failures = 0,
    private delayMs = 0,
  ) {}
  prepare(records: ReadableLogRecord[]): ReadableLogRecord[] {
    return records;
  }
  exportPrepared(
    records: ReadableLogRecord[],
    cb: (r: ExportResult) => void,
    span: LogSpan = { log: '', first: 0, end: 0 },
  ): void {
    this.attempts++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    setTimeout(() => {
      this.inFlight--;
      if (this.failures > 0) {
        this.failures--;
        cb({ code: ExportResultCode.FAILED, error: new Error('sink down') });
        return;
      }
      this.stored.push(...records.map(idOf));
      this.batches.push(records.length);
      this.spans.push(span);
      cb({ code: ExportResultCode.SUCCESS });
    }, this.delayMs);
  }
  export(records: ReadableLogRecord[], cb: (r: ExportResult) => void): void {
    this.exportPrepared(records, cb);
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

function setup(batch: BatchSettings = { size: 100, maxSize: 100, timeoutMs: 5 }) {
  const telemetry = new Telemetry();
  const log = new DeliveryLog('logs', new MemoryBudget(1 << 30));
  log.open(0);
  const cursor = (id: string, e: PushExporter, h = helper()) => {
    const c = new LogCursor(log, e, { id, logger: silentLogger, telemetry }, h, batch);
    c.start(0);
    return c;
  };
  const put = (start: number, n: number) => {
    log.append(requestAuditRecords(start, n), n * 100);
    log.publish();
  };
  return { log, cursor, put, telemetry };
}

describe('exporter cursors', () => {
  it('retries a failing exporter alone: the healthy one gets every record once, the failing one too once it recovers', async () => {
    const { cursor, put } = setup();
    const steady = new CountingExporter();
    const flaky = new CountingExporter(3);
    const cs = [cursor('steady', steady), cursor('flaky', flaky)];
    for (let i = 0; i < 10; i++) put(i * 50, 50);
    await until(() => steady.stored.length === 500 && flaky.stored.length === 500);
    expect(new Set(steady.stored).size).toBe(500);
    expect(new Set(flaky.stored).size).toBe(500);
    expect(flaky.attempts).toBeGreaterThan(steady.attempts);
    await Promise.all(cs.map((c) => c.drain(1000)));
  });

  it('awaits an attempt that outlives its timeout instead of racing a retry against it', async () => {
    const { cursor, put, telemetry } = setup();
    const slow = new CountingExporter(0, 150);
    const c = cursor('slow', slow, helper({ timeout: '20ms' }));
    put(0, 10);
    await until(() => slow.stored.length === 10);
    await new Promise((r) => setTimeout(r, 100));
    expect(slow.attempts).toBe(1);
    expect(slow.maxInFlight).toBe(1);
    expect(telemetry.value(M.exporterRetries, { exporter: 'slow' })).toBe(0);
    await c.drain(1000);
  });

  it('batches by send_batch_size, caps at send_batch_max_size, and sends the rest after the timeout, in position order', async () => {
    const { cursor, put } = setup({ size: 10, maxSize: 15, timeoutMs: 30 });
    const e = new CountingExporter();
    put(0, 37);
    const c = cursor('e', e);
    await until(() => e.stored.length === 37);
    expect(e.batches).toEqual([15, 15, 7]);
    expect(e.spans.map((s) => [s.first, s.end])).toEqual([
      [0, 15],
      [15, 30],
      [30, 37],
    ]);
    await c.drain(1000);
  });

  it('reports the backlog as the queue size gauge and brings it back to 0', async () => {
    const { cursor, put, telemetry } = setup();
    const e = new CountingExporter(2);
    const c = cursor('g', e);
    put(0, 30);
    await until(() => e.stored.length === 30);
    await c.drain(1000);
    expect(telemetry.value(M.queueSize, { exporter: 'g', log: 'logs' })).toBe(0);
  });

  it('at shutdown in memory mode keeps retrying until the deadline, then drops and counts what is left', async () => {
    const { cursor, put, telemetry } = setup();
    const down = new CountingExporter(Infinity);
    const c = cursor('down', down);
    put(0, 20);
    await c.drain(100);
    expect(down.stored).toHaveLength(0);
    expect(telemetry.value(M.exporterFailed, { exporter: 'down' })).toBe(20);
  });

  it('drains everything acknowledged at shutdown when the exporter is merely slow', async () => {
    const { cursor, put } = setup({ size: 1000, maxSize: 1000, timeoutMs: 10_000 });
    const e = new CountingExporter(1, 20);
    const c = cursor('slowish', e);
    put(0, 250);
    await c.drain(10_000);
    expect(e.stored).toHaveLength(250);
  });
});

describe('request intake', () => {
  function twoPipelines(bBudget: number) {
    const logA = new DeliveryLog('logs/a', new MemoryBudget(1 << 30));
    const logB = new DeliveryLog('logs/b', new MemoryBudget(bBudget));
    logA.open(0);
    logB.open(0);
    const tap = new RecordTap();
    const intake = new RequestIntake(
      [
        { name: 'logs/a', head: new PipelineTail(0), log: logA, index: 0 },
        { name: 'logs/b', head: new PipelineTail(1), log: logB, index: 1 },
      ],
      2,
      tap,
      silentLogger,
    );
    return { logA, logB, intake };
  }

  it('appends one request to every pipeline, each with its own copy', async () => {
    const { logA, logB, intake } = twoPipelines(1 << 30);
    await intake.consume(requestAuditRecords(0, 5), 500);
    expect(logA.end).toBe(5);
    expect(logB.end).toBe(5);
    expect(logA.read(0, 5).records[0]).not.toBe(logB.read(0, 5).records[0]);
  });

  it('refuses a request wholly (503) when one pipeline is full: the other pipeline takes nothing', async () => {
    const { logA, logB, intake } = twoPipelines(10_000);
    await intake.consume(requestAuditRecords(0, 5), 5_000); // fills B
    const before = logA.end;
    const err = await intake.consume(requestAuditRecords(5, 5), 5_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackpressureError);
    expect((err as BackpressureError).status).toBe(503);
    expect(logA.end).toBe(before);
    expect(logB.end).toBe(5);
  });

  it('refuses a request wholly when a processor of one pipeline refuses it (memory_limiter)', async () => {
    const logA = new DeliveryLog('logs/a', new MemoryBudget(1 << 30));
    const logB = new DeliveryLog('logs/b', new MemoryBudget(1 << 30));
    logA.open(0);
    logB.open(0);
    const refusing: LogsConsumer = {
      consume: () => Promise.reject(new BackpressureError('Memory usage is above the soft limit.', 1, 429)),
    };
    const intake = new RequestIntake(
      [
        { name: 'logs/a', head: new PipelineTail(0), log: logA, index: 0 },
        { name: 'logs/b', head: refusing, log: logB, index: 1 },
      ],
      2,
      new RecordTap(),
      silentLogger,
    );
    const err = await intake.consume(requestAuditRecords(0, 5), 500).catch((e: unknown) => e);
    expect((err as BackpressureError).status).toBe(429);
    expect(logA.end).toBe(0);
  });

  it('refuses with 503 once its logs are closed for shutdown', async () => {
    const { logA, intake } = twoPipelines(1 << 30);
    logA.close();
    const err = await intake.consume(requestAuditRecords(0, 1), 100).catch((e: unknown) => e);
    expect((err as BackpressureError).status).toBe(503);
  });
});
