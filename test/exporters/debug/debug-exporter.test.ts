// Issue #15: the debug exporter prints what the Collector's debug exporter
// prints (exporter/debugexporter with internal/normal and internal/otlptext),
// compared exactly for fixed records and a fixed clock.
import { PassThrough } from 'node:stream';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { debugExporterFactory } from '../../../exporters/debug/factory.js';
import { DebugExporter, type DebugExporterOptions } from '../../../exporters/debug/debug-exporter.js';
import { defaultRegistry } from '../../../src/components.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { startCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/ports.js';

const NOW = Date.UTC(2024, 0, 15, 10, 30, 46, 500);

function records(): LogRecordData[] {
  const resource = resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'web-1' });
  const scope = { name: 'orders', version: '1.2.0' };
  const a = new LogRecordData(resource, scope);
  a.hrTime = [1_705_314_645, 123_000_000];
  a.hrTimeObserved = [1_705_314_645, 123_456_789];
  a.severityNumber = SeverityNumber.INFO;
  a.severityText = 'INFO';
  a.body = 'Session created';
  a.attributes = { 'session.id': 'abc123', attempt: 2, ratio: 0.5, ok: true, tags: ['a', 'b'] };
  a.spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
  const b = new LogRecordData(resource, scope);
  b.hrTime = [1_705_314_646, 0];
  b.hrTimeObserved = b.hrTime;
  b.severityNumber = SeverityNumber.ERROR2;
  b.eventName = 'payment.failed';
  b.body = { z: 1, a: { y: 'x' } };
  return [a, b];
}

function run(opts: Partial<DebugExporterOptions>, batches = 1): string {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const e = new DebugExporter({
    id: 'debug',
    verbosity: 'basic',
    sampling_initial: 2,
    sampling_thereafter: 1,
    use_internal_logger: true,
    streams: [out],
    now: () => NOW,
    ...opts,
  });
  for (let i = 0; i < batches; i++) e.export(records(), () => undefined);
  return text;
}

const FIELDS = '{"kind": "exporter", "data_type": "logs", "name": "debug"}';
const SUMMARY = `2024-01-15T10:30:46.500Z\tinfo\tLogsExporter\t{"kind": "exporter", "data_type": "logs", "name": "debug", "resource logs": 1, "log records": 2}\n`;

describe("debug exporter – the Collector's output shapes", () => {
  it('basic: one summary entry per batch', () => {
    expect(run({ verbosity: 'basic' })).toBe(SUMMARY);
  });

  it('normal: the summary, then a line per resource, scope and record', () => {
    expect(run({ verbosity: 'normal' })).toBe(
      SUMMARY +
        '2024-01-15T10:30:46.500Z\tinfo\tResourceLog #0 service.name=checkout host.name=web-1\n' +
        'ScopeLog #0 orders@1.2.0\n' +
        'Session created session.id=abc123 attempt=2 ratio=0.5 ok=true tags=["a","b"]\n' +
        '{"a":{"y":"x"},"z":1} \n' +
        `\t${FIELDS}\n`,
    );
  });

  it('detailed: every field of ResourceLog, ScopeLogs and LogRecord', () => {
    expect(run({ verbosity: 'detailed' })).toBe(
      SUMMARY +
        '2024-01-15T10:30:46.500Z\tinfo\tResourceLog #0\n' +
        'Resource SchemaURL: \n' +
        'Resource attributes:\n' +
        '     -> service.name: Str(checkout)\n' +
        '     -> host.name: Str(web-1)\n' +
        'ScopeLogs #0\n' +
        'ScopeLogs SchemaURL: \n' +
        'InstrumentationScope orders 1.2.0\n' +
        'LogRecord #0\n' +
        'ObservedTimestamp: 2024-01-15 10:30:45.123456789 +0000 UTC\n' +
        'Timestamp: 2024-01-15 10:30:45.123 +0000 UTC\n' +
        'SeverityText: INFO\n' +
        'SeverityNumber: Info(9)\n' +
        'Body: Str(Session created)\n' +
        'Attributes:\n' +
        '     -> session.id: Str(abc123)\n' +
        '     -> attempt: Int(2)\n' +
        '     -> ratio: Double(0.5)\n' +
        '     -> ok: Bool(true)\n' +
        '     -> tags: Slice(["a","b"])\n' +
        'Trace ID: 0af7651916cd43dd8448eb211c80319c\n' +
        'Span ID: b7ad6b7169203331\n' +
        'Flags: 1\n' +
        'LogRecord #1\n' +
        'ObservedTimestamp: 2024-01-15 10:30:46 +0000 UTC\n' +
        'Timestamp: 2024-01-15 10:30:46 +0000 UTC\n' +
        'SeverityText: \n' +
        'SeverityNumber: Error2(18)\n' +
        'EventName: payment.failed\n' +
        'Body: Map({"a":{"y":"x"},"z":1})\n' +
        'Trace ID: \n' +
        'Span ID: \n' +
        'Flags: 0\n' +
        `\t${FIELDS}\n`,
    );
  });

  it('samples as zap does: sampling_initial entries per second with the same message, then every sampling_thereafter-th', () => {
    const lines = (initial: number, thereafter: number) =>
      run({ sampling_initial: initial, sampling_thereafter: thereafter }, 7).split('\n').filter(Boolean).length;
    expect(lines(2, 1)).toBe(7);
    expect(lines(2, 3)).toBe(3); // 1, 2, then the 5th
    expect(lines(1, 0)).toBe(1);
  });

  it('with use_internal_logger: false writes unprefixed entries without the component fields', () => {
    expect(run({ use_internal_logger: false })).toBe('LogsExporter\t{"resource logs": 1, "log records": 2}\n');
  });

  it('is registered, and its config is checked as the Collector checks it', () => {
    expect(defaultRegistry().get('exporter', 'debug')).toBe(debugExporterFactory);
    const issues: { path: (string | number)[]; message: string }[] = [];
    debugExporterFactory.config.parse({ verbosity: 'loud', output_paths: ['stderr'] }, ['exporters', 'debug'], issues);
    expect(issues.map((i) => `${i.path.join('::')}: ${i.message}`)).toEqual([
      'exporters::debug::verbosity: must be one of basic, normal, detailed',
    ]);
  });

  it("prints to the collector's stderr in a real collector process", async () => {
    const port = await freePort();
    const c = await startCollector(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${port} }
exporters:
  debug/verbose:
    verbosity: detailed
service:
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [debug/verbose]
`);
    try {
      const body = JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cli' } }] },
            scopeLogs: [
              {
                scope: { name: 's' },
                logRecords: [
                  { timeUnixNano: '1705314645000000000', severityNumber: 13, body: { stringValue: 'hello debug' } },
                ],
              },
            ],
          },
        ],
      });
      const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(200);
      for (let i = 0; i < 1000 && !c.output().includes('Flags: 0'); i++) await new Promise((r) => setTimeout(r, 20));
      const out = c.output();
      expect(out).toMatch(
        /\tinfo\tLogsExporter\t\{"kind": "exporter", "data_type": "logs", "name": "debug\/verbose", "resource logs": 1, "log records": 1\}\n/,
      );
      expect(out).toContain('Resource attributes:\n     -> service.name: Str(cli)\n');
      expect(out).toContain(
        'Timestamp: 2024-01-15 10:30:45 +0000 UTC\nSeverityText: \nSeverityNumber: Warn(13)\nBody: Str(hello debug)\n',
      );
      expect(out).toContain('Flags: 0\n\t{"kind": "exporter", "data_type": "logs", "name": "debug/verbose"}\n');
    } finally {
      await c.cleanup();
    }
  }, 60_000);
});
