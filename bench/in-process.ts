// In-process cost per record: emit → redaction → SDK BatchLogRecordProcessor →
// MessagePack file, beside the SDK's own BatchLogRecordProcessor with a no-op
// exporter, measured in the same run. Records are emitted in bursts of 512
// with a macrotask between bursts (as a busy server would). The SDK queue is
// sized to hold the whole run so that the figure is the cost of getting every
// record to the file, not of dropping; drops are checked, not assumed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMulti } from '@msgpack/msgpack';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordExporter,
  type LogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { createRedactionProcessor } from '../processors/redaction/redaction-processor.js';
import { MsgpackAuditExporter } from '../exporters/msgpack-audit/msgpack-audit-exporter.js';
import { requestAudit, type EmitArgs } from './fixtures.js';

class NoopExporter implements LogRecordExporter {
  count = 0;
  export(records: ReadableLogRecord[], cb: (r: ExportResult) => void): void {
    this.count += records.length;
    cb({ code: ExportResultCode.SUCCESS });
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

const BURST = 512;

async function timeEmit(processors: LogRecordProcessor[], records: EmitArgs[]): Promise<number> {
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'bench' }), processors });
  const logger = provider.getLogger('bench');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < records.length; i++) {
    // The SDK keeps the attributes object it is given; pass a fresh copy as an app would build one.
    const r = records[i]!;
    logger.emit({
      eventName: r.eventName,
      severityNumber: r.severityNumber,
      severityText: r.severityText,
      body: r.body,
      attributes: { ...r.attributes },
    });
    if ((i + 1) % BURST === 0) await new Promise((res) => setImmediate(res));
  }
  await provider.forceFlush();
  const ns = Number(process.hrtime.bigint() - t0);
  await provider.shutdown();
  return ns / records.length;
}

export interface InProcessResult {
  sdkNoopNs: number;
  redactionNoopNs: number;
  auditlineNs: number;
  ratio: number;
}

export async function run(n = 200_000, rounds = 5): Promise<InProcessResult> {
  const records = Array.from({ length: n }, (_, i) => requestAudit(i));
  const batchOptions = { maxQueueSize: n, maxExportBatchSize: 512, scheduledDelayMillis: 200 };
  const dir = mkdtempSync(join(tmpdir(), 'auditline-inproc-'));
  const best = { sdk: Infinity, red: Infinity, ours: Infinity };
  try {
    for (let round = 0; round < rounds; round++) {
      const noop = new NoopExporter();
      best.sdk = Math.min(
        best.sdk,
        await timeEmit([new BatchLogRecordProcessor({ exporter: noop, ...batchOptions })], records),
      );
      if (noop.count !== n) throw new Error(`The SDK baseline dropped ${n - noop.count} records.`);

      const noop2 = new NoopExporter();
      best.red = Math.min(
        best.red,
        await timeEmit(
          [createRedactionProcessor(), new BatchLogRecordProcessor({ exporter: noop2, ...batchOptions })],
          records,
        ),
      );

      const sub = join(dir, String(round));
      const exporter = new MsgpackAuditExporter({ directory: sub });
      best.ours = Math.min(
        best.ours,
        await timeEmit(
          [createRedactionProcessor(), new BatchLogRecordProcessor({ exporter, ...batchOptions })],
          records,
        ),
      );
      const written = [...decodeMulti(readFileSync(join(sub, 'audit.log')))].length;
      if (written !== n) throw new Error(`Only ${written} of ${n} records reached the audit file.`);
      global.gc?.();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const result = {
    sdkNoopNs: best.sdk,
    redactionNoopNs: best.red,
    auditlineNs: best.ours,
    ratio: best.ours / best.sdk,
  };
  console.log(`in-process, ${n} records, best of ${rounds} rounds (ns per record, emit to flushed):`);
  console.log(`  SDK BatchLogRecordProcessor + no-op exporter      ${best.sdk.toFixed(0).padStart(6)} ns`);
  console.log(`  + Auditline redaction (no-op exporter)            ${best.red.toFixed(0).padStart(6)} ns`);
  console.log(
    `  + redaction + MessagePack audit file (all writes) ${best.ours.toFixed(0).padStart(6)} ns   = ${result.ratio.toFixed(2)}x the SDK no-op (target <= 1.5x)`,
  );
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
