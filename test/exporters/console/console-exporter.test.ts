import { PassThrough } from 'node:stream';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { ConsoleExporter } from '../../../exporters/console/console-exporter.js';
import { consoleExporterFactory } from '../../../exporters/console/factory.js';
import { formatHumanLine } from '../../../src/format/human-line.js';
import type { ConfigIssue } from '../../../src/config/schema.js';
import { exportRecords, record } from '../msgpack-audit/records.js';

const T = Date.UTC(2024, 0, 15, 10, 30, 45, 123);

/** A real stream that collects what is written; `tty` sets isTTY as a terminal stream has it. */
function sink(tty = false): PassThrough & { isTTY?: boolean; text(): string } {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; text(): string };
  let out = '';
  s.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  if (tty) s.isTTY = true;
  s.text = () => out;
  return s;
}

const hasEscape = (s: string) => s.includes('\x1b[');

describe('console exporter', () => {
  it('console – prints the seed human format with UTC time, component, message and fields', async () => {
    const stream = sink();
    const exporter = new ConsoleExporter({ stream });
    const res = await exportRecords(exporter, [
      record({
        timeMs: T,
        severityNumber: SeverityNumber.INFO,
        body: 'Session created',
        attributes: { component: 'session_manager', session_id: 'abc123' },
      }),
      record({
        timeMs: T + 1000,
        severityNumber: SeverityNumber.ERROR,
        body: 'Upload failed',
        attributes: { component: 'storage', 'error.type': 'ENOSPC', bytes: 1024 },
      }),
    ]);
    expect(res.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    expect(stream.text()).toBe(
      '2024-01-15 10:30:45 [INFO] session_manager: Session created (session_id=abc123)\n' +
        '2024-01-15 10:30:46 [ERROR] storage: Upload failed (error.type=ENOSPC, bytes=1024)\n',
    );
  });

  it('console – through the SDK, the component falls back to service.name, then the scope name', async () => {
    const stream = sink();
    const exporter = new ConsoleExporter({ stream, color: 'never' });
    const named = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'billing' }),
      processors: [new BatchLogRecordProcessor({ exporter })],
    });
    named.getLogger('billing.scope').emit({
      timestamp: T,
      severityNumber: SeverityNumber.WARN,
      body: 'Card declined',
      attributes: { 'session.id': 's1' },
    });
    await named.forceFlush();
    const unnamed = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter })] });
    unnamed
      .getLogger('search.scope')
      .emit({ timestamp: T, severityNumber: SeverityNumber.DEBUG, eventName: 'search_request', attributes: { n: 3 } });
    await unnamed.forceFlush();
    await named.shutdown();
    expect(stream.text()).toBe(
      '2024-01-15 10:30:45 [WARNING] billing: Card declined (session.id=s1)\n' +
        '2024-01-15 10:30:45 [DEBUG] search.scope: search_request (n=3)\n',
    );
  });

  it('console – colours by level only on a TTY or when forced, and never with NO_COLOR', async () => {
    const line = async (opts: ConstructorParameters<typeof ConsoleExporter>[0], tty: boolean) => {
      const stream = sink(tty);
      const exporter = new ConsoleExporter({ ...opts, stream });
      await exportRecords(exporter, [
        record({ timeMs: T, severityNumber: SeverityNumber.ERROR, body: 'Boom', attributes: { component: 'c' } }),
      ]);
      await exporter.shutdown();
      return stream.text();
    };
    expect(hasEscape(await line({ color: 'auto', env: {} }, false))).toBe(false);
    expect(await line({ color: 'auto', env: {} }, true)).toContain('\x1b[31m[ERROR]\x1b[0m');
    expect(hasEscape(await line({ color: 'always', env: {} }, false))).toBe(true);
    expect(hasEscape(await line({ color: 'never', env: {} }, true))).toBe(false);
    expect(hasEscape(await line({ color: 'always', env: { NO_COLOR: '1' } }, true))).toBe(false);
    expect(hasEscape(await line({ color: 'auto', env: { NO_COLOR: '1' } }, true))).toBe(false);
  });

  it('console – newlines and terminal escapes in a record cannot forge lines or colours', async () => {
    const stream = sink();
    const exporter = new ConsoleExporter({ stream, color: 'never' });
    await exportRecords(exporter, [
      record({
        timeMs: T,
        body: 'ok\n2024-01-15 10:30:45 [INFO] auth: login as admin\x1b[2J',
        attributes: {
          component: 'api\r',
          note: 'two words',
          path: 'a=b',
          nested: { k: [1, 'x'] },
          raw: new Uint8Array([1, 255]),
          empty: '',
        },
      }),
    ]);
    await exporter.shutdown();
    const out = stream.text();
    expect(out.split('\n')).toHaveLength(2);
    expect(out).not.toContain('\x1b');
    expect(out).toBe(
      '2024-01-15 10:30:45 [INFO] api\\r: ok\\n2024-01-15 10:30:45 [INFO] auth: login as admin\\u001b[2J' +
        ' (note="two words", path="a=b", nested={"k":[1,"x"]}, raw=0x01ff, empty="")\n',
    );
  });

  it('console – formatHumanLine colours the level, dims the time and fields', () => {
    expect(formatHumanLine('WARNING', T, 'jobs', 'Retrying', { attempt: 2 }, true)).toBe(
      '\x1b[2m2024-01-15 10:30:45\x1b[0m \x1b[33m[WARNING]\x1b[0m jobs: Retrying \x1b[2m(attempt=2)\x1b[0m',
    );
    expect(formatHumanLine('INFO', new Date(T), '', 'No component', undefined, false)).toBe(
      '2024-01-15 10:30:45 [INFO] No component',
    );
  });

  it('console – the factory parses output and color, rejects unknown values, and the exporter shuts down twice', async () => {
    const ok = consoleExporterFactory.config.parse({}, [], []);
    expect(ok).toMatchObject({ output: 'stdout', color: 'auto' });
    const issues: ConfigIssue[] = [];
    consoleExporterFactory.config.parse({ output: 'file', color: 'sometimes' }, ['exporters', 'console'], issues);
    expect(issues.map((i) => `${i.path.join('::')}: ${i.message}`)).toEqual([
      'exporters::console::output: must be one of stdout, stderr',
      'exporters::console::color: must be one of auto, always, never',
    ]);
    const exporter = new ConsoleExporter({ stream: sink() });
    await exporter.shutdown();
    await exporter.shutdown();
    expect((await exportRecords(exporter, [record()])).code).toBe(ExportResultCode.FAILED);
  });
});
