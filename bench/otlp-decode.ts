// Records/s decoding one 512-record OTLP logs request with Auditline's own
// protobuf and JSON decoders; the requests are written by the official
// @opentelemetry/otlp-transformer serializers. Prints figures only.
// Alone: `npx tsc -p . && node dist/bench/otlp-decode.js`.
import { pathToFileURL } from 'node:url';
import { TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LogRecordData } from '../src/model/log-record.js';
import { decodeLogsRequestJson } from '../src/otlp/decode-json.js';
import { decodeLogsRequestProtobuf } from '../src/otlp/decode-protobuf.js';
import { requestAuditRecords } from './fixtures.js';

const RECORDS = 512;
const ROUTES = ['/api/v1/chat/completions', '/api/v1/embeddings', '/api/v1/models', '/health'];
const MODELS = ['gpt-4o-mini', 'claude-3-5-sonnet', 'llama-3.1-70b'];

function hex(n: number, len: number): string {
  return (n.toString(16) + '0123456789abcdef'.repeat(2)).slice(0, len);
}

/** Request-audit records with exactly 10 attributes, each in its own trace. */
export function tenAttributeRecords(n: number): LogRecordData[] {
  const resource = resourceFromAttributes({
    'service.name': 'chat-gateway',
    'service.version': '2.4.1',
    'deployment.environment': 'production',
  });
  const scope = { name: 'request-audit', version: '1.0.0' };
  const out: LogRecordData[] = [];
  for (let i = 0; i < n; i++) {
    const r = new LogRecordData(resource, scope);
    const failed = i % 17 === 0;
    r.hrTime = [1700000000 + i, (i * 7919) % 1e9];
    r.hrTimeObserved = [1700000000 + i, (i * 7919 + 1234) % 1e9];
    r.severityNumber = failed ? SeverityNumber.ERROR : SeverityNumber.INFO;
    r.severityText = failed ? 'ERROR' : 'INFO';
    r.eventName = 'request.completed';
    r.body = `POST ${ROUTES[i % ROUTES.length]} completed with status ${failed ? 500 : 200}`;
    r.spanContext = { traceId: hex(0xabcdef12 + i, 32), spanId: hex(0x1234 + i, 16), traceFlags: TraceFlags.SAMPLED };
    r.attributes = {
      'http.request.method': 'POST',
      'url.path': ROUTES[i % ROUTES.length]!,
      'http.response.status_code': failed ? 500 : 200,
      duration_ms: 12.5 + (i % 300),
      'session.id': `sess_${hex(i * 2654435761, 20)}`,
      'user.id': `user-${1000 + (i % 97)}`,
      'client.address': `10.0.${i % 256}.${(i * 7) % 256}`,
      'gen_ai.request.model': MODELS[i % MODELS.length]!,
      'gen_ai.usage.input_tokens': 100 + (i % 900),
      authorization: i % 5 === 0 ? 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' : 'none',
    };
    out.push(r);
  }
  return out;
}

/** The shared request-audit fixture (bench/fixtures.ts), each record traced. */
function fixtureRecords(n: number): LogRecordData[] {
  const records = requestAuditRecords(0, n);
  records.forEach((r, i) => {
    r.spanContext = {
      traceId: hex(0x5b8efff7 + i, 32),
      spanId: hex(0xeee19b7e + i, 16),
      traceFlags: TraceFlags.SAMPLED,
    };
  });
  return records;
}

interface Figure {
  recordsPerSec: number;
  cpuNsPerRecord: number;
}

/**
 * Best of several passes. CPU time is the work done (decoding is one thread)
 * and, with the minimum, least disturbed by other load; wall time is shown too.
 */
function measure(decode: () => number, passes = 15, perPass = 40): Figure {
  for (let i = 0; i < 200; i++) decode(); // warm-up: let V8 optimise
  let cpu = Infinity;
  let wall = Infinity;
  for (let p = 0; p < passes; p++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (let i = 0; i < perPass; i++) n += decode();
    const w = Number(process.hrtime.bigint() - t0) / n;
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, ((c.user + c.system) * 1000) / n);
    wall = Math.min(wall, w);
  }
  return { recordsPerSec: 1e9 / wall, cpuNsPerRecord: cpu };
}

function line(label: string, bytes: number, f: Figure): void {
  console.log(
    `  ${label.padEnd(34)} ${Math.round(f.recordsPerSec).toLocaleString('en-US').padStart(10)} records/s` +
      `  ${f.cpuNsPerRecord.toFixed(0).padStart(6)} ns/record CPU  (${(bytes / RECORDS).toFixed(0)} B/record)`,
  );
}

export async function run(): Promise<Record<string, Figure>> {
  console.log(`OTLP logs decoding: one ${RECORDS}-record request, best of 15 passes`);
  const results: Record<string, Figure> = {};
  const sets: [string, LogRecordData[]][] = [
    ['10 attributes', tenAttributeRecords(RECORDS)],
    [`fixture, ~${Object.keys(fixtureRecords(1)[0]!.attributes).length} attributes`, fixtureRecords(RECORDS)],
  ];
  for (const [name, records] of sets) {
    const pb = ProtobufLogsSerializer.serializeRequest(records)!;
    const json = JsonLogsSerializer.serializeRequest(records)!;
    const p = measure(() => decodeLogsRequestProtobuf(pb).records.length);
    line(`protobuf, ${name}`, pb.length, p);
    const j = measure(() => decodeLogsRequestJson(json).records.length, 5, 10);
    line(`JSON, ${name}`, json.length, j);
    results[`protobuf ${name}`] = p;
    results[`json ${name}`] = j;
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
