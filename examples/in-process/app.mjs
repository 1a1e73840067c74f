// In-process Auditline: no collector, no extra process. The redaction
// processor runs synchronously in onEmit, before Auditline's batch processor,
// so nothing sensitive is ever queued or written. AuditlineBatchProcessor,
// unlike the SDK's BatchLogRecordProcessor, does not drop the rest of a burst
// beyond 2,048 records, and retries a failed export instead of dropping it.
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { AuditlineBatchProcessor, MsgpackAuditExporter, createRedactionProcessor, trackRequest } from 'auditline';

const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'search-api' }),
  processors: [
    createRedactionProcessor(),
    new AuditlineBatchProcessor({ exporter: new MsgpackAuditExporter({ directory: './logs/{collection}/' }) }),
  ],
});
const logger = provider.getLogger('search-api');

// A plain audit event, like the seed's search_request.
logger.emit({
  eventName: 'search_request',
  severityNumber: SeverityNumber.INFO,
  body: 'Search by alice@example.com returned 3 results',
  attributes: {
    collection: 'products',
    'session.id': 'abc123',
    strategy: 'semantic',
    n: 3,
    'user.email': 'alice@example.com', // masked
    password: 'hunter2', // masked
    prompt: 'find me shoes like my last order', // dropped
  },
});

// trackRequest: one audit record per request with duration, status and error
// type; the handler's input and output are never logged.
const inference = {
  'event.name': 'inference',
  collection: 'inference',
  'gen_ai.request.model': 'llama-3-8b',
  'session.id': 'abc123',
};
await trackRequest(logger, { ...inference, endpoint: '/v1/chat/completions' }, async (ctx) => {
  const prompt = 'What is my account balance?';
  const reply = `echo: ${prompt}`;
  ctx.set('gen_ai.usage.input_tokens', prompt.length);
  ctx.set('gen_ai.usage.output_tokens', reply.length);
  return reply;
});
await trackRequest(logger, { ...inference, endpoint: '/v1/embeddings' }, async () => {
  throw new TypeError('Model not loaded');
}).catch(() => {});

await provider.shutdown();
console.log('Wrote logs/products/audit.log and logs/inference/audit.log.');
