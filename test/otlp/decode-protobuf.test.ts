import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogRecordData } from '../../src/model/log-record.js';
import { DecodeError, decodeLogsRequestProtobuf } from '../../src/otlp/decode-protobuf.js';
import { expectSameRecord, kv, pb, type PbWriter, sdkRecords, SPAN_ID, str, TRACE_ID } from './helpers.js';

let records: ReadableLogRecord[];
let encoded: Uint8Array;

beforeAll(async () => {
  records = await sdkRecords();
  encoded = ProtobufLogsSerializer.serializeRequest(records)!;
});

/** A request with one resource, one scope and the given LogRecord messages. */
function request(...logRecords: PbWriter[]): Uint8Array {
  const scopeLogs = pb().len(1, pb().len(1, 'scope'));
  for (const r of logRecords) scopeLogs.len(2, r);
  return pb()
    .len(
      1,
      pb()
        .len(1, pb().len(1, kv('service.name', str('svc'))))
        .len(2, scopeLogs),
    )
    .finish();
}

function decodeOne(record: PbWriter): LogRecordData {
  const out = decodeLogsRequestProtobuf(request(record));
  expect(out.rejected).toBe(0);
  expect(out.records).toHaveLength(1);
  return out.records[0]!;
}

describe('decodeLogsRequestProtobuf – requests from the official serializer', () => {
  it('decodes every field of SDK records exactly, times to the nanosecond', () => {
    const out = decodeLogsRequestProtobuf(encoded);
    expect(out.rejected).toBe(0);
    expect(out.rejectReason).toBeUndefined();
    expect(out.records).toHaveLength(records.length);
    out.records.forEach((r, i) => expectSameRecord(r, records[i]!));
    expect(out.records[0]!.hrTime).toEqual([1700000000, 123456789]);
    expect(out.records[2]!.hrTime).toEqual([4102444800, 999999999]);
    expect(out.records[0]!.spanContext).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    expect(out.records[0]!.attributes.blob).toBeInstanceOf(Uint8Array);
    expect(out.records[0]!.instrumentationScope).toMatchObject({
      name: 'audit',
      version: '1.2.3',
      schemaUrl: 'https://opentelemetry.io/schemas/1.25.0',
      attributes: { 'scope.team': 'payments', 'scope.tier': 2 },
    });
  });

  it('gives the records of one ResourceLogs / ScopeLogs the same resource and scope objects', () => {
    const [a1, a2, http, worker] = decodeLogsRequestProtobuf(encoded).records as [
      LogRecordData,
      LogRecordData,
      LogRecordData,
      LogRecordData,
    ];
    expect(a1.resource).toBe(a2.resource);
    expect(a1.resource).toBe(http.resource);
    expect(a1.instrumentationScope).toBe(a2.instrumentationScope);
    expect(http.instrumentationScope).not.toBe(a1.instrumentationScope);
    expect(worker.resource).not.toBe(a1.resource);
    expect(worker.resource.attributes).toEqual({ 'service.name': 'worker' });
  });

  it('returns LogRecordData instances whose attributes are plain, writable objects', () => {
    const [first] = decodeLogsRequestProtobuf(encoded).records;
    expect(first).toBeInstanceOf(LogRecordData);
    expect(Object.getPrototypeOf(first!.attributes)).toBe(Object.prototype);
    first!.attributes['added'] = 1;
    expect(first!.attributes['added']).toBe(1);
  });

  it('decodes the same bytes identically many times over (shape and key caches stay correct)', () => {
    const first = decodeLogsRequestProtobuf(encoded).records;
    for (let i = 0; i < 50; i++) {
      const again = decodeLogsRequestProtobuf(encoded).records;
      again.forEach((r, j) => expectSameRecord(r, first[j]!));
    }
  });

  it('decodes a buffer that is a view at an offset into a larger ArrayBuffer', () => {
    const big = new Uint8Array(encoded.length + 20);
    big.set(encoded, 7);
    const out = decodeLogsRequestProtobuf(big.subarray(7, 7 + encoded.length));
    out.records.forEach((r, i) => expectSameRecord(r, records[i]!));
    const fromBuffer = decodeLogsRequestProtobuf(Buffer.from(encoded));
    fromBuffer.records.forEach((r, i) => expectSameRecord(r, records[i]!));
  });

  it('copies bytes values out of the request buffer', () => {
    const buf = Buffer.from(encoded);
    const out = decodeLogsRequestProtobuf(buf);
    buf.fill(0);
    expect(out.records[0]!.attributes.blob).toEqual(new Uint8Array([0, 1, 2, 250, 255]));
  });

  it('decodes an empty request to no records', () => {
    expect(decodeLogsRequestProtobuf(new Uint8Array(0))).toEqual({ records: [], rejected: 0 });
  });
});

describe('decodeLogsRequestProtobuf – hand-built messages', () => {
  it('converts fixed64 nanoseconds to HrTime exactly across the whole range', () => {
    const cases: [bigint, [number, number]][] = [
      [0n, [0, 0]],
      [1700000000123456789n, [1700000000, 123456789]],
      [999999999n, [0, 999999999]],
      [1000000000n, [1, 0]],
      [2n ** 32n, [4, 294967296]],
      [2n ** 53n + 1n, [9007199, 254740993]],
      [2n ** 64n - 1n, [18446744073, 709551615]],
    ];
    for (const [ns, hr] of cases) {
      const rec = decodeOne(pb().tag(1, 1).fixed64(ns).tag(11, 1).fixed64(ns));
      expect(rec.hrTime).toEqual(hr);
      expect(rec.hrTimeObserved).toEqual(hr);
    }
  });

  it('decodes int64 values as numbers up to 2^53 and as exact decimal strings beyond', () => {
    const rec = decodeOne(
      pb()
        .len(6, kv('zero', pb().tag(3, 0).varint(0)))
        .len(
          6,
          kv(
            'max.safe',
            pb()
              .tag(3, 0)
              .varint(2n ** 53n),
          ),
        )
        .len(
          6,
          kv(
            'above',
            pb()
              .tag(3, 0)
              .varint(2n ** 53n + 1n),
          ),
        )
        .len(
          6,
          kv(
            'int64.max',
            pb()
              .tag(3, 0)
              .varint(2n ** 63n - 1n),
          ),
        )
        .len(6, kv('minus.one', pb().tag(3, 0).varint(-1n)))
        .len(
          6,
          kv(
            'min.safe',
            pb()
              .tag(3, 0)
              .varint(-(2n ** 53n)),
          ),
        )
        .len(
          6,
          kv(
            'below',
            pb()
              .tag(3, 0)
              .varint(-(2n ** 53n) - 1n),
          ),
        )
        .len(
          6,
          kv(
            'int64.min',
            pb()
              .tag(3, 0)
              .varint(-(2n ** 63n)),
          ),
        )
        .len(6, kv('million', pb().tag(3, 0).varint(1_000_000_000_000n))),
    );
    expect(rec.attributes).toEqual({
      zero: 0,
      'max.safe': 2 ** 53,
      above: '9007199254740993',
      'int64.max': '9223372036854775807',
      'minus.one': -1,
      'min.safe': -(2 ** 53),
      below: '-9007199254740993',
      'int64.min': '-9223372036854775808',
      million: 1_000_000_000_000,
    });
  });

  it('decodes doubles, bools, bytes, empty values, arrays and maps nested in each other', () => {
    const list = pb().len(5, pb().len(1, str('x')).len(1, pb().tag(4, 1).double(-0.5)).len(1, pb()));
    const deep = pb().len(6, pb().len(1, kv('yes', pb().tag(2, 0).varint(1))));
    const map = pb().len(6, pb().len(1, kv('deep', deep)));
    const body = pb().len(6, pb().len(1, kv('list', list)).len(1, kv('map', map)));
    const rec = decodeOne(
      pb()
        .len(5, body)
        .len(6, kv('nan', pb().tag(4, 1).double(NaN)))
        .len(6, kv('bytes', pb().len(7, [9, 8, 7])))
        .len(6, kv('empty', pb()))
        .len(6, kv('no', pb().tag(2, 0).varint(0))),
    );
    expect(rec.body).toEqual({ list: ['x', -0.5, null], map: { deep: { yes: true } } });
    expect(rec.attributes).toEqual({ nan: NaN, bytes: new Uint8Array([9, 8, 7]), empty: null, no: false });
  });

  it('takes the last value of a oneof and of a repeated scalar field, as protobuf merging does', () => {
    const rec = decodeOne(
      pb()
        .len(6, kv('v', pb().len(1, 'first').tag(3, 0).varint(7)))
        .len(3, 'INFO')
        .len(3, 'WARN')
        .tag(2, 0)
        .varint(9)
        .tag(2, 0)
        .varint(13),
    );
    expect(rec.attributes).toEqual({ v: 7 });
    expect(rec.severityText).toBe('WARN');
    expect(rec.severityNumber).toBe(13);
  });

  it('decodes event_name (12), flags (8), dropped_attributes_count (7) and uppercase-free hex ids', () => {
    const rec = decodeOne(
      pb()
        .len(12, 'user.login')
        .tag(8, 5)
        .fixed32(0x0101)
        .tag(7, 0)
        .varint(3)
        .len(9, Buffer.from('ABCDEF0123456789abcdef0123456789', 'hex'))
        .len(10, Buffer.from('0011223344556677', 'hex')),
    );
    expect(rec.eventName).toBe('user.login');
    expect(rec.droppedAttributesCount).toBe(3);
    expect(rec.spanContext).toEqual({
      traceId: 'abcdef0123456789abcdef0123456789',
      spanId: '0011223344556677',
      traceFlags: 1,
    });
  });

  it('leaves spanContext unset without a trace_id or with the all-zero (invalid) trace_id', () => {
    expect(decodeOne(pb().len(10, Buffer.alloc(8, 1))).spanContext).toBeUndefined();
    expect(decodeOne(pb().len(9, Buffer.alloc(16, 0)).len(10, Buffer.alloc(8, 1))).spanContext).toBeUndefined();
    expect(decodeOne(pb().len(9, Buffer.alloc(16, 1))).spanContext).toEqual({
      traceId: '01'.repeat(16),
      spanId: '',
      traceFlags: 0,
    });
  });

  it('rejects only the records whose trace_id is not 16 bytes or span_id not 8 bytes', () => {
    const good = pb().len(3, 'good').len(9, Buffer.alloc(16, 0xab)).len(10, Buffer.alloc(8, 0xcd));
    const badTrace = pb().len(3, 'bad-trace').len(9, Buffer.alloc(5, 1));
    const badSpan = pb().len(3, 'bad-span').len(9, Buffer.alloc(16, 1)).len(10, Buffer.alloc(16, 1));
    const plain = pb().len(3, 'plain');
    const out = decodeLogsRequestProtobuf(request(good, badTrace, plain, badSpan));
    expect(out.records.map((r) => r.severityText)).toEqual(['good', 'plain']);
    expect(out.rejected).toBe(2);
    expect(out.rejectReason).toMatch(/trace_id is 5 bytes long; it must be 16/);
  });

  it('skips unknown fields of every wire type, groups included, at every level', () => {
    const junk = (w: PbWriter): PbWriter =>
      w
        .tag(100, 0)
        .varint(2n ** 63n)
        .tag(101, 1)
        .fixed64(0x0102030405060708n)
        .len(102, 'ignored')
        .tag(103, 3)
        .tag(1, 0)
        .varint(5)
        .tag(2, 3)
        .len(1, 'in a nested group')
        .tag(2, 4)
        .tag(3, 5)
        .fixed32(1)
        .tag(103, 4)
        .tag(104, 5)
        .fixed32(7)
        .tag(2000000, 0)
        .varint(1);
    const build = (withJunk: boolean): Uint8Array => {
      const j = (w: PbWriter): PbWriter => (withJunk ? junk(w) : w);
      const value = j(pb()).len(1, 'v');
      const attr = j(pb()).len(1, 'k').len(2, value);
      const rec = j(pb())
        .tag(1, 1)
        .fixed64(1700000000123456789n)
        .len(6, attr)
        .len(5, j(pb()).len(5, j(pb()).len(1, j(pb()).tag(3, 0).varint(5))));
      if (withJunk) rec.len(4, 'removed name field').len(2, 'severity with the wrong wire type');
      const scope = j(pb())
        .len(1, 'scope')
        .len(2, '1.0')
        .len(3, kv('sa', str('sv')));
      const scopeLogs = j(pb()).len(1, scope).len(2, rec).len(3, 'https://scope.schema');
      const resource = j(pb())
        .len(1, j(kv('service.name', str('svc'))))
        .tag(2, 0)
        .varint(0);
      const resourceLogs = j(pb()).len(1, resource).len(2, scopeLogs).len(3, 'https://res.schema');
      return j(pb().len(1, resourceLogs)).finish();
    };
    const plain = decodeLogsRequestProtobuf(build(false));
    const withJunk = decodeLogsRequestProtobuf(build(true));
    expect(withJunk.records).toHaveLength(1);
    expectSameRecord(withJunk.records[0]!, plain.records[0]!);
    const rec = withJunk.records[0]!;
    expect(rec.attributes).toEqual({ k: 'v' });
    expect(rec.body).toEqual([5]);
    expect(rec.severityNumber).toBeUndefined();
    expect(rec.resource.schemaUrl).toBe('https://res.schema');
    expect(rec.instrumentationScope).toMatchObject({
      name: 'scope',
      version: '1.0',
      schemaUrl: 'https://scope.schema',
      attributes: { sa: 'sv' },
    });
  });

  it('applies a resource and schema_url that come after the scope logs to all their records', () => {
    const scopeLogs = pb().len(2, pb().len(3, 'a')).len(3, 'https://late.scope').len(1, pb().len(1, 'late-scope'));
    const buf = pb()
      .len(
        1,
        pb()
          .len(2, scopeLogs)
          .len(3, 'https://late.res')
          .len(1, pb().len(1, kv('k', str('v')))),
      )
      .finish();
    const [rec] = decodeLogsRequestProtobuf(buf).records;
    expect(rec!.resource.attributes).toEqual({ k: 'v' });
    expect(rec!.resource.schemaUrl).toBe('https://late.res');
    expect(rec!.instrumentationScope).toMatchObject({ name: 'late-scope', schemaUrl: 'https://late.scope' });
  });

  it('decodes invalid UTF-8 lossily with replacement characters', () => {
    const rec = decodeOne(
      pb()
        .len(5, pb().len(1, [0x61, 0xff, 0x62]))
        .len(6, kv('k', pb().len(1, [0xc3]))),
    );
    expect(rec.body).toBe('a\ufffdb');
    expect(rec.attributes).toEqual({ k: '\ufffd' });
  });

  it('does not let a "__proto__" attribute key change the prototype of attributes', () => {
    for (let i = 0; i < 3; i++) {
      const rec = decodeOne(
        pb()
          .len(6, kv('__proto__', pb().len(6, pb().len(1, kv('polluted', str('yes'))))))
          .len(6, kv('a', str('b'))),
      );
      expect(Object.getPrototypeOf(rec.attributes)).toBe(Object.prototype);
      expect(Object.keys(rec.attributes)).toEqual(['__proto__', 'a']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('keeps attribute keys and values right when consecutive records vary their keys', () => {
    const recs = [
      pb()
        .len(6, kv('a', str('1')))
        .len(6, kv('b', str('2'))),
      pb()
        .len(6, kv('a', str('1')))
        .len(6, kv('c', str('2'))),
      pb().len(6, kv('b', str('1'))),
      pb()
        .len(6, kv('a', str('x')))
        .len(6, kv('b', str('2')))
        .len(6, kv('a', str('last'))),
      pb()
        .len(6, kv('a', str('1')))
        .len(6, kv('b', pb().tag(3, 0).varint(2))),
      pb()
        .len(6, kv('é', str('ü')))
        .len(6, kv('b', str('2'))),
      pb()
        .len(6, kv('a', str('1')))
        .len(6, kv('b', str('2'))),
    ];
    const out = decodeLogsRequestProtobuf(request(...recs, ...recs));
    const expected = [
      { a: '1', b: '2' },
      { a: '1', c: '2' },
      { b: '1' },
      { a: 'last', b: '2' },
      { a: '1', b: 2 },
      { é: 'ü', b: '2' },
      { a: '1', b: '2' },
    ];
    expect(out.records.map((r) => r.attributes)).toEqual([...expected, ...expected]);
  });
});

describe('decodeLogsRequestProtobuf – strings reused from the previous record', () => {
  it('tells apart values of equal length that differ in one byte', () => {
    const recs = ['user-1001', 'user-1002', 'user-1002', 'user-1003'].map((u) =>
      pb()
        .len(3, u.replace('user', 'sev'))
        .len(12, u.replace('user', 'evt'))
        .len(5, str(u))
        .len(6, kv('user.id', str(u)))
        .len(6, kv(u, pb().tag(3, 0).varint(1))),
    );
    const out = decodeLogsRequestProtobuf(request(...recs));
    expect(out.records.map((r) => [r.severityText, r.eventName, r.body, r.attributes])).toEqual([
      ['sev-1001', 'evt-1001', 'user-1001', { 'user.id': 'user-1001', 'user-1001': 1 }],
      ['sev-1002', 'evt-1002', 'user-1002', { 'user.id': 'user-1002', 'user-1002': 1 }],
      ['sev-1002', 'evt-1002', 'user-1002', { 'user.id': 'user-1002', 'user-1002': 1 }],
      ['sev-1003', 'evt-1003', 'user-1003', { 'user.id': 'user-1003', 'user-1003': 1 }],
    ]);
  });

  it('decodes long keys and values, value-before-key order and extra fields inside a KeyValue', () => {
    const longKey = 'k'.repeat(130);
    const longValue = 'v'.repeat(300);
    const rec = (): PbWriter =>
      pb()
        .len(6, kv(longKey, str(longValue)))
        .len(6, kv('short', str(longValue)))
        .len(6, pb().len(2, pb().tag(3, 0).varint(5)).len(1, 'reversed'))
        .len(6, kv('extra', pb().len(1, 'x').tag(9, 0).varint(1)).tag(15, 5).fixed32(0))
        .len(6, kv('int', pb().tag(3, 0).varint(300)))
        .len(6, kv('bool', pb().tag(2, 0).varint(2)))
        .len(6, kv('int.then.string', pb().tag(3, 0).varint(5).len(1, 'x')))
        .len(6, kv('double.then.int', pb().tag(4, 1).double(1.5).tag(3, 0).varint(6)));
    const out = decodeLogsRequestProtobuf(request(rec(), rec(), rec()));
    for (const r of out.records) {
      expect(r.attributes).toEqual({
        [longKey]: longValue,
        short: longValue,
        reversed: 5,
        extra: 'x',
        int: 300,
        bool: true,
        'int.then.string': 'x',
        'double.then.int': 6,
      });
    }
  });

  it('keeps key sequences apart whose keys joined would read the same', () => {
    const joined = pb().len(6, kv('a\u0000b', str('1')));
    const split = pb()
      .len(6, kv('a', str('1')))
      .len(6, kv('b', str('2')));
    const out = decodeLogsRequestProtobuf(request(joined, split, joined, split, joined, split));
    expect(out.records.map((r) => r.attributes)).toEqual([
      { 'a\u0000b': '1' },
      { a: '1', b: '2' },
      { 'a\u0000b': '1' },
      { a: '1', b: '2' },
      { 'a\u0000b': '1' },
      { a: '1', b: '2' },
    ]);
  });

  it('never carries a string over from a previous request laid out at the same offsets', () => {
    const first = decodeLogsRequestProtobuf(
      request(pb().len(6, kv('k', str('aaaa'))), pb().len(6, kv('k', str('aaaa')))),
    );
    const second = decodeLogsRequestProtobuf(
      request(pb().len(6, kv('k', str('bbbb'))), pb().len(6, kv('k', str('bbbb')))),
    );
    expect(first.records.map((r) => r.attributes.k)).toEqual(['aaaa', 'aaaa']);
    expect(second.records.map((r) => r.attributes.k)).toEqual(['bbbb', 'bbbb']);
  });

  it('gives every record its own array, map and bytes values even when their bytes repeat', () => {
    const rec = (): PbWriter =>
      pb()
        .len(6, kv('list', pb().len(5, pb().len(1, str('x')))))
        .len(6, kv('map', pb().len(6, pb().len(1, kv('a', str('b'))))))
        .len(6, kv('raw', pb().len(7, [1, 2])));
    const [a, b] = decodeLogsRequestProtobuf(request(rec(), rec())).records;
    expect(a!.attributes).toEqual(b!.attributes);
    expect(a!.attributes.list).not.toBe(b!.attributes.list);
    expect(a!.attributes.map).not.toBe(b!.attributes.map);
    expect(a!.attributes.raw).not.toBe(b!.attributes.raw);
    expect(a!.attributes).not.toBe(b!.attributes);
  });
});

describe('decodeLogsRequestProtobuf – malformed input', () => {
  it('throws DecodeError for every truncation of a request', async () => {
    const small = ProtobufLogsSerializer.serializeRequest((await sdkRecords()).slice(0, 2))!;
    for (let n = 1; n < small.length; n++) {
      expect(() => decodeLogsRequestProtobuf(small.subarray(0, n)), `prefix of ${n} bytes`).toThrow(DecodeError);
    }
  });

  it.each([
    ['wire type 7', [0x0f]],
    ['wire type 6', [0x0e]],
    ['an end-group tag with no group', [0x0c]],
    ['a group that never ends', [0x0b, 0x08, 0x01]],
    ['a group closed by another field', [0x0b, 0x14]],
    ['field number 0', [0x00, 0x01]],
    ['a varint longer than 10 bytes', [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['a length past the end', [0x0a, 0x05, 0x01]],
    ['a fixed64 cut short', [0x09, 0x01, 0x02]],
    ['a fixed32 cut short', [0x0d, 0x01]],
  ])('throws DecodeError with a helpful message for %s', (_name, bytes) => {
    expect(() => decodeLogsRequestProtobuf(Uint8Array.from(bytes))).toThrow(DecodeError);
    try {
      decodeLogsRequestProtobuf(Uint8Array.from(bytes));
    } catch (err) {
      expect((err as Error).message).toMatch(/^Invalid protobuf: .+ \(byte \d+ of \d+\)\.$/);
    }
  });

  it('throws DecodeError when a nested message overruns the message that holds it', () => {
    // ResourceLogs of 4 bytes holding a Resource that claims 10.
    expect(() => decodeLogsRequestProtobuf(Uint8Array.from([0x0a, 0x04, 0x0a, 0x0a, 0x0a, 0x00]))).toThrow(
      /declares 10 bytes/,
    );
  });

  it('throws DecodeError for AnyValue nesting deeper than 64 levels instead of overflowing the stack', () => {
    let v = str('leaf');
    for (let i = 0; i < 70; i++) v = pb().len(5, pb().len(1, v));
    expect(() => decodeLogsRequestProtobuf(request(pb().len(5, v)))).toThrow(/nested deeper than 64/);
    let ok = str('leaf');
    for (let i = 0; i < 60; i++) ok = pb().len(5, pb().len(1, ok));
    expect(decodeLogsRequestProtobuf(request(pb().len(5, ok))).records).toHaveLength(1);
  });

  it('only ever throws DecodeError on random garbage', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    let thrown = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = new Uint8Array(1 + (rand() % 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = rand() & 0xff;
      try {
        decodeLogsRequestProtobuf(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
        thrown++;
      }
    }
    expect(thrown).toBeGreaterThan(0);
  });

  it('only ever throws DecodeError when bytes of a real request are corrupted', () => {
    let seed = 99;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from(encoded);
      for (let k = 0; k < 3; k++) bytes[rand() % bytes.length] = rand() & 0xff;
      try {
        decodeLogsRequestProtobuf(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
      }
    }
  });
});
