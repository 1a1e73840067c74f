// Shared fixtures for the OTLP codec tests: records made by the real SDK, a
// field-by-field comparison, and a tiny protobuf writer for hand-built bytes.
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { expect } from 'vitest';

export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
export const SPAN_ID = 'eee19b7ec3c1b174';

/**
 * Records from two LoggerProviders (two resources), three loggers (scopes),
 * covering every LogRecord field and every AnyValue kind.
 */
export async function sdkRecords(): Promise<ReadableLogRecord[]> {
  const out: ReadableLogRecord[] = [];
  const spanCtx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
  });

  const exporterA = new InMemoryLogRecordExporter();
  const providerA = new LoggerProvider({
    resource: resourceFromAttributes(
      { 'service.name': 'checkout', 'service.instance.id': 'i-42', 'host.cpu.count': 8 },
      { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
    ),
    processors: [new SimpleLogRecordProcessor({ exporter: exporterA })],
  });
  const audit = providerA.getLogger('audit', '1.2.3', {
    schemaUrl: 'https://opentelemetry.io/schemas/1.25.0',
    attributes: { 'scope.team': 'payments', 'scope.tier': 2 },
  });
  const http = providerA.getLogger('http');

  audit.emit({
    timestamp: [1700000000, 123456789],
    observedTimestamp: [1700000001, 987654321],
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    eventName: 'payment.declined',
    body: 'Card declined for order 1234.',
    context: spanCtx,
    attributes: {
      'order.id': 1234,
      amount: 99.95,
      approved: false,
      retry: true,
      tags: ['a', 'b', 3, 4.5, true],
      customer: { id: 'c-1', address: { city: 'Zürich', zip: 8001 }, flags: [1, 2] },
      blob: new Uint8Array([0, 1, 2, 250, 255]),
      'big.positive': 2 ** 53,
      negative: -42,
      unicode: 'naïve ☃ 日本 😀',
      empty: '',
    },
  });
  audit.emit({
    timestamp: [1700000000, 5],
    observedTimestamp: [1700000000, 6],
    severityNumber: SeverityNumber.INFO,
    body: { message: 'structured', count: 3, nested: [{ k: 'v' }] },
    attributes: { 'order.id': 1235 },
  });
  http.emit({
    timestamp: [4102444800, 999999999],
    observedTimestamp: [4102444800, 0],
    severityNumber: SeverityNumber.ERROR,
    severityText: 'error',
    body: 'upstream timed out',
    attributes: { 'http.request.method': 'GET', 'http.response.status_code': 504 },
  });
  out.push(...exporterA.getFinishedLogRecords());

  const exporterB = new InMemoryLogRecordExporter();
  const providerB = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'worker' }),
    processors: [new SimpleLogRecordProcessor({ exporter: exporterB })],
  });
  providerB.getLogger('jobs', '0.1.0').emit({
    timestamp: [1, 0],
    observedTimestamp: [1, 1],
    attributes: { 'job.id': 'j-9' },
  });
  out.push(...exporterB.getFinishedLogRecords());

  await providerA.shutdown();
  await providerB.shutdown();
  expect(out).toHaveLength(4);
  return out;
}

/** Every field a decoded record shares with the SDK record it was encoded from. */
export function expectSameRecord(actual: ReadableLogRecord, expected: ReadableLogRecord): void {
  expect(actual.hrTime).toEqual(expected.hrTime);
  expect(actual.hrTimeObserved).toEqual(expected.hrTimeObserved);
  expect(actual.severityNumber).toBe(expected.severityNumber);
  expect(actual.severityText).toBe(expected.severityText);
  expect(actual.eventName).toBe(expected.eventName);
  expect(actual.body).toEqual(expected.body);
  expect(actual.attributes).toEqual(expected.attributes);
  expect(actual.droppedAttributesCount).toBe(expected.droppedAttributesCount);
  expect(actual.spanContext).toEqual(expected.spanContext);
  expect(actual.resource.attributes).toEqual(expected.resource.attributes);
  expect(actual.resource.schemaUrl).toBe(expected.resource.schemaUrl);
  const scope = actual.instrumentationScope;
  const want = expected.instrumentationScope;
  expect(scope.name).toBe(want.name);
  expect(scope.version).toBe(want.version);
  expect(scope.schemaUrl).toBe(want.schemaUrl);
  expect(scope.attributes).toEqual(want.attributes);
}

/** Builds protobuf bytes by hand, including things no official encoder writes. */
export class PbWriter {
  private readonly bytes: number[] = [];

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  varint(v: number | bigint): this {
    let n = BigInt.asUintN(64, BigInt(v));
    while (n >= 0x80n) {
      this.bytes.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.bytes.push(Number(n));
    return this;
  }

  fixed32(v: number): this {
    for (let i = 0; i < 4; i++) this.bytes.push((v >>> (8 * i)) & 0xff);
    return this;
  }

  fixed64(v: bigint): this {
    for (let i = 0n; i < 8n; i++) this.bytes.push(Number((v >> (8n * i)) & 0xffn));
    return this;
  }

  double(v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.bytes.push(...b);
    return this;
  }

  raw(b: Uint8Array | number[]): this {
    this.bytes.push(...b);
    return this;
  }

  /** field (wire type 2) holding raw bytes or a nested message. */
  len(field: number, payload: Uint8Array | number[] | PbWriter | string): this {
    const b =
      typeof payload === 'string'
        ? Buffer.from(payload, 'utf8')
        : payload instanceof PbWriter
          ? payload.finish()
          : payload;
    return this.tag(field, 2).varint(b.length).raw(b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export const pb = (): PbWriter => new PbWriter();

/** An AnyValue holding a string. */
export const str = (s: string): PbWriter => pb().len(1, s);

/** A KeyValue. */
export const kv = (key: string, value: PbWriter): PbWriter => pb().len(1, key).len(2, value);

/** mulberry32: a small seeded PRNG, so randomised tests replay exactly. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
