// ns per record for encoding a realistic request-audit record into an audit
// entry: Auditline's hand-written encoder vs @msgpack/msgpack's Encoder
// (which needs the entry built as an object first). Figures only.
import { pathToFileURL } from 'node:url';
import { Encoder } from '@msgpack/msgpack';
import { TraceFlags } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { type LogRecordData, recordEventName, recordTimeMillis, severityLevel } from '../src/model/log-record.js';
import { AuditEncoder } from '../exporters/msgpack-audit/audit-encoder.js';
import { requestAuditRecords } from './fixtures.js';

const BATCH = 512;

/** The shared request-audit fixture, each record inside a traced request. */
function tracedRecords(n: number): LogRecordData[] {
  const records = requestAuditRecords(0, n);
  records.forEach((r, i) => {
    r.spanContext = {
      traceId: `${i.toString(16).padStart(8, '0')}5b8efff798038103d269b633`,
      spanId: 'eee19b7ec3c1b174',
      traceFlags: TraceFlags.SAMPLED,
    };
  });
  return records;
}

function entryObject(r: ReadableLogRecord): Record<string, unknown> {
  const a = r.attributes;
  const data: Record<string, unknown> = {};
  if (r.body !== undefined && r.body !== null) data.body = r.body;
  data.severity = severityLevel(r);
  if (r.spanContext) {
    data.trace_id = r.spanContext.traceId;
    data.span_id = r.spanContext.spanId;
  }
  for (const k in a) if (k !== 'event.name' && k !== 'session.id') data[k] = a[k];
  const sid = a['session.id'];
  return {
    action: recordEventName(r) ?? 'log',
    session: typeof sid === 'string' ? sid : '',
    timestamp: recordTimeMillis(r),
    data,
  };
}

/**
 * Best of several passes, in CPU time per record (encoding is single-threaded,
 * so CPU time is the work done; it and the minimum are the least disturbed by
 * other load on the machine).
 */
function measure(records: ReadableLogRecord[], encodeBatch: (batch: ReadableLogRecord[]) => number): () => number {
  const batches: ReadableLogRecord[][] = [];
  for (let i = 0; i < records.length; i += BATCH) batches.push(records.slice(i, i + BATCH));
  for (let w = 0; w < 3; w++) for (const b of batches) encodeBatch(b); // warm-up
  return () => {
    const start = process.cpuUsage();
    for (const b of batches) encodeBatch(b);
    const used = process.cpuUsage(start);
    return ((used.user + used.system) * 1000) / records.length;
  };
}

export async function run(): Promise<{ auditline: number; msgpack: number }> {
  const records = tracedRecords(8192);
  const passes = 25;
  console.log(
    `msgpack audit entry encoding: ${records.length} request-audit records in batches of ${BATCH}, best of ${passes} passes, CPU time`,
  );

  const mine = new AuditEncoder();
  const auditlinePass = measure(records, (batch) => {
    mine.reset();
    for (let i = 0; i < batch.length; i++) mine.encodeRecord(batch[i]!);
    return mine.pos;
  });

  const enc = new Encoder({ initialBufferSize: 4096 });
  let chunk = Buffer.allocUnsafe(64 * 1024);
  const msgpackPass = measure(records, (batch) => {
    let pos = 0;
    for (let i = 0; i < batch.length; i++) {
      const bytes = enc.encodeSharedRef(entryObject(batch[i]!));
      if (pos + bytes.length > chunk.length) {
        const next = Buffer.allocUnsafe(chunk.length * 2);
        chunk.copy(next, 0, 0, pos);
        chunk = next;
      }
      chunk.set(bytes, pos);
      pos += bytes.length;
    }
    return pos;
  });

  let auditline = Infinity;
  let msgpack = Infinity;
  for (let i = 0; i < passes; i++) {
    auditline = Math.min(auditline, auditlinePass());
    msgpack = Math.min(msgpack, msgpackPass());
  }
  console.log(`  auditline AuditEncoder (into a reused Buffer)   ${auditline.toFixed(0).padStart(6)} ns/record`);
  console.log(`  @msgpack/msgpack Encoder (entry object + copy)  ${msgpack.toFixed(0).padStart(6)} ns/record`);
  console.log(`  entry size ${(mine.pos / BATCH).toFixed(0)} bytes; ratio ${(msgpack / auditline).toFixed(2)}x`);
  return { auditline, msgpack };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
