import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecodeError, decodeLogsRequestJson } from '../../src/otlp/decode-json.js';
import { decodeLogsRequestProtobuf } from '../../src/otlp/decode-protobuf.js';
import { expectSameRecord, sdkRecords, SPAN_ID, TRACE_ID } from './helpers.js';

let records: ReadableLogRecord[];
let encoded: Uint8Array;

beforeAll(async () => {
  records = await sdkRecords();
  encoded = JsonLogsSerializer.serializeRequest(records)!;
});

/** A request holding the given LogRecord JSON objects under one resource and scope. */
function request(...logRecords: unknown[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeLogs: [{ scope: { name: 'scope' }, logRecords }],
      },
    ],
  });
}

describe('decodeLogsRequestJson – requests from the official serializer', () => {
  it('decodes every field of SDK records exactly, from bytes or from a string', () => {
    for (const body of [encoded, Buffer.from(encoded).toString('utf8')]) {
      const out = decodeLogsRequestJson(body);
      expect(out.rejected).toBe(0);
      expect(out.records).toHaveLength(records.length);
      out.records.forEach((r, i) => expectSameRecord(r, records[i]!));
    }
  });

  it('agrees field by field with the protobuf decoder on the same records', () => {
    const fromJson = decodeLogsRequestJson(encoded).records;
    const fromPb = decodeLogsRequestProtobuf(ProtobufLogsSerializer.serializeRequest(records)!).records;
    fromJson.forEach((r, i) => expectSameRecord(r, fromPb[i]!));
  });

  it('gives the records of one ResourceLogs / ScopeLogs the same resource and scope objects', () => {
    const [a1, a2, http, worker] = decodeLogsRequestJson(encoded).records;
    expect(a1!.resource).toBe(a2!.resource);
    expect(a1!.resource).toBe(http!.resource);
    expect(a1!.instrumentationScope).toBe(a2!.instrumentationScope);
    expect(http!.instrumentationScope).not.toBe(a1!.instrumentationScope);
    expect(worker!.resource).not.toBe(a1!.resource);
  });
});

describe('decodeLogsRequestJson – the OTLP/JSON mapping rules', () => {
  it('accepts the proto snake_case names, int64 as strings or numbers and enum names', () => {
    const body = JSON.stringify({
      resource_logs: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { string_value: 'svc' } }],
            dropped_attributes_count: 0,
          },
          schema_url: 'https://res',
          scope_logs: [
            {
              scope: { name: 's', version: '2', dropped_attributes_count: 4 },
              schema_url: 'https://scope',
              log_records: [
                {
                  time_unix_nano: '1700000000123456789',
                  observed_time_unix_nano: 1700000000,
                  severity_number: 'SEVERITY_NUMBER_WARN2',
                  severity_text: 'WARN',
                  event_name: 'evt',
                  trace_id: TRACE_ID.toUpperCase(),
                  span_id: SPAN_ID.toUpperCase(),
                  flags: 257,
                  dropped_attributes_count: '2',
                  body: { kvlist_value: { values: [{ key: 'n', value: { int_value: '-9223372036854775808' } }] } },
                  attributes: [
                    { key: 'i', value: { int_value: '42' } },
                    { key: 'j', value: { intValue: 7 } },
                    { key: 'd', value: { double_value: 'Infinity' } },
                    { key: 'b', value: { bool_value: true } },
                    { key: 'raw', value: { bytes_value: Buffer.from([1, 2, 3]).toString('base64') } },
                    { key: 'arr', value: { array_value: { values: [{ stringValue: 'x' }, {}] } } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const {
      records: [rec],
      rejected,
    } = decodeLogsRequestJson(body);
    expect(rejected).toBe(0);
    expect(rec!.hrTime).toEqual([1700000000, 123456789]);
    expect(rec!.hrTimeObserved).toEqual([1, 700000000]);
    expect(rec!.severityNumber).toBe(14);
    expect(rec!.severityText).toBe('WARN');
    expect(rec!.eventName).toBe('evt');
    expect(rec!.droppedAttributesCount).toBe(2);
    expect(rec!.spanContext).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    expect(rec!.body).toEqual({ n: '-9223372036854775808' });
    expect(rec!.attributes).toEqual({
      i: 42,
      j: 7,
      d: Infinity,
      b: true,
      raw: new Uint8Array([1, 2, 3]),
      arr: ['x', null],
    });
    expect(rec!.resource.attributes).toEqual({ 'service.name': 'svc' });
    expect(rec!.resource.schemaUrl).toBe('https://res');
    expect(rec!.instrumentationScope).toMatchObject({
      name: 's',
      version: '2',
      schemaUrl: 'https://scope',
      droppedAttributesCount: 4,
    });
  });

  it('keeps int64 values beyond 2^53 as exact decimal strings and times exact to the nanosecond', () => {
    const out = decodeLogsRequestJson(
      request({
        timeUnixNano: '18446744073709551615',
        attributes: [
          { key: 'big', value: { intValue: '9007199254740993' } },
          { key: 'padded', value: { intValue: '+00012' } },
          { key: 'max.safe', value: { intValue: String(2 ** 53) } },
        ],
      }),
    );
    expect(out.records[0]!.hrTime).toEqual([18446744073, 709551615]);
    expect(out.records[0]!.attributes).toEqual({ big: '9007199254740993', padded: 12, 'max.safe': 2 ** 53 });
  });

  it('ignores unknown fields and treats null values as absent', () => {
    const out = decodeLogsRequestJson(
      JSON.stringify({
        futureField: { anything: [1, 2] },
        resourceLogs: [
          {
            resource: null,
            unknown: true,
            scopeLogs: [
              {
                scope: null,
                logRecords: [
                  {
                    timeUnixNano: null,
                    severityNumber: null,
                    severityText: null,
                    body: null,
                    attributes: null,
                    traceId: null,
                    spanId: null,
                    eventName: null,
                    flags: null,
                    somethingNew: 'x',
                  },
                  {
                    severityText: 'ok',
                    attributes: [
                      { key: 'a', value: null },
                      { key: 'b', value: { stringValue: 'v', newKind: 1 } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(out.rejected).toBe(0);
    const [empty, ok] = out.records;
    expect(empty!.hrTime).toEqual([0, 0]);
    expect(empty!.severityNumber).toBeUndefined();
    expect(empty!.body).toBeUndefined();
    expect(empty!.attributes).toEqual({});
    expect(empty!.spanContext).toBeUndefined();
    expect(empty!.instrumentationScope.name).toBe('');
    expect(ok!.attributes).toEqual({ a: null, b: 'v' });
  });

  it('decodes a request without resourceLogs, and an empty object, to no records', () => {
    expect(decodeLogsRequestJson('{}')).toEqual({ records: [], rejected: 0 });
    expect(decodeLogsRequestJson('\ufeff{"resourceLogs":[]}').records).toEqual([]);
  });

  it('rejects only the records with a trace or span id of the wrong length or not hex', () => {
    const out = decodeLogsRequestJson(
      request(
        { severityText: 'good', traceId: TRACE_ID, spanId: SPAN_ID },
        { severityText: 'short', traceId: 'abcd' },
        { severityText: 'plain' },
        { severityText: 'not-hex', traceId: 'z'.repeat(32) },
        { severityText: 'long-span', traceId: TRACE_ID, spanId: SPAN_ID + '00' },
        { severityText: 'zero', traceId: '0'.repeat(32) },
      ),
    );
    expect(out.records.map((r) => r.severityText)).toEqual(['good', 'plain', 'zero']);
    expect(out.records[2]!.spanContext).toBeUndefined();
    expect(out.rejected).toBe(3);
    expect(out.rejectReason).toMatch(/traceId "abcd" is not 32 hex digits/);
  });

  it('does not let a "__proto__" attribute key change the prototype of attributes', () => {
    const out = decodeLogsRequestJson(
      request({
        attributes: [
          {
            key: '__proto__',
            value: { kvlistValue: { values: [{ key: 'polluted', value: { stringValue: 'yes' } }] } },
          },
        ],
      }),
    );
    const attrs = out.records[0]!.attributes;
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.keys(attrs)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('decodeLogsRequestJson – invalid input', () => {
  it.each([
    ['invalid JSON', '{"resourceLogs": [', /^Invalid JSON: /],
    ['a JSON array', '[]', /must be a JSON object/],
    ['a JSON string', '"x"', /must be a JSON object/],
    ['resourceLogs that is not an array', '{"resourceLogs": {}}', /resourceLogs must be an array/],
    ['a resourceLogs entry that is not an object', '{"resourceLogs": [1]}', /resourceLogs\[\] must be an object/],
    [
      'scopeLogs that is a string',
      '{"resourceLogs": [{"scopeLogs": "x"}]}',
      /resourceLogs\[0\].*scopeLogs must be an array/,
    ],
  ])('throws DecodeError for %s', (_name, body, message) => {
    expect(() => decodeLogsRequestJson(body)).toThrow(DecodeError);
    expect(() => decodeLogsRequestJson(body)).toThrow(message);
  });

  it.each([
    ['a time that is not a number', { timeUnixNano: 'soon' }, /logRecords\[1\]: timeUnixNano must be unsigned 64-bit/],
    ['a negative time', { timeUnixNano: -1 }, /timeUnixNano/],
    ['a time beyond uint64', { timeUnixNano: '18446744073709551616' }, /timeUnixNano/],
    [
      'an unknown severity name',
      { severityNumber: 'SEVERITY_NUMBER_LOUD' },
      /severityNumber must be an integer or a SeverityNumber name/,
    ],
    ['a severity that is a float', { severityNumber: 9.5 }, /severityNumber/],
    ['a string field holding a number', { severityText: 5 }, /severityText must be a string, got 5/],
    [
      'an int64 holding a float',
      { attributes: [{ key: 'k', value: { intValue: 1.5 } }] },
      /attributes\["k"\]\.intValue must be an int64/,
    ],
    ['an int64 beyond int64', { attributes: [{ key: 'k', value: { intValue: '9223372036854775808' } }] }, /intValue/],
    [
      'a bool holding a string',
      { attributes: [{ key: 'k', value: { boolValue: 'true' } }] },
      /boolValue must be a boolean/,
    ],
    ['attributes that are an object', { attributes: { k: 'v' } }, /attributes must be an array/],
    ['a negative dropped count', { droppedAttributesCount: -1 }, /droppedAttributesCount/],
  ])('throws DecodeError naming the record and field for %s', (_name, record, message) => {
    expect(() => decodeLogsRequestJson(request({ severityText: 'ok' }, record))).toThrow(DecodeError);
    expect(() => decodeLogsRequestJson(request({ severityText: 'ok' }, record))).toThrow(message);
    try {
      decodeLogsRequestJson(request({ severityText: 'ok' }, record));
    } catch (err) {
      expect((err as Error).message).toContain('resourceLogs[0].scopeLogs[0].logRecords[1]');
    }
  });

  it('throws DecodeError for AnyValue nesting deeper than 64 levels', () => {
    let v: unknown = { stringValue: 'leaf' };
    for (let i = 0; i < 70; i++) v = { arrayValue: { values: [v] } };
    expect(() => decodeLogsRequestJson(request({ body: v }))).toThrow(/nested at most 64 deep/);
  });
});
