// otlp_http must forward every value an Auditline receiver accepts, so a
// record acknowledged by a sidecar is never refused (400) by the next hop or
// changed on the way: NaN, ±Infinity, -0, whole doubles beyond int64, int64
// beyond 2^53, bigints, bytes, nested maps and arrays, in both encodings.
import { SeverityNumber, type AnyValue, type LogAttributes } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exporter, Host, LogsConsumer } from '../../../src/component/types.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { decodeLogsRequestJson } from '../../../src/otlp/decode-json.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { otlpReceiverFactory, type OtlpReceiver } from '../../../src/receivers/otlp/factory.js';
import { createLogger, silentLogger } from '../../../src/telemetry/logger.js';
import { M, Telemetry } from '../../../src/telemetry/metrics.js';
import { otlpHttpExporterFactory } from '../../../exporters/otlp-http/factory.js';

class Collecting implements LogsConsumer {
  received: ReadableLogRecord[] = [];
  async consume(r: ReadableLogRecord[]): Promise<void> {
    for (const x of r) this.received.push(x);
  }
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function host(): Host {
  return {
    getExtension: <T>() => undefined as T,
    findExtension: () => undefined,
    tap: new RecordTap(),
    logger: silentLogger,
    telemetry: new Telemetry(),
  };
}

async function startReceiver(sink: LogsConsumer): Promise<number> {
  const cfg = otlpReceiverFactory.config.parse({ protocols: { http: { endpoint: '127.0.0.1:0' } } }, [], [])!;
  const r = otlpReceiverFactory.create(
    { id: 'otlp', logger: silentLogger, telemetry: new Telemetry() },
    cfg,
    sink,
  ) as OtlpReceiver;
  await r.start(host());
  cleanups.push(() => r.shutdown());
  return r.http!.port!;
}

async function startExporter(raw: Record<string, unknown>, telemetry: Telemetry): Promise<Exporter> {
  const cfg = otlpHttpExporterFactory.config.parse({ retry_on_failure: { initial_interval: '10ms' }, ...raw }, [], [])!;
  const e = otlpHttpExporterFactory.create({ id: 'otlp_http', logger: silentLogger, telemetry }, cfg);
  await e.start(host());
  cleanups.push(() => e.shutdown());
  return e;
}

/** Sends `records` through otlp_http to a real receiver and returns what it decoded. */
async function forward(
  records: ReadableLogRecord[],
  encoding: 'json' | 'proto',
  compression: 'gzip' | 'none',
): Promise<ReadableLogRecord[]> {
  const sink = new Collecting();
  const port = await startReceiver(sink);
  const telemetry = new Telemetry();
  const e = await startExporter({ endpoint: `http://127.0.0.1:${port}`, encoding, compression }, telemetry);
  await e.consume(records);
  await until(() => sink.received.length >= records.length || telemetry.total(M.exporterFailed) > 0);
  expect(telemetry.total(M.exporterFailed)).toBe(0);
  expect(sink.received).toHaveLength(records.length);
  return sink.received;
}

/** The fields a receiver fills, in a form toEqual compares (it tells -0 from 0 and NaN equals NaN). */
function view(r: ReadableLogRecord) {
  const scope = r.instrumentationScope as {
    name: string;
    version?: string;
    schemaUrl?: string;
    attributes?: LogAttributes;
  };
  return {
    hrTime: r.hrTime,
    hrTimeObserved: r.hrTimeObserved,
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    body: r.body,
    attributes: r.attributes,
    eventName: r.eventName,
    droppedAttributesCount: r.droppedAttributesCount,
    spanContext: r.spanContext,
    resource: r.resource.attributes,
    resourceSchemaUrl: r.resource.schemaUrl,
    scope: { name: scope.name, version: scope.version, schemaUrl: scope.schemaUrl, attributes: scope.attributes },
  };
}

const SPECIAL: Record<string, AnyValue> = {
  nan: NaN,
  inf: Infinity,
  ninf: -Infinity,
  negzero: -0,
  two63: 2 ** 63,
  neg_two63: -(2 ** 63),
  two64: 2 ** 64,
  e300: 1e300,
  neg_e300: -1e300,
  max_double: Number.MAX_VALUE,
  min_double: Number.MIN_VALUE,
  two53: 2 ** 53,
  neg_two53: -(2 ** 53),
  above53: 2 ** 53 + 2,
  two62: 2 ** 62,
  half: 0.5,
  tenth: 0.1,
  int: 42,
  neg_int: -7,
  zero: 0,
  int64_text: '9223372036854775807',
  empty: '',
  bool: false,
  bytes: new Uint8Array([0, 1, 254, 255]),
  list: [NaN, -0, 2 ** 63, 1, 'x', null, [Infinity], { k: -Infinity }],
  map: { a: NaN, b: { c: 1e300, d: [-(2 ** 63)] }, e: null },
};

function special(): LogRecordData[] {
  const resource = resourceFromAttributes(
    { 'service.name': 'checkout', ratio: NaN, big: 2 ** 63 },
    { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
  );
  const scope = {
    name: 'orders',
    version: '1.2.0',
    schemaUrl: 'https://example.com/scope',
    attributes: { 'scope.inf': Infinity },
  };
  const a = new LogRecordData(resource, scope);
  a.hrTime = [1_705_314_645, 123_456_789];
  a.hrTimeObserved = [18_000_000_000, 999_999_999];
  a.severityNumber = SeverityNumber.WARN;
  a.severityText = 'WARN';
  a.eventName = 'values';
  a.body = { ...SPECIAL };
  a.attributes = { ...SPECIAL };
  a.droppedAttributesCount = 3;
  a.spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
  const bodies: AnyValue[] = [NaN, Infinity, -Infinity, -0, 2 ** 63, 1e300, -(2 ** 63), 0.25, 12, 'text', true];
  const rest = bodies.map((body, i) => {
    const r = new LogRecordData(resource, scope);
    r.hrTime = [1_705_314_646 + i, 0];
    r.hrTimeObserved = r.hrTime;
    r.body = body;
    r.attributes = { i };
    return r;
  });
  // A trace id without a span id, as a receiver may hand on.
  const c = new LogRecordData(resource, { name: 'other' });
  c.hrTime = [0, 1];
  c.hrTimeObserved = [0, 0];
  c.spanContext = { traceId: '5b8efff798038103d269b633813fc60c', spanId: '', traceFlags: 0 };
  return [a, ...rest, c];
}

const MODES = [
  ['json', 'none'],
  ['json', 'gzip'],
  ['proto', 'none'],
  ['proto', 'gzip'],
] as const;

describe('otlp_http exporter – every value the receiver accepts arrives unchanged', () => {
  it.each(MODES)(
    'NaN, ±Infinity, -0, whole doubles beyond int64 and nested ones arrive equal (encoding %s, compression %s)',
    async (encoding, compression) => {
      const sent = special();
      const got = await forward(sent, encoding, compression);
      expect(got.map(view)).toEqual(sent.map(view));
      // toEqual tells -0 from 0; say it outright for the attribute that is only about that.
      expect(Object.is(got[0]!.attributes.negzero, -0)).toBe(true);
    },
  );

  it.each(MODES)(
    'bigints arrive as the receiver decodes an int64: a number up to 2^53, else its exact decimal (encoding %s, compression %s)',
    async (encoding, compression) => {
      const r = new LogRecordData(resourceFromAttributes({}), { name: 's' });
      r.attributes = {
        small: 42n,
        neg: -42n,
        two53: 2n ** 53n,
        above53: 2n ** 53n + 1n,
        max: 2n ** 63n - 1n,
        min: -(2n ** 63n),
        beyond: 2n ** 64n + 1n,
      } as unknown as LogAttributes;
      const [got] = await forward([r], encoding, compression);
      expect(got!.attributes).toEqual({
        small: 42,
        neg: -42,
        two53: 2 ** 53,
        above53: '9007199254740993',
        max: '9223372036854775807',
        min: '-9223372036854775808',
        beyond: '18446744073709551617',
      });
    },
  );

  it.each(MODES)(
    'a request the receiver accepted is forwarded to the next receiver with the same decoded values (encoding %s, compression %s)',
    async (encoding, compression) => {
      const any = (v: unknown) => v;
      const request = {
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'service.name', value: { stringValue: 'edge' } },
                { key: 'r', value: { doubleValue: 'Infinity' } },
              ],
            },
            scopeLogs: [
              {
                scope: { name: 'edge-scope', version: '2' },
                logRecords: [
                  {
                    timeUnixNano: '1705314645123456789',
                    observedTimeUnixNano: '18446744073709551615',
                    severityNumber: 'SEVERITY_NUMBER_ERROR',
                    body: {
                      kvlistValue: {
                        values: [
                          { key: 'nan', value: { doubleValue: 'NaN' } },
                          { key: 'whole', value: { doubleValue: 3 } },
                        ],
                      },
                    },
                    attributes: [
                      { key: 'nan', value: { doubleValue: 'NaN' } },
                      { key: 'inf', value: { doubleValue: 'Infinity' } },
                      { key: 'ninf', value: { doubleValue: '-Infinity' } },
                      { key: 'two63', value: { doubleValue: 9223372036854775808 } },
                      { key: 'e300', value: { doubleValue: any('1e300') } },
                      { key: 'negzero', value: { doubleValue: -0 } },
                      { key: 'whole', value: { doubleValue: 5 } },
                      { key: 'imax', value: { intValue: '9223372036854775807' } },
                      { key: 'imin', value: { intValue: '-9223372036854775808' } },
                      { key: 'i53', value: { intValue: '9007199254740993' } },
                      { key: 'inum', value: { intValue: 12 } },
                      { key: 'bytes', value: { bytesValue: 'AAH+/w==' } },
                      { key: 'empty' },
                      {
                        key: 'arr',
                        value: { arrayValue: { values: [{ doubleValue: 'NaN' }, {}, { intValue: '-1' }] } },
                      },
                    ],
                    traceId: '0AF7651916CD43DD8448EB211C80319C',
                    spanId: 'B7AD6B7169203331',
                    flags: 1,
                    eventName: 'forwarded',
                  },
                ],
              },
            ],
          },
        ],
      };
      const accepted = decodeLogsRequestJson(
        JSON.stringify(request).replace('"negzero","value":{"doubleValue":0}', '"negzero","value":{"doubleValue":-0}'),
      );
      expect(accepted.rejected).toBe(0);
      expect(Object.is(accepted.records[0]!.attributes.negzero, -0)).toBe(true);
      const got = await forward(accepted.records, encoding, compression);
      expect(got.map(view)).toEqual(accepted.records.map(view));
    },
  );
});

describe('otlp_http exporter – records the next hop rejects', () => {
  it.each(['json', 'proto'] as const)(
    'logs a partial success naming how many records the next hop rejected (encoding %s)',
    async (encoding) => {
      const sink = new Collecting();
      const port = await startReceiver(sink);
      const lines: string[] = [];
      const cfg = otlpHttpExporterFactory.config.parse({ endpoint: `http://127.0.0.1:${port}`, encoding }, [], [])!;
      const e = otlpHttpExporterFactory.create(
        {
          id: 'otlp_http',
          logger: createLogger('otlp_http', { write: (l) => lines.push(l) }),
          telemetry: new Telemetry(),
        },
        cfg,
      );
      await e.start(host());
      cleanups.push(() => e.shutdown());
      const good = new LogRecordData(resourceFromAttributes({}), { name: 's' });
      const bad = new LogRecordData(resourceFromAttributes({}), { name: 's' });
      bad.spanContext = { traceId: 'abc', spanId: 'b7ad6b7169203331', traceFlags: 1 };
      await e.consume([good, bad]);
      await until(() => lines.length > 0);
      expect(sink.received).toHaveLength(1);
      expect(lines.join('\n')).toMatch(/rejected 1 log records/);
    },
  );
});
