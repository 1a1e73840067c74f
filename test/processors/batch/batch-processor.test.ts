// The batch processor holds nothing: its keys shape the batches each exporter's
// cursor reads from the delivery log (see test/delivery/cursors-and-intake.test.ts).
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import type { LogsConsumer } from '../../../src/component/types.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { batchProcessorFactory } from '../../../processors/batch/factory.js';
import { BatchProcessor, batchSettingsOf } from '../../../processors/batch/batch-processor.js';
import { requestAuditRecords } from '../../../bench/fixtures.js';
import { formatIssue, takeWarnings, type ConfigIssue } from '../../../src/config/schema.js';

const parse = (cfg: Record<string, unknown>) => batchProcessorFactory.config.parse(cfg, [], [])!;

describe('batch processor', () => {
  it('passes records straight on, holding none in memory outside the delivery log', async () => {
    const got: ReadableLogRecord[][] = [];
    const next: LogsConsumer = {
      consume: async (r) => {
        got.push(r);
      },
    };
    const p = batchProcessorFactory.create(
      { id: 'batch', logger: silentLogger, telemetry: new Telemetry() },
      parse({}),
      next,
    );
    const recs = requestAuditRecords(0, 37);
    await p.consume(recs);
    expect(got).toEqual([recs]);
    await p.shutdown();
    await p.shutdown();
  });

  it("turns send_batch_size, send_batch_max_size and timeout into the exporters' batch settings", () => {
    expect(batchSettingsOf(parse({ send_batch_size: 10, send_batch_max_size: 15, timeout: '1s' }))).toEqual({
      size: 10,
      maxSize: 15,
      timeoutMs: 1000,
    });
    expect(batchSettingsOf(parse({}))).toEqual({ size: 8192, maxSize: 8192, timeoutMs: 200 });
    const p = new BatchProcessor(
      { id: 'b', logger: silentLogger, telemetry: new Telemetry() },
      parse({ send_batch_size: 5 }),
      { consume: async () => {} },
    );
    expect(p.batchSettings.size).toBe(5);
  });

  it('still validates its Collector keys', () => {
    const issues: { message: string }[] = [];
    batchProcessorFactory.config.parse({ send_batch_size: 10, send_batch_max_size: 5 }, [], issues as never);
    expect(issues.map((i) => i.message).join()).toMatch(/greater than or equal/);
  });

  it('takes timeout 0s (send at once), a bare integer as nanoseconds, and warns about what it cannot apply', () => {
    const issues: ConfigIssue[] = [];
    const cfg = batchProcessorFactory.config.parse({ timeout: '0s' }, ['processors', 'batch'], issues)!;
    expect(batchSettingsOf(cfg).timeoutMs).toBe(0);
    const nanos = batchProcessorFactory.config.parse(
      { timeout: 250_000_000, metadata_keys: ['tenant'] },
      ['processors', 'batch'],
      issues,
    )!;
    expect(issues).toEqual([]);
    expect(batchSettingsOf(nanos).timeoutMs).toBe(250);
    expect(batchSettingsOf(batchProcessorFactory.config.parse({ timeout: 0 }, [], [])!).timeoutMs).toBe(0);
    expect(takeWarnings(issues).map(formatIssue)).toEqual([
      'processors::batch::timeout: 250000000 without a unit is read as nanoseconds (250ms), as in the Collector; add a unit (s, ms)',
      'processors::batch::metadata_keys: ignored (Auditline batches records from all clients together)',
    ]);
  });
});
