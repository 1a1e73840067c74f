// ExportLogsServiceResponse and google.rpc.Status bodies for OTLP responses,
// in the request's encoding (binary protobuf or OTLP/JSON).

export type OtlpFormat = 'protobuf' | 'json';

export interface PartialSuccess {
  rejectedLogRecords: number;
  errorMessage: string;
}

const EMPTY = new Uint8Array(0);

/**
 * The 200 response body. Full success is an empty message (`{}` in JSON);
 * with `partial`, `partial_success` is set (even with 0 rejected, which the
 * spec allows for warnings).
 */
export function encodeLogsResponse(format: 'protobuf', partial?: PartialSuccess): Uint8Array;
export function encodeLogsResponse(format: 'json', partial?: PartialSuccess): string;
export function encodeLogsResponse(format: OtlpFormat, partial?: PartialSuccess): Uint8Array | string;
export function encodeLogsResponse(format: OtlpFormat, partial?: PartialSuccess): Uint8Array | string {
  if (format === 'json') {
    if (partial === undefined) return '{}';
    // int64 is a decimal string in proto3 JSON, as the Collector writes it.
    return JSON.stringify({
      partialSuccess: {
        rejectedLogRecords: String(Math.trunc(partial.rejectedLogRecords)),
        errorMessage: partial.errorMessage,
      },
    });
  }
  if (partial === undefined) return EMPTY;
  // ExportLogsPartialSuccess: rejected_log_records = 1 (int64), error_message = 2.
  const w = new Writer();
  if (partial.rejectedLogRecords !== 0) w.tag(1, 0).varint(partial.rejectedLogRecords);
  if (partial.errorMessage !== '') w.tag(2, 2).string(partial.errorMessage);
  const inner = w.finish();
  // ExportLogsServiceResponse: partial_success = 1.
  return new Writer().tag(1, 2).bytes(inner).finish();
}

/** A google.rpc.Status body (code = 1, message = 2) for 4xx/5xx responses. */
export function encodeStatus(format: 'protobuf', code: number, message: string): Uint8Array;
export function encodeStatus(format: 'json', code: number, message: string): string;
export function encodeStatus(format: OtlpFormat, code: number, message: string): Uint8Array | string;
export function encodeStatus(format: OtlpFormat, code: number, message: string): Uint8Array | string {
  if (format === 'json') return JSON.stringify({ code, message });
  const w = new Writer();
  if (code !== 0) w.tag(1, 0).varint(code);
  if (message !== '') w.tag(2, 2).string(message);
  return w.finish();
}

/** A minimal protobuf writer for these small messages. */
class Writer {
  private readonly parts: number[] = [];
  private readonly chunks: Uint8Array[] = [];

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** Non-negative integers up to 2^53, and negative int32/int64 as 10-byte two's complement. */
  varint(v: number): this {
    if (v < 0) {
      // Two's complement over 64 bits: low word, then the sign-extended high word.
      let lo = (v % 4294967296) >>> 0;
      let hi = Math.floor(v / 4294967296) >>> 0;
      for (let i = 0; i < 9; i++) {
        this.parts.push((lo & 0x7f) | 0x80);
        lo = ((lo >>> 7) | (hi << 25)) >>> 0;
        hi >>>= 7;
      }
      this.parts.push(lo & 0x01);
      return this;
    }
    while (v >= 0x80) {
      this.parts.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.parts.push(v);
    return this;
  }

  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  bytes(b: Uint8Array): this {
    this.varint(b.length);
    this.flush();
    this.chunks.push(b);
    return this;
  }

  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0]!;
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    this.chunks.push(Uint8Array.from(this.parts));
    this.parts.length = 0;
  }
}
