// ExportLogsServiceRequest bodies, OTLP/JSON and protobuf, written so that
// every value an Auditline receiver accepts reaches the next hop unchanged.
//
// The SDK's serialisers (otlp-transformer 0.223) lose values a receiver took:
// JSON.stringify turns NaN and ±Infinity into null, a whole double is sent as
// intValue even beyond int64 (1e300, 2^64: the next receiver answers 400), -0
// loses its sign, integers beyond 2^53 come back as decimal strings, and a
// bigint is dropped (protobuf) or makes the export throw (JSON).
//
// Numbers, both encodings (one rule, so the two agree):
// - an integer with |v| <= 2^53, not -0: intValue (a receiver gives back the same number);
// - any other number: doubleValue, the exact bits (JSON: "NaN", "Infinity",
//   "-Infinity" as strings, -0 as `-0`, others as JS prints them, which round-trip);
// - a bigint in int64 range: intValue (exact decimal in JSON); beyond it: its
//   decimal as stringValue.
// A receiver cannot tell a whole double (3.0) from an int once decoded, so 3.0
// is forwarded as intValue 3; its value is the same number either way.
import type { HrTime } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

type Resource = ReadableLogRecord['resource'];
type Scope = ReadableLogRecord['instrumentationScope'] & {
  attributes?: Record<string, unknown>;
  droppedAttributesCount?: number;
};

const TWO_32 = 4294967296;
const MAX_EXACT = 2 ** 53;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** True when a number goes as intValue: an integer a receiver decodes back to the same number. */
function isIntValue(v: number): boolean {
  return Number.isInteger(v) && v <= MAX_EXACT && v >= -MAX_EXACT && !(v === 0 && 1 / v < 0);
}

/** Records grouped by resource, then scope (by identity), in first-seen order, as the SDK does. */
function group(records: readonly ReadableLogRecord[]): Map<Resource, Map<Scope, ReadableLogRecord[]>> {
  const byResource = new Map<Resource, Map<Scope, ReadableLogRecord[]>>();
  for (const r of records) {
    let byScope = byResource.get(r.resource);
    if (byScope === undefined) byResource.set(r.resource, (byScope = new Map()));
    const list = byScope.get(r.instrumentationScope);
    if (list === undefined) byScope.set(r.instrumentationScope, [r]);
    else list.push(r);
  }
  return byResource;
}

// ---- OTLP/JSON ----------------------------------------------------------------

/** The OTLP/JSON ExportLogsServiceRequest for `records`. */
export function logsRequestJson(records: readonly ReadableLogRecord[]): string {
  const out: string[] = ['{"resourceLogs":['];
  let firstResource = true;
  for (const [resource, byScope] of group(records)) {
    out.push(firstResource ? '{"resource":{"attributes":' : ',{"resource":{"attributes":');
    firstResource = false;
    jsonAttributes(out, resource.attributes);
    out.push('},"scopeLogs":[');
    let firstScope = true;
    for (const [scope, list] of byScope) {
      out.push(firstScope ? '{"scope":{"name":' : ',{"scope":{"name":', JSON.stringify(scope.name ?? ''));
      firstScope = false;
      if (scope.version) out.push(',"version":', JSON.stringify(scope.version));
      if (scope.attributes && Object.keys(scope.attributes).length > 0) {
        out.push(',"attributes":');
        jsonAttributes(out, scope.attributes);
      }
      if (scope.droppedAttributesCount) out.push(',"droppedAttributesCount":', String(scope.droppedAttributesCount));
      out.push('},"logRecords":[');
      for (let i = 0; i < list.length; i++) {
        if (i > 0) out.push(',');
        jsonLogRecord(out, list[i]!);
      }
      out.push(']');
      if (scope.schemaUrl) out.push(',"schemaUrl":', JSON.stringify(scope.schemaUrl));
      out.push('}');
    }
    out.push(']');
    if (resource.schemaUrl) out.push(',"schemaUrl":', JSON.stringify(resource.schemaUrl));
    out.push('}');
  }
  out.push(']}');
  return out.join('');
}

function jsonLogRecord(out: string[], r: ReadableLogRecord): void {
  out.push('{"timeUnixNano":"', nanosText(r.hrTime), '","observedTimeUnixNano":"', nanosText(r.hrTimeObserved), '"');
  if (r.severityNumber) out.push(',"severityNumber":', String(r.severityNumber));
  if (r.severityText) out.push(',"severityText":', JSON.stringify(r.severityText));
  if (r.body !== undefined && r.body !== null) {
    out.push(',"body":');
    jsonAnyValue(out, r.body);
  }
  out.push(',"attributes":');
  jsonAttributes(out, r.attributes);
  if (r.droppedAttributesCount) out.push(',"droppedAttributesCount":', String(r.droppedAttributesCount));
  const sc = r.spanContext;
  if (sc?.traceId) {
    out.push(',"traceId":', JSON.stringify(sc.traceId));
    if (sc.spanId) out.push(',"spanId":', JSON.stringify(sc.spanId));
    if (sc.traceFlags) out.push(',"flags":', String(sc.traceFlags));
  }
  if (r.eventName) out.push(',"eventName":', JSON.stringify(r.eventName));
  out.push('}');
}

/** A KeyValue list; keys whose value is undefined are left out (as JSON.stringify does). */
function jsonAttributes(out: string[], attrs: Record<string, unknown> | undefined): void {
  out.push('[');
  let first = true;
  if (attrs) {
    for (const key in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
      const v = attrs[key];
      if (v === undefined) continue;
      out.push(first ? '{"key":' : ',{"key":', JSON.stringify(key), ',"value":');
      first = false;
      jsonAnyValue(out, v);
      out.push('}');
    }
  }
  out.push(']');
}

function jsonAnyValue(out: string[], v: unknown): void {
  switch (typeof v) {
    case 'string':
      out.push('{"stringValue":', JSON.stringify(v), '}');
      return;
    case 'boolean':
      out.push(v ? '{"boolValue":true}' : '{"boolValue":false}');
      return;
    case 'number':
      out.push(jsonNumber(v));
      return;
    case 'bigint':
      if (v >= INT64_MIN && v <= INT64_MAX) out.push('{"intValue":"', v.toString(), '"}');
      else out.push('{"stringValue":"', v.toString(), '"}');
      return;
    case 'object':
      if (v === null) break;
      if (v instanceof Uint8Array) {
        out.push('{"bytesValue":"', Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'), '"}');
        return;
      }
      if (Array.isArray(v)) {
        out.push('{"arrayValue":{"values":[');
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out.push(',');
          jsonAnyValue(out, v[i]);
        }
        out.push(']}}');
        return;
      }
      out.push('{"kvlistValue":{"values":');
      jsonAttributes(out, v as Record<string, unknown>);
      out.push('}}');
      return;
    default:
      break;
  }
  out.push('{}');
}

function jsonNumber(v: number): string {
  if (isIntValue(v)) return `{"intValue":"${v}"}`;
  if (v !== v) return '{"doubleValue":"NaN"}';
  if (v === Infinity) return '{"doubleValue":"Infinity"}';
  if (v === -Infinity) return '{"doubleValue":"-Infinity"}';
  if (v === 0) return '{"doubleValue":-0}'; // only -0 gets here; JSON.stringify(-0) is "0"
  return `{"doubleValue":${v}}`; // shortest round-trip text; 1e+300 is valid JSON
}

/** Unix nanoseconds as a decimal string, exact (no arithmetic beyond 2^53). */
function nanosText(t: HrTime): string {
  const s = t[0];
  const ns = t[1];
  if (s === 0) return String(ns);
  const n = String(ns);
  return String(s) + '000000000'.slice(n.length) + n;
}

// ---- protobuf ------------------------------------------------------------------

/** The protobuf ExportLogsServiceRequest for `records`. */
export function logsRequestProtobuf(records: readonly ReadableLogRecord[]): Uint8Array {
  const w = new Writer(records.length * 256);
  for (const [resource, byScope] of group(records)) {
    const rl = w.begin(1); // ExportLogsServiceRequest.resource_logs = 1
    const res = w.begin(1); // ResourceLogs.resource = 1
    w.attributes(1, resource.attributes); // Resource.attributes = 1
    w.end(res);
    for (const [scope, list] of byScope) {
      const sl = w.begin(2); // ResourceLogs.scope_logs = 2
      const sc = w.begin(1); // ScopeLogs.scope = 1
      if (scope.name) w.string(1, scope.name);
      if (scope.version) w.string(2, scope.version);
      if (scope.attributes) w.attributes(3, scope.attributes);
      if (scope.droppedAttributesCount) w.tag(4, 0).varint(scope.droppedAttributesCount);
      w.end(sc);
      for (const r of list) protoLogRecord(w, r);
      if (scope.schemaUrl) w.string(3, scope.schemaUrl); // ScopeLogs.schema_url = 3
      w.end(sl);
    }
    if (resource.schemaUrl) w.string(3, resource.schemaUrl); // ResourceLogs.schema_url = 3
    w.end(rl);
  }
  return w.finish();
}

function protoLogRecord(w: Writer, r: ReadableLogRecord): void {
  const lr = w.begin(2); // ScopeLogs.log_records = 2
  w.tag(1, 1).nanos(r.hrTime); // time_unix_nano, fixed64
  if (r.severityNumber) w.tag(2, 0).int64(r.severityNumber); // an enum is an int32: negatives take 10 bytes
  if (r.severityText) w.string(3, r.severityText);
  if (r.body !== undefined && r.body !== null) {
    const b = w.begin(5);
    w.anyValue(r.body);
    w.end(b);
  }
  w.attributes(6, r.attributes);
  if (r.droppedAttributesCount) w.tag(7, 0).varint(r.droppedAttributesCount);
  const sc = r.spanContext;
  if (sc?.traceId) {
    if (sc.traceFlags) w.tag(8, 5).fixed32(sc.traceFlags);
    w.tag(9, 2).hex(sc.traceId);
    if (sc.spanId) w.tag(10, 2).hex(sc.spanId);
  }
  w.tag(11, 1).nanos(r.hrTimeObserved); // observed_time_unix_nano, fixed64
  if (r.eventName) w.string(12, r.eventName);
  w.end(lr);
}

/** A growable protobuf writer. A length-delimited field reserves one length byte and moves its content when it needs more. */
class Writer {
  private buf: Buffer;
  private view: DataView;
  private pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(size, 1024));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** A non-negative integer below 2^53. */
  varint(v: number): this {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** A 64-bit two's-complement value given as unsigned 32-bit halves. */
  private varint64(lo: number, hi: number): this {
    this.ensure(10);
    while (hi > 0 || lo >= 0x80) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo;
    return this;
  }

  /** An integer with |v| <= 2^53 as int64. */
  int64(v: number): this {
    if (v >= 0) return this.varint(v);
    const m = -v;
    const mlo = m % TWO_32;
    const mhi = (m - mlo) / TWO_32;
    const lo = (~mlo + 1) >>> 0;
    return this.varint64(lo, (~mhi + (lo === 0 ? 1 : 0)) >>> 0);
  }

  fixed32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
    return this;
  }

  /** HrTime as fixed64 Unix nanoseconds, exact: s*1e9 + ns split so every product stays below 2^53. */
  nanos(t: HrTime): this {
    const s = t[0];
    const sl = s % 65536;
    const a = ((s - sl) / 65536) * 1e9; // (s >> 16) * 1e9 < 2^53
    const b = sl * 1e9 + t[1]; // < 2^47
    const alo = a % TWO_32;
    // a * 2^16 = hiA * 2^32 + loA
    const hiA = ((a - alo) / TWO_32) * 65536 + Math.floor(alo / 65536);
    const loA = (alo % 65536) * 65536;
    const blo = b % TWO_32;
    const lo = loA + blo;
    const hi = hiA + (b - blo) / TWO_32 + (lo >= TWO_32 ? 1 : 0);
    this.ensure(8);
    this.view.setUint32(this.pos, lo % TWO_32, true);
    this.view.setUint32(this.pos + 4, hi >>> 0, true);
    this.pos += 8;
    return this;
  }

  string(field: number, s: string): void {
    this.tag(field, 2);
    if (s.length <= 42) {
      // At most 126 UTF-8 bytes: the length fits the one reserved byte.
      this.ensure(1 + s.length * 3);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.ensure(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }

  private bytes(b: Uint8Array): void {
    this.varint(b.byteLength);
    this.ensure(b.byteLength);
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
  }

  /** Hex text as bytes (trace and span ids). */
  hex(h: string): void {
    this.bytes(Buffer.from(h, 'hex'));
  }

  /** Starts a length-delimited field; returns where its length goes. */
  begin(field: number): number {
    this.tag(field, 2);
    this.ensure(1);
    return this.pos++;
  }

  end(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    let size = 1;
    for (let v = len; v >= 0x80; v = Math.floor(v / 0x80)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    this.pos += size - 1;
    let v = len;
    let p = at;
    while (v >= 0x80) {
      this.buf[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[p] = v;
  }

  /** Repeated KeyValue `field`; keys whose value is undefined are left out. */
  attributes(field: number, attrs: Record<string, unknown> | undefined): void {
    if (!attrs) return;
    for (const key in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
      const v = attrs[key];
      if (v === undefined) continue;
      const kv = this.begin(field);
      this.string(1, key); // KeyValue.key = 1
      const av = this.begin(2); // KeyValue.value = 2
      this.anyValue(v);
      this.end(av);
      this.end(kv);
    }
  }

  /** The fields of one AnyValue message (the caller writes its tag and length). */
  anyValue(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.string(1, v);
        return;
      case 'boolean':
        this.tag(2, 0).varint(v ? 1 : 0);
        return;
      case 'number':
        if (isIntValue(v)) {
          this.tag(3, 0).int64(v);
        } else {
          this.tag(4, 1).ensure(8);
          this.view.setFloat64(this.pos, v, true);
          this.pos += 8;
        }
        return;
      case 'bigint':
        if (v >= INT64_MIN && v <= INT64_MAX) {
          const u = BigInt.asUintN(64, v);
          this.tag(3, 0).varint64(Number(u & 0xffffffffn), Number(u >> 32n));
        } else {
          this.string(1, v.toString());
        }
        return;
      case 'object':
        if (v === null) return;
        if (v instanceof Uint8Array) {
          this.tag(7, 2).bytes(v);
          return;
        }
        if (Array.isArray(v)) {
          const arr = this.begin(5); // AnyValue.array_value = 5
          for (const item of v) {
            const el = this.begin(1); // ArrayValue.values = 1
            this.anyValue(item);
            this.end(el);
          }
          this.end(arr);
          return;
        }
        {
          const kvl = this.begin(6); // AnyValue.kvlist_value = 6
          this.attributes(1, v as Record<string, unknown>); // KeyValueList.values = 1
          this.end(kvl);
        }
        return;
      default:
        return;
    }
  }
}
