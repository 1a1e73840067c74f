// An app that ships its logs to an Auditline sidecar with the official
// OpenTelemetry OTLP/HTTP exporter. It knows nothing about Auditline: the
// collector redacts, batches and writes the audit file and the database.
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { reportOutcome, withOutcome } from '../shared/export-outcome.mjs';

const url = process.env.OTLP_URL ?? 'http://localhost:4318/v1/logs';
// Counts what the collector accepted: the SDK's batch processor drops failed exports without telling the app.
const { exporter, outcome } = withOutcome(new OTLPLogExporter({ url }));
const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'interview-platform' }),
  // The SDK's default queue (2,048 records) silently drops the rest of a burst; size it for the largest one.
  processors: [new BatchLogRecordProcessor({ exporter, maxQueueSize: 100_000, maxExportBatchSize: 1024 })],
});
const logger = provider.getLogger('session_manager');

for (let i = 1; i <= 5; i++) {
  logger.emit({
    eventName: 'session_created',
    severityNumber: SeverityNumber.INFO,
    body: 'Session created',
    attributes: {
      collection: 'sessions',
      component: 'session_manager',
      operation: 'create_session',
      'session.id': `abc12${i}`,
      'user.id': `user-${i}`,
      'user.email': `candidate${i}@example.com`, // masked by the collector
      enabled_modes: ['text', 'whiteboard'],
    },
  });
}
logger.emit({
  severityNumber: SeverityNumber.ERROR,
  body: 'AI provider timed out',
  attributes: {
    collection: 'sessions',
    component: 'session_manager',
    operation: 'ask_ai',
    'session.id': 'abc121',
    'error.type': 'TimeoutError',
  },
});

await provider.shutdown();
reportOutcome(outcome, 'records', url);
