// AuditEncoder encodes each entry against the previous one (unchanged fields
// are copied from its bytes). These tests check that an entry's bytes never
// depend on what was encoded before it, and that they are exactly what
// @msgpack/msgpack makes of the entry as an object.
import { encode } from '@msgpack/msgpack';
import { TraceFlags } from '@opentelemetry/api';
import type { LogAttributes } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { AuditEncoder } from '../../../exporters/msgpack-audit/audit-encoder.js';
import { recordTimeMillis, severityLevel } from '../../../src/model/log-record.js';
import { record } from './records.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

/** The entry as an object, per the README (independent of the encoder). */
function entryObject(r: ReadableLogRecord): Record<string, unknown> {
  const a = r.attributes;
  const ev = a['event.name'];
  const sid = a['session.id'];
  const data: Record<string, unknown> = {};
  const hasBody = r.body !== undefined && r.body !== null;
  if (hasBody) data.body = r.body;
  data.severity = severityLevel(r);
  const sc = r.spanContext;
  const hasTrace = sc !== undefined && sc.traceId !== '' && !/^0+$/.test(sc.traceId);
  if (hasTrace) {
    data.trace_id = sc.traceId;
    if (sc.spanId !== '' && !/^0+$/.test(sc.spanId)) data.span_id = sc.spanId;
  }
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || k === 'event.name' || k === 'session.id' || k === 'severity') continue;
    if ((k === 'body' && hasBody) || ((k === 'trace_id' || k === 'span_id') && hasTrace)) continue;
    data[k] = v;
  }
  return {
    action: r.eventName ? r.eventName : typeof ev === 'string' && ev !== '' ? ev : 'log',
    session:
      typeof sid === 'string' ? sid : sid === undefined || sid === null || typeof sid === 'object' ? '' : String(sid),
    timestamp: recordTimeMillis(r),
    data,
  };
}

/** Each record's bytes from one encoder that sees them all in order (reset every `batch`). */
function encodeInOrder(records: ReadableLogRecord[], batch = Infinity, initialSize = 16): Buffer[] {
  const enc = new AuditEncoder(initialSize);
  const out: Buffer[] = [];
  records.forEach((r, i) => {
    if (i % batch === 0) enc.reset();
    const start = enc.pos;
    enc.encodeRecord(r);
    out.push(Buffer.from(enc.buf.subarray(start, enc.pos)));
  });
  return out;
}

/** A record's bytes from an encoder that has seen nothing before. */
function encodeAlone(r: ReadableLogRecord): Buffer {
  const enc = new AuditEncoder();
  enc.encodeRecord(r);
  return Buffer.from(enc.bytes());
}

/** An equal string that is another object, as a decoder would make it. */
function copy(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '',
  'GET',
  'POST',
  'a'.repeat(31),
  'b'.repeat(31),
  'a'.repeat(32),
  'c'.repeat(39),
  'c'.repeat(40),
  'd'.repeat(255),
  'd'.repeat(256),
  'e'.repeat(65_536),
  'café',
  'cafe',
  'ÿ'.repeat(31),
  'é'.repeat(16),
  '🔒 audit',
  'x🔒',
  'user-1234',
  'user-1235',
];
const NUMBERS = [
  0,
  -0,
  1,
  127,
  128,
  255,
  256,
  65_535,
  65_536,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 60,
  -1,
  -32,
  -33,
  -128,
  -129,
  -32_768,
  -32_769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 53 - 1),
  0.5,
  -1.25,
  1e300,
  Number.NaN,
  Infinity,
  -Infinity,
];
const OTHERS = [true, false, null, { a: 1, b: ['x', 2] }, [1, 'x', null], new Uint8Array([1, 2, 255]), {}];
const KEYS = Array.from({ length: 20 }, (_, i) => `attr.${i}`);

/**
 * Records that mostly repeat the previous one, as a real source does, and now
 * and then change shape: keys dropped, added, reordered, beyond the remembered
 * slots, record fields present or not, attributes named like record fields.
 */
function randomRecords(n: number, seed: number): ReadableLogRecord[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const last = new Map<string, unknown>();
  const value = (k: string): unknown => {
    const prev = last.get(k);
    let v: unknown;
    if (prev !== undefined && rand() < 0.6) v = typeof prev === 'string' ? copy(prev) : prev;
    else {
      const kind = rand();
      v = kind < 0.5 ? copy(pick(STRINGS)) : kind < 0.85 ? pick(NUMBERS) : pick(OTHERS);
    }
    last.set(k, v);
    return v;
  };
  const out: ReadableLogRecord[] = [];
  let time = 1_705_314_645_123;
  for (let i = 0; i < n; i++) {
    if (rand() < 0.3) time += Math.floor(rand() * 5000);
    let keys = KEYS.filter(() => rand() < 0.9);
    if (rand() < 0.05) keys = [...keys].reverse();
    if (rand() < 0.05) keys = keys.concat(Array.from({ length: 70 }, (_, j) => `wide.${j}`));
    if (rand() < 0.05) keys.push(pick(['body', 'severity', 'trace_id', 'span_id', 'event.name', 'session.id']));
    const attributes: LogAttributes = {};
    for (const k of keys) attributes[k] = value(k) as LogAttributes[string];
    if (rand() < 0.8) attributes['session.id'] = rand() < 0.7 ? copy('sess-1') : pick([`sess-${i}`, 42, true, null]);
    const traced = rand();
    const body = rand();
    out.push(
      record({
        timeMs: time,
        eventName: rand() < 0.8 ? copy('request') : undefined,
        severityNumber: rand() < 0.8 ? 9 : pick([0, 1, 5, 13, 17, 21]),
        body: body < 0.6 ? copy(`GET /api/items ${i % 3}`) : body < 0.8 ? { n: i % 2, text: 'héllo' } : undefined,
        spanContext:
          traced < 0.5
            ? {
                traceId: rand() < 0.7 ? TRACE : TRACE.replace('5', 'a'),
                spanId: rand() < 0.9 ? SPAN : '0000000000000000',
                traceFlags: TraceFlags.SAMPLED,
              }
            : traced < 0.55
              ? { traceId: '00000000000000000000000000000000', spanId: SPAN, traceFlags: TraceFlags.NONE }
              : undefined,
        attributes,
      }),
    );
  }
  return out;
}

describe('AuditEncoder', () => {
  it('AuditEncoder – an entry has the same bytes whatever was encoded before it (3000 random records, growing buffer, resets)', () => {
    const records = randomRecords(3000, 1);
    const alone = records.map(encodeAlone);
    for (const [batch, initialSize] of [
      [Infinity, 16],
      [7, 16],
      [100, 64 * 1024],
    ] as const) {
      const inOrder = encodeInOrder(records, batch, initialSize);
      for (let i = 0; i < records.length; i++) {
        if (!inOrder[i]!.equals(alone[i]!))
          expect.fail(`record ${i} (batch ${batch}): ${inOrder[i]!.toString('hex')} != ${alone[i]!.toString('hex')}`);
      }
    }
  });

  it('AuditEncoder – entries are byte for byte what @msgpack/msgpack encodes for the entry object', () => {
    const records = randomRecords(2000, 2);
    const inOrder = encodeInOrder(records);
    for (let i = 0; i < records.length; i++) {
      const expected = Buffer.from(encode(entryObject(records[i]!)));
      if (!inOrder[i]!.equals(expected))
        expect.fail(`record ${i}: ${inOrder[i]!.toString('hex')} != ${expected.toString('hex')}`);
    }
  });

  it('AuditEncoder – a value kept from the previous entry and a changed one at the same position: ASCII, non-ASCII, lengths 31/32/39/40/255/256', () => {
    const values = [
      'a'.repeat(31),
      copy('a'.repeat(31)),
      'b'.repeat(31),
      'ÿ'.repeat(31),
      'a'.repeat(32),
      'a'.repeat(32),
      'c'.repeat(39),
      'é'.repeat(39),
      'c'.repeat(40),
      'a'.repeat(255),
      'a'.repeat(256),
      copy('a'.repeat(256)),
      'é',
      'e',
      'e',
      7,
      7,
      300,
      'e',
      '\ud800x',
      'x\udc00',
    ];
    const records = values.map((v, i) =>
      record({
        eventName: 'edit',
        body: i % 4 === 0 ? 'same body' : 'same body',
        attributes: { before: 'k', v: v as string, after: i % 2 },
      }),
    );
    const inOrder = encodeInOrder(records);
    records.forEach((r, i) => expect(inOrder[i]!.equals(encodeAlone(r)), `value ${i}`).toBe(true));
    // Lone surrogates aside (written as U+FFFD, as Buffer does), the bytes are @msgpack/msgpack's.
    records
      .slice(0, -2)
      .forEach((r, i) => expect(inOrder[i]!.equals(Buffer.from(encode(entryObject(r)))), `value ${i}`).toBe(true));
  });

  it('AuditEncoder – an object changed in place since the previous entry is encoded anew', () => {
    const shared: Record<string, unknown> = { n: 1 };
    const enc = new AuditEncoder();
    for (let n = 1; n <= 3; n++) {
      shared.n = n;
      const r = record({ attributes: { obj: shared as never, s: 'x' } });
      const start = enc.pos;
      enc.encodeRecord(r);
      expect(
        Buffer.from(enc.buf.subarray(start, enc.pos)).equals(Buffer.from(encode(entryObject(r)))),
        `entry ${n}`,
      ).toBe(true);
    }
  });

  it('AuditEncoder – fields past the remembered ones (64) and data maps crossing 16 entries encode correctly', () => {
    const records: ReadableLogRecord[] = [];
    for (let i = 0; i < 40; i++) {
      const attributes: LogAttributes = {};
      const n = i % 4 === 0 ? 100 : i % 4 === 1 ? 13 : i % 4 === 2 ? 14 : 100;
      for (let j = 0; j < n; j++) attributes[`k${j}`] = j === 80 || j === 5 ? i : 'same';
      records.push(record({ body: 'b', attributes }));
    }
    const inOrder = encodeInOrder(records);
    records.forEach((r, i) => {
      expect(inOrder[i]!.equals(encodeAlone(r)), `record ${i}`).toBe(true);
      expect(inOrder[i]!.equals(Buffer.from(encode(entryObject(r)))), `record ${i}`).toBe(true);
    });
  });
});
