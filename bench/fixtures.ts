// Realistic request-audit records for benchmarks: HTTP and inference
// metadata, with a planted secret in some of them (an email, a bearer token,
// a card number in the body, a prompt) so redaction has real work to do.
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { LogAttributes } from '@opentelemetry/api-logs';
import { LogRecordData } from '../src/model/log-record.js';

const PATHS = ['/api/items', '/api/search', '/v1/chat/completions', '/api/users/42', '/healthz'];
const MODELS = ['llama-3-8b', 'mistral-7b', 'qwen-2-7b'];

export interface EmitArgs {
  eventName: string;
  severityNumber: SeverityNumber;
  severityText: string;
  body: string;
  attributes: LogAttributes;
}

/** The i-th record's fields, as an app would pass them to `logger.emit`. */
export function requestAudit(i: number): EmitArgs {
  const status = i % 17 === 0 ? 500 : i % 7 === 0 ? 404 : 200;
  const attributes: LogAttributes = {
    collection: 'bench',
    'session.id': `sess-${i % 1000}`,
    'user.id': `user-${i % 5000}`,
    'request.id': `req-${i}`,
    'http.request.method': i % 4 === 0 ? 'POST' : 'GET',
    'url.path': PATHS[i % PATHS.length]!,
    'http.response.status_code': status,
    'client.address': `10.0.${(i >> 8) & 255}.${i & 255}`,
    'server.address': 'api.example.com',
    'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0',
    duration_ms: (i % 1500) + 0.25,
    'gen_ai.request.model': MODELS[i % MODELS.length]!,
    'gen_ai.usage.input_tokens': 100 + (i % 400),
    'gen_ai.usage.output_tokens': 20 + (i % 200),
  };
  if (i % 10 === 0) attributes['user.email'] = `person${i}@example.com`;
  if (i % 10 === 3) attributes['http.request.header.authorization'] = 'Bearer q8Zr4TnV2mXw9LpK7sYd';
  if (i % 10 === 5) attributes['prompt'] = 'Summarise my medical history please';
  const body =
    i % 10 === 7
      ? 'Payment with card 4111 1111 1111 1111 accepted'
      : `${attributes['http.request.method']} ${attributes['url.path']} completed`;
  return {
    eventName: 'request',
    severityNumber: status >= 500 ? SeverityNumber.ERROR : SeverityNumber.INFO,
    severityText: status >= 500 ? 'ERROR' : 'INFO',
    body,
    attributes,
  };
}

const resource = resourceFromAttributes({ 'service.name': 'bench-api', 'host.name': 'bench-1' });
const scope = { name: 'bench', version: '1.0.0' };

/** Records in the collector's own shape, for serialising into OTLP requests. */
export function requestAuditRecords(start: number, n: number): LogRecordData[] {
  const now = Date.now();
  const out: LogRecordData[] = [];
  for (let i = start; i < start + n; i++) {
    const a = requestAudit(i);
    const r = new LogRecordData(resource, scope);
    const ms = now + Math.floor(i / 100);
    r.hrTime = [Math.floor(ms / 1000), (ms % 1000) * 1e6];
    r.hrTimeObserved = r.hrTime;
    r.eventName = a.eventName;
    r.severityNumber = a.severityNumber;
    r.severityText = a.severityText;
    r.body = a.body;
    r.attributes = a.attributes;
    out.push(r);
  }
  return out;
}
