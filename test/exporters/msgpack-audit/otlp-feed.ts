// Feeds a collector process over OTLP/HTTP protobuf with the official SDK
// exporter, and the collector config the console and msgpack_audit process
// tests share.
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';

export const T = Date.UTC(2024, 0, 15, 10, 30, 45, 123);

export async function emit(
  port: number,
  records: { body: string; attributes: Record<string, string | number> }[],
): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'interview-platform' }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${port}/v1/logs` }),
        scheduledDelayMillis: 10,
      }),
    ],
  });
  const logger = provider.getLogger('e2e');
  for (const r of records) logger.emit({ timestamp: T, severityNumber: SeverityNumber.INFO, ...r });
  await provider.shutdown();
}

export async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`Gave up waiting for ${what}.`);
}

export function collectorYaml(port: number, color: string): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${port} }
processors:
  batch: { timeout: 10ms }
exporters:
  console:
    color: ${color}
  msgpack_audit:
    directory: "{{dir}}/logs/{collection}/"
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [console, msgpack_audit]
`;
}
