import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { encodeLogsResponse, encodeStatus } from '../../src/otlp/encode.js';
import { WireReader } from '../../src/otlp/wire-reader.js';

/** google.rpc.Status read back with our own wire reader. */
function readStatus(bytes: Uint8Array): { code?: number; message?: string } {
  const r = new WireReader(bytes);
  const out: { code?: number; message?: string } = {};
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 0x08) out.code = r.uint32() | 0;
    else if (tag === 0x12) out.message = r.string(r.len);
    else r.skip(tag, r.len);
  }
  return out;
}

describe('encodeLogsResponse', () => {
  it('encodes full success as an empty protobuf message and as {} in JSON', () => {
    const bin = encodeLogsResponse('protobuf');
    expect(bin).toBeInstanceOf(Uint8Array);
    expect(bin.length).toBe(0);
    expect(ProtobufLogsSerializer.deserializeResponse(bin)).toEqual({});
    expect(encodeLogsResponse('json')).toBe('{}');
  });

  it('encodes partial success so the official client deserializer reads it back', () => {
    const partial = { rejectedLogRecords: 3, errorMessage: 'trace_id is 5 bytes long — must be 16.' };
    const bin = encodeLogsResponse('protobuf', partial);
    expect(ProtobufLogsSerializer.deserializeResponse(bin)).toEqual({ partialSuccess: partial });
    const json = encodeLogsResponse('json', partial);
    expect(JSON.parse(json)).toEqual({
      partialSuccess: { rejectedLogRecords: '3', errorMessage: partial.errorMessage },
    });
    expect(JsonLogsSerializer.deserializeResponse(Buffer.from(json))).toEqual({
      partialSuccess: { rejectedLogRecords: '3', errorMessage: partial.errorMessage },
    });
  });

  it('keeps partial_success set for a warning with zero rejected records', () => {
    const bin = encodeLogsResponse('protobuf', { rejectedLogRecords: 0, errorMessage: 'Deprecated field used.' });
    expect(bin.length).toBeGreaterThan(0);
    expect(ProtobufLogsSerializer.deserializeResponse(bin)).toEqual({
      partialSuccess: { errorMessage: 'Deprecated field used.' },
    });
  });

  it('encodes large rejected counts exactly', () => {
    const bin = encodeLogsResponse('protobuf', { rejectedLogRecords: 2 ** 40 + 7, errorMessage: 'x' });
    expect(ProtobufLogsSerializer.deserializeResponse(bin).partialSuccess?.rejectedLogRecords).toBe(2 ** 40 + 7);
  });
});

describe('encodeStatus', () => {
  it('encodes google.rpc.Status with code and UTF-8 message', () => {
    const bin = encodeStatus('protobuf', 3, 'Request body is not valid: naïve ☃.');
    expect(readStatus(bin)).toEqual({ code: 3, message: 'Request body is not valid: naïve ☃.' });
    expect(JSON.parse(encodeStatus('json', 8, 'Too many requests.'))).toEqual({
      code: 8,
      message: 'Too many requests.',
    });
  });

  it('omits default fields and round-trips a negative code as int32', () => {
    expect(encodeStatus('protobuf', 0, '').length).toBe(0);
    expect(readStatus(encodeStatus('protobuf', -2, 'm'))).toEqual({ code: -2, message: 'm' });
  });
});
