// Micro-benchmark: records/s decoding one 512-record OTLP logs request
// (realistic request-audit records, 10 attributes each) with Auditline's own
// protobuf and JSON decoders. Prints figures only.
// Alone: `npx tsc -p . && node dist/bench/otlp-decode.js`.
import { pathToFileURL } from 'node:url';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { LogRecordData } from '../src/model/log-record.js';
import { decodeLogsRequestJson } from '../src/otlp/decode-json.js';
import { decodeLogsRequestProtobuf } from '../src/otlp/decode-protobuf.js';

const RECORDS = 512;
const ROUTES = ['/api/v1/chat/completions', '/api/v1/embeddings', '/api/v1/models', '/health'];
const MODELS = ['gpt-4o-mini', 'claude-3-5-sonnet', 'llama-3.1-70b'];

function hex(n: number, len: number): string {
  return (n.toString(16) + '0'.repeat(len)).slice(0, len);
}

/** Request-audit records as an app's SDK would export them. */
export function auditRecords(n: number): LogRecordData[] {
  const resource = resourceFromAttributes({
    'service.name': 'chat-gateway', 'service.version': '2.4.1', 'deployment.environment': 'production',
    'host.name': 'gw-7f9c4', 'telemetry.sdk.language': 'nodejs',
  });
  const scope = { name: 'auditline.request-audit', version: '1.0.0' };
  const out: LogRecordData[] = [];
  const t0 = 1700000000;
  for (let i = 0; i < n; i++) {
    const r = new LogRecordData(resource, scope);
    r.hrTime = [t0 + i, (i * 7919) % 1e9];
    r.hrTimeObserved = [t0 + i, (i * 7919 + 1234) % 1e9];
    r.severityNumber = i % 17 === 0 ? SeverityNumber.ERROR : SeverityNumber.INFO;
    r.severityText = i % 17 === 0 ? 'ERROR' : 'INFO';
    r.eventName = 'request.completed';
    r.body = `POST ${ROUTES[i % ROUTES.length]} completed with status ${i % 17 === 0 ? 500 : 200}`;
    r.spanContext = { traceId: hex(0xabcdef12 + i, 32), spanId: hex(0x1234 + i, 16), traceFlags: 1 };
    r.attributes = {
      'http.request.method': 'POST',
      'url.path': ROUTES[i % ROUTES.length]!,
      'http.response.status_code': i % 17 === 0 ? 500 : 200,
      'duration_ms': 12.5 + (i % 300),
      'session.id': `sess_${hex(i * 2654435761, 20)}`,
      'user.id': `user-${1000 + (i % 97)}`,
      'client.address': `10.0.${i % 256}.${(i * 7) % 256}`,
      'gen_ai.request.model': MODELS[i % MODELS.length]!,
      'gen_ai.usage.input_tokens': 100 + (i % 900),
      'authorization': i % 5 === 0 ? 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' : 'none',
    };
    out.push(r);
  }
  return out;
}

function measure(label: string, bytes: number, decode: () => number): void {
  for (let i = 0; i < 300; i++) decode(); // warm-up: let V8 optimise
  let iterations = 0;
  let records = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 1.5e9) {
    for (let i = 0; i < 20; i++) records += decode();
    iterations += 20;
    elapsed = Number(process.hrtime.bigint() - start);
  }
  const perSec = (records / elapsed) * 1e9;
  console.log(
    `otlp decode ${label.padEnd(9)} ${Math.round(perSec).toLocaleString('en-US').padStart(11)} records/s` +
    `  ${(elapsed / records).toFixed(0).padStart(5)} ns/record` +
    `  ${((bytes * iterations) / elapsed * 1e3).toFixed(0).padStart(4)} MB/s (${bytes} B/request)`,
  );
}

export async function run(): Promise<void> {
  const records = auditRecords(RECORDS);
  const pb = ProtobufLogsSerializer.serializeRequest(records)!;
  const json = JsonLogsSerializer.serializeRequest(records)!;
  console.log(`OTLP logs decode: ${RECORDS} records per request, 10 attributes each`);
  measure('protobuf', pb.length, () => decodeLogsRequestProtobuf(pb).records.length);
  measure('json', json.length, () => decodeLogsRequestJson(json).records.length);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
