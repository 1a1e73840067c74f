// The `grpc-status-details-bin` trailer: a serialized google.rpc.Status whose
// details carry a google.rpc.RetryInfo, which is how OTLP/gRPC tells a client
// that UNAVAILABLE / RESOURCE_EXHAUSTED is worth retrying and after how long.
// Written by hand (four tiny messages) so the receiver needs no protobuf library.
//
//   Status    { int32 code = 1; string message = 2; repeated Any details = 3; }
//   Any       { string type_url = 1; bytes value = 2; }
//   RetryInfo { Duration retry_delay = 1; }
//   Duration  { int64 seconds = 1; int32 nanos = 2; }

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** Encodes a google.rpc.Status with one RetryInfo detail of `retryDelaySeconds`. */
export function encodeStatusWithRetryInfo(code: number, message: string, retryDelaySeconds: number): Buffer {
  const seconds = Math.max(0, Math.floor(retryDelaySeconds));
  const nanos = Math.min(999_999_999, Math.max(0, Math.round((retryDelaySeconds - seconds) * 1e9)));
  const duration = Buffer.concat([
    seconds > 0 ? varintField(1, seconds) : EMPTY,
    nanos > 0 ? varintField(2, nanos) : EMPTY,
  ]);
  const retryInfo = lenField(1, duration);
  const any = Buffer.concat([lenField(1, Buffer.from(RETRY_INFO_TYPE_URL)), lenField(2, retryInfo)]);
  return Buffer.concat([varintField(1, code), lenField(2, Buffer.from(message, 'utf8')), lenField(3, any)]);
}

const EMPTY = Buffer.alloc(0);

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}

function varintField(field: number, n: number): Buffer {
  return Buffer.concat([varint(field << 3), varint(n)]);
}

function lenField(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
}
