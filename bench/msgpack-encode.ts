// ns per record for encoding a realistic request-audit record into an audit
// entry: Auditline's hand-written encoder vs @msgpack/msgpack's Encoder
// (which needs the entry built as an object first). Figures only.
import { pathToFileURL } from 'node:url';
import { Encoder } from '@msgpack/msgpack';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { LogRecordData, recordEventName, recordTimeMillis, severityLevel } from '../src/model/log-record.js';
import { AuditEncoder } from '../exporters/msgpack-audit/audit-encoder.js';

const BATCH = 512;

export function requestAuditRecords(n: number): LogRecordData[] {
  const resource = resourceFromAttributes({ 'service.name': 'inference-api' });
  const scope = { name: 'auditline.bench', version: '1.0.0' };
  const out: LogRecordData[] = [];
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const r = new LogRecordData(resource, scope);
    const t = now + i;
    r.hrTime = [Math.floor(t / 1000), (t % 1000) * 1e6];
    r.hrTimeObserved = r.hrTime;
    r.severityNumber = i % 50 === 0 ? SeverityNumber.ERROR : SeverityNumber.INFO;
    r.severityText = i % 50 === 0 ? 'ERROR' : 'INFO';
    r.eventName = 'request';
    r.body = 'Request completed.';
    r.spanContext = {
      traceId: (i.toString(16).padStart(8, '0') + '5b8efff798038103d269b633813fc60c').slice(0, 32),
      spanId: 'eee19b7ec3c1b174', traceFlags: TraceFlags.SAMPLED,
    };
    r.attributes = {
      'session.id': `sess-${i % 97}`,
      'request.id': `req-${i.toString(36)}-${(i * 7919).toString(36)}`,
      'user.id': `user-${i % 1013}`,
      endpoint: '/v1/chat/completions',
      'http.request.method': 'POST',
      model: 'mlx-community/Llama-3.2-3B-Instruct-4bit',
      backend_type: 'mlx',
      status: i % 50 === 0 ? 'error' : 'success',
      duration_ms: 12.5 + (i % 300) * 1.25,
      prompt_tokens: 200 + (i % 900),
      completion_tokens: 30 + (i % 400),
      total_tokens: 230 + (i % 1300),
      'client.address': `203.0.113.${i % 250}`,
      'user_agent.original': 'python-httpx/0.27.0',
      stream: i % 3 === 0,
    };
    out.push(r);
  }
  return out;
}

function entryObject(r: ReadableLogRecord): Record<string, unknown> {
  const a = r.attributes;
  const data: Record<string, unknown> = {};
  if (r.body !== undefined && r.body !== null) data.body = r.body;
  data.severity = severityLevel(r);
  if (r.spanContext) { data.trace_id = r.spanContext.traceId; data.span_id = r.spanContext.spanId; }
  for (const k in a) if (k !== 'event.name' && k !== 'session.id') data[k] = a[k];
  const sid = a['session.id'];
  return { action: recordEventName(r) ?? 'log', session: typeof sid === 'string' ? sid : '', timestamp: recordTimeMillis(r), data };
}

/** Best of several passes (ns per record): the minimum is the least disturbed by other load on the machine. */
function measure(records: ReadableLogRecord[], encodeBatch: (batch: ReadableLogRecord[]) => number): () => number {
  const batches: ReadableLogRecord[][] = [];
  for (let i = 0; i < records.length; i += BATCH) batches.push(records.slice(i, i + BATCH));
  for (let w = 0; w < 3; w++) for (const b of batches) encodeBatch(b); // warm-up
  return () => {
    const start = process.hrtime.bigint();
    for (const b of batches) encodeBatch(b);
    return Number(process.hrtime.bigint() - start) / records.length;
  };
}

export async function run(): Promise<{ auditline: number; msgpack: number }> {
  const records = requestAuditRecords(8192);
  const passes = 15;
  console.log(`msgpack audit entry encoding: ${records.length} request-audit records in batches of ${BATCH}, best of ${passes} passes`);

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
