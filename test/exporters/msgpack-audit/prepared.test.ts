// Batches are encoded when handed over (prepare), so the sending queue holds
// bytes; a payload is written once even when retried, and a pooled payload
// buffer is only reused after every write of it has finished.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MsgpackAuditExporter, type AuditPayload } from '../../../exporters/msgpack-audit/msgpack-audit-exporter.js';
import { msgpackAuditExporterFactory } from '../../../exporters/msgpack-audit/factory.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { tempDir } from '../../helpers/collector.js';
import { readWithPython } from './python-reader.js';
import { record } from './records.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('auditline-msgpack-prepared-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sent = (e: MsgpackAuditExporter, p: AuditPayload) => new Promise<ExportResult>((res) => e.exportPrepared(p, res));
/** Enough records for a payload above the pooling threshold (64 KiB). */
function big(tag: string) {
  return Array.from({ length: 600 }, (_, i) => record({ attributes: { tag, seq: i, pad: 'p'.repeat(100) } }));
}

describe('msgpack_audit prepared payloads', () => {
  it('msgpack_audit – a queued batch is encoded on enqueue: records changed afterwards do not change the file', async () => {
    const telemetry = new Telemetry();
    const factory = msgpackAuditExporterFactory;
    const cfg = factory.config.parse({ directory: dir }, [], [])!;
    const exporter = factory.create({ id: 'msgpack_audit', logger: silentLogger, telemetry }, cfg);
    await exporter.start({
      getExtension: () => undefined,
      findExtension: () => undefined,
      tap: new RecordTap(),
      logger: silentLogger,
      telemetry,
    });
    // The first batch's write is in flight, so the second waits in the queue.
    await exporter.consume(big('first'));
    const records = [record({ attributes: { user: 'before' } }), record({ attributes: { user: 'before' } })];
    await exporter.consume(records);
    for (const r of records) r.attributes = { user: 'after' };
    await exporter.shutdown();
    expect(
      readWithPython(join(dir, 'audit.log'))
        .slice(600)
        .map((r) => r.entry.data.user),
    ).toEqual(['before', 'before']);
  });

  it('msgpack_audit – a payload sent again after it landed (a retry of a timed-out attempt) is not written twice', async () => {
    const exporter = new MsgpackAuditExporter({ directory: dir });
    const payload = exporter.prepare([record({ attributes: { n: 1 } })]);
    const first = sent(exporter, payload);
    const queuedRetry = sent(exporter, payload); // behind its own attempt, before it landed
    expect((await first).code).toBe(ExportResultCode.SUCCESS);
    expect((await queuedRetry).code).toBe(ExportResultCode.SUCCESS);
    expect((await sent(exporter, payload)).code).toBe(ExportResultCode.SUCCESS); // after it landed
    await exporter.shutdown();
    expect(readWithPython(join(dir, 'audit.log')).map((r) => r.entry.data.n)).toEqual([1]);
  });

  it('msgpack_audit – pooled payload buffers are reused only once written, so later batches never overwrite queued bytes', async () => {
    const exporter = new MsgpackAuditExporter({ directory: dir });
    const a = exporter.prepare(big('a'));
    expect(a.bytes.length).toBeGreaterThan(64 * 1024);
    const aDone = sent(exporter, a);
    const aAgain = sent(exporter, a);
    // Prepared while a's writes are pending: must not take a's buffer.
    const b = exporter.prepare(big('b'));
    expect(b.bytes.buffer).not.toBe(a.bytes.buffer);
    await Promise.all([aDone, aAgain]);
    // a is written now; its buffer may be reused by the next batch.
    const c = exporter.prepare(big('c'));
    expect(c.bytes.buffer).toBe(a.bytes.buffer);
    await sent(exporter, b);
    await sent(exporter, c);
    await exporter.shutdown();
    const tags = readWithPython(join(dir, 'audit.log')).map((r) => `${r.entry.data.tag}${r.entry.data.seq}`);
    expect(tags).toEqual([...big('a'), ...big('b'), ...big('c')].map((r) => `${r.attributes.tag}${r.attributes.seq}`));
  });
});
