// Randomised round trips: records with random fields and attribute values,
// encoded by the official serializers, must decode back to the same values.
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { LogRecordData } from '../../src/model/log-record.js';
import { decodeLogsRequestJson } from '../../src/otlp/decode-json.js';
import { decodeLogsRequestProtobuf } from '../../src/otlp/decode-protobuf.js';
import { prng } from './helpers.js';

const KEYS = [
  'http.method',
  'url.path',
  'status',
  'user.id',
  'session.id',
  'model',
  'é.key',
  'a',
  'long.' + 'k'.repeat(140),
];
const WORDS = [
  'POST',
  'GET',
  '/api/v1/chat',
  'gpt-4o',
  'naïve',
  '☃',
  '😀',
  '',
  'x'.repeat(130),
  'user-1001',
  'user-1002',
];

function randomRecords(rand: () => number, n: number, forJson: boolean): LogRecordData[] {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
  const int = (max: number): number => Math.floor(rand() * max);
  const string = (): string => {
    if (rand() < 0.6) return pick(WORDS);
    let s = '';
    for (let i = int(40); i > 0; i--) s += String.fromCodePoint(rand() < 0.8 ? 32 + int(95) : 160 + int(0x2000));
    return s;
  };
  const value = (depth: number): AnyValue => {
    const kind = int(depth > 2 ? 5 : 8);
    switch (kind) {
      case 0:
      case 1:
        return string();
      case 2:
        return int(2) === 0 ? int(1000) : Math.floor((rand() - 0.5) * 2 ** 53) || 1;
      case 3:
        return forJson ? (rand() - 0.5) * 1e6 + 0.5 : pick([0.25, -1.5e300, NaN, Infinity, 3.14159]);
      case 4:
        return rand() < 0.5;
      case 5:
        return Array.from({ length: int(4) }, () => value(depth + 1));
      case 6: {
        const m: Record<string, AnyValue> = {};
        for (let i = int(4); i > 0; i--) m[pick(KEYS)] = value(depth + 1);
        return m;
      }
      default:
        return Uint8Array.from({ length: int(20) }, () => int(256));
    }
  };
  const resources = [
    resourceFromAttributes({ 'service.name': 'a', n: 1 }),
    resourceFromAttributes({ 'service.name': 'b' }, { schemaUrl: 'https://s' }),
  ];
  const scopes = [
    { name: 's1', version: '1' },
    { name: 's2', version: undefined, schemaUrl: 'https://scope' },
  ];
  const hex = (len: number): string => Array.from({ length: len }, () => int(16).toString(16)).join('');
  const out: LogRecordData[] = [];
  for (let i = 0; i < n; i++) {
    const r = new LogRecordData(pick(resources), pick(scopes));
    r.hrTime = [int(2 ** 32) * 4 + int(4), int(1e9)];
    r.hrTimeObserved = [int(2 ** 31), int(1e9)];
    if (rand() < 0.8) r.severityNumber = 1 + int(24);
    if (rand() < 0.7) r.severityText = pick(['INFO', 'WARN', 'ERROR', 'info']);
    if (rand() < 0.5) r.eventName = pick(['request.completed', 'login', 'é']);
    if (rand() < 0.8) r.body = rand() < 0.7 ? string() : value(0);
    if (rand() < 0.6) r.spanContext = { traceId: hex(32), spanId: rand() < 0.8 ? hex(16) : '', traceFlags: int(2) };
    r.droppedAttributesCount = rand() < 0.1 ? int(5) : 0;
    const attrs: LogAttributes = {};
    // Keys mostly in a stable order, as an app's records are, sometimes shuffled or missing.
    for (const k of rand() < 0.8 ? KEYS : [...KEYS].reverse()) if (rand() < 0.7) attrs[k] = value(0);
    r.attributes = attrs;
    out.push(r);
  }
  return out;
}

/** Records in the order the serializers write them: grouped by resource, then scope, first seen first. */
function serializerOrder(records: LogRecordData[]): LogRecordData[] {
  const groups = new Map<unknown, Map<unknown, LogRecordData[]>>();
  for (const r of records) {
    let scopes = groups.get(r.resource);
    if (!scopes) groups.set(r.resource, (scopes = new Map()));
    let list = scopes.get(r.instrumentationScope);
    if (!list) scopes.set(r.instrumentationScope, (list = []));
    list.push(r);
  }
  return [...groups.values()].flatMap((scopes) => [...scopes.values()].flat());
}

/** Everything a record carries, as plain data for one deep comparison. */
function plain(r: LogRecordData): unknown {
  return {
    hrTime: r.hrTime,
    hrTimeObserved: r.hrTimeObserved,
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    eventName: r.eventName,
    body: r.body,
    attributes: r.attributes,
    dropped: r.droppedAttributesCount,
    spanContext: r.spanContext,
    resource: r.resource.attributes,
    resourceSchemaUrl: r.resource.schemaUrl,
    scope: {
      name: r.instrumentationScope.name,
      version: r.instrumentationScope.version,
      schemaUrl: r.instrumentationScope.schemaUrl,
    },
  };
}

describe('OTLP decoders – randomised round trips through the official serializers', () => {
  it('protobuf: random records decode to exactly the records encoded', () => {
    const rand = prng(20240601);
    for (let req = 0; req < 10; req++) {
      const records = randomRecords(rand, 200, false);
      const out = decodeLogsRequestProtobuf(ProtobufLogsSerializer.serializeRequest(records)!);
      expect(out.rejected).toBe(0);
      expect(out.records.map(plain)).toEqual(serializerOrder(records).map(plain));
    }
  });

  it('JSON: random records decode to exactly the records encoded', () => {
    const rand = prng(7);
    for (let req = 0; req < 10; req++) {
      const records = randomRecords(rand, 200, true);
      const out = decodeLogsRequestJson(JsonLogsSerializer.serializeRequest(records)!);
      expect(out.rejected).toBe(0);
      expect(out.records.map(plain)).toEqual(serializerOrder(records).map(plain));
    }
  });
});
