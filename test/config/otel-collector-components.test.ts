// A config written for the OpenTelemetry Collector that uses memory_limiter,
// attributes, filter, batch, otlphttp and file loads unchanged, and runs: an
// app using the official OTLP exporter → sidecar (memory_limiter → attributes
// → filter → batch → file + otlphttp) → gateway (otlp → file).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factories } from '../../src/components.js';
import { Registry } from '../../src/component/registry.js';
import type { Factory } from '../../src/component/types.js';
import { ConfigError, loadConfigText } from '../../src/config/load.js';
import { formatIssue } from '../../src/config/schema.js';
import { Service } from '../../src/pipeline/service.js';
import type { OtlpReceiver } from '../../src/receivers/otlp/factory.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { M } from '../../src/telemetry/metrics.js';
import { memoryLimiterProcessorFactory } from '../../processors/memory-limiter/factory.js';
import { attributesProcessorFactory } from '../../processors/attributes/factory.js';
import { filterProcessorFactory } from '../../processors/filter/factory.js';
import { otlpHttpExporterFactory } from '../../exporters/otlp-http/factory.js';
import { fileExporterFactory } from '../../exporters/file/factory.js';
import { tempDir } from '../helpers/collector.js';

// The shipped registry plus these components (whether or not it lists them yet).
const mine: Factory[] = [
  memoryLimiterProcessorFactory,
  attributesProcessorFactory,
  filterProcessorFactory,
  otlpHttpExporterFactory,
  fileExporterFactory,
];
const registry = new Registry([
  ...factories,
  ...mine.filter((f) => !factories.some((g) => g.kind === f.kind && g.type === f.type)),
]);

const SIDECAR = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 100000
    spike_limit_mib: 1000
  attributes/privacy:
    actions:
      - key: deployment.environment
        value: production
        action: insert
      - key: user.email
        action: hash
      - key: http.url
        pattern: ^(?P<url_scheme>[a-z]+)://(?P<server_address>[^/]+)
        action: extract
      - key: internal.debug
        action: delete
  filter/noise:
    error_mode: ignore
    logs:
      log_record:
        - severity_number < SEVERITY_NUMBER_INFO
        - IsMatch(body, "^GET /health")
        - attributes["http.route"] == "/metrics" and severity_text != "ERROR"
  batch:
    timeout: 20ms
exporters:
  otlphttp:
    endpoint: \${env:GATEWAY_URL}
    compression: gzip
    retry_on_failure:
      initial_interval: 50ms
  file:
    path: \${env:OUT_DIR}/sidecar.jsonl
    rotation:
      max_megabytes: 10
      max_backups: 5
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [memory_limiter, attributes/privacy, filter/noise, batch]
      exporters: [file, otlphttp]
`;

const GATEWAY = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
processors:
  batch:
    timeout: 20ms
exporters:
  file:
    path: \${env:OUT_DIR}/gateway.jsonl
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [file]
`;

const readLines = (f: string) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};
const lineCount = (f: string) => {
  try {
    return readLines(f).length;
  } catch {
    return 0;
  }
};

describe('a Collector config using memory_limiter, attributes, filter, otlphttp and file', () => {
  let dir: string;
  let gateway: Service;
  let sidecar: Service;

  beforeAll(async () => {
    dir = tempDir('auditline-compat-');
    gateway = new Service(loadConfigText(GATEWAY, registry, { OUT_DIR: dir }), { logger: silentLogger });
    await gateway.start();
    const gwPort = gateway.component<OtlpReceiver>('otlp')!.http!.port!;
    sidecar = new Service(
      loadConfigText(SIDECAR, registry, { OUT_DIR: dir, GATEWAY_URL: `http://127.0.0.1:${gwPort}` }),
      { logger: silentLogger },
    );
    await sidecar.start();
  });

  afterAll(async () => {
    await sidecar?.shutdown();
    await gateway?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads unchanged and carries records from an OTel SDK app through the sidecar to the gateway', async () => {
    const port = sidecar.component<OtlpReceiver>('otlp')!.http!.port!;
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout' }),
      processors: [
        new BatchLogRecordProcessor({
          exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${port}/v1/logs` }),
          scheduledDelayMillis: 10,
        }),
      ],
    });
    const logger = provider.getLogger('orders');
    const emit = (
      severityNumber: SeverityNumber,
      severityText: string,
      body: string,
      attributes: Record<string, string | number> = {},
    ) => logger.emit({ severityNumber, severityText, body, attributes });
    emit(SeverityNumber.INFO, 'INFO', 'Order placed', {
      'user.email': 'alice@example.com',
      'http.url': 'https://shop.example.com/cart',
      'internal.debug': 'x',
      seq: 1,
    });
    emit(SeverityNumber.DEBUG, 'DEBUG', 'Cache warmed', { seq: 2 });
    emit(SeverityNumber.INFO, 'INFO', 'GET /health 200', { seq: 3 });
    emit(SeverityNumber.INFO, 'INFO', 'Scraped', { 'http.route': '/metrics', seq: 4 });
    emit(SeverityNumber.ERROR, 'ERROR', 'Scrape failed', { 'http.route': '/metrics', seq: 5 });
    await provider.forceFlush();
    await provider.shutdown();

    const gatewayFile = join(dir, 'gateway.jsonl');
    await until(() => lineCount(gatewayFile) >= 2);
    for (const file of [join(dir, 'sidecar.jsonl'), gatewayFile]) {
      const rows = readLines(file);
      expect(rows.map((r) => r.metadata.seq)).toEqual([1, 5]);
      const [placed, failed] = rows as [Record<string, any>, Record<string, any>];
      expect(placed).toMatchObject({
        level: 'INFO',
        component: 'orders',
        message: 'Order placed',
        service: 'checkout',
      });
      expect(placed.metadata).toEqual({
        seq: 1,
        'deployment.environment': 'production',
        'user.email': 'ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976',
        'http.url': 'https://shop.example.com/cart',
        url_scheme: 'https',
        server_address: 'shop.example.com',
      });
      expect(failed).toMatchObject({ level: 'ERROR', message: 'Scrape failed' });
    }
    expect(sidecar.telemetry.total(M.processorFiltered)).toBe(3);
  });
});

describe('config errors in these components', () => {
  it('are all reported at once with their YAML paths', () => {
    let issues: string[] = [];
    try {
      loadConfigText(
        `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  memory_limiter:
    check_interval: 1s
  attributes:
    actions:
      - { key: a, action: hash, value: 1 }
  filter:
    logs:
      log_record:
        - 'Len(body) > 3'
exporters:
  otlphttp:
    compression: lz4
  file: {}
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [memory_limiter, attributes, filter]
      exporters: [otlphttp, file]
`,
        registry,
        {},
      );
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues = err.issues.map(formatIssue);
    }
    const paths = issues.map((i) => i.replace(/:\s.*$/, '')).sort();
    expect(paths).toEqual([
      'exporters::file::path',
      'exporters::otlphttp::compression',
      'processors::attributes::actions::0::value',
      'processors::filter::logs::log_record::0',
      'processors::memory_limiter',
    ]);
  });
});
