// A protobuf wire-format reader over one request buffer. Offsets are absolute;
// each message decoder loops `while (r.pos < end)` and calls `r.finish(end)`.
import { utf8Slice } from '../util/fast-buffer.js';
import { DecodeError, MAX_NESTING } from './types.js';

/** Kept as a name for the decoder's buffers (plain Buffers). */
export type NodeBuffer = Buffer;

// Wire types.
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const SGROUP = 3;
export const EGROUP = 4;
export const I32 = 5;

// Reusable argument arrays for String.fromCharCode.apply, one per length.
const MAX_JS_STRING = 16;
const CODES: number[][] = [];
for (let i = 0; i <= MAX_JS_STRING; i++) CODES.push(new Array<number>(i).fill(0));

export class WireReader {
  readonly buf: NodeBuffer;
  /** The same bytes, for reading 4 at a time. */
  readonly dv: DataView;
  readonly len: number;
  pos = 0;
  /** Low and high unsigned 32-bit halves of the last varint64()/fixed64(). */
  lo = 0;
  hi = 0;

  constructor(input: Uint8Array) {
    this.buf = (
      Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength)
    ) as NodeBuffer;
    this.len = input.byteLength;
    this.dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  /**
   * A field tag. Callers loop while `pos < end <= len`, so one byte is always
   * there; single-byte tags (fields 1-15) skip the general varint path, which
   * is too large for V8 to inline (measured).
   */
  tag(): number {
    const p = this.pos;
    const c = this.buf[p]!;
    if (c < 0x80) {
      this.pos = p + 1;
      return c;
    }
    return this.uint32();
  }

  /** A varint's low 32 bits as an unsigned number (tags, lengths, uint32, enums). */
  uint32(): number {
    const b = this.buf;
    let p = this.pos;
    if (p + 10 > this.len) return this.uint32Checked();
    let c = b[p++]!;
    let v = c & 0x7f;
    if (c < 0x80) {
      this.pos = p;
      return v;
    }
    c = b[p++]!;
    v |= (c & 0x7f) << 7;
    if (c < 0x80) {
      this.pos = p;
      return v;
    }
    c = b[p++]!;
    v |= (c & 0x7f) << 14;
    if (c < 0x80) {
      this.pos = p;
      return v;
    }
    c = b[p++]!;
    v |= (c & 0x7f) << 21;
    if (c < 0x80) {
      this.pos = p;
      return v;
    }
    c = b[p++]!;
    v = (v | (c << 28)) >>> 0;
    if (c < 0x80) {
      this.pos = p;
      return v;
    }
    // Bits above 32 (a negative int32 enum is sign-extended to 10 bytes): drop them.
    for (let i = 0; i < 5; i++)
      if (b[p++]! < 0x80) {
        this.pos = p;
        return v;
      }
    return this.fail('Malformed varint (longer than 10 bytes)', this.pos);
  }

  private uint32Checked(): number {
    this.varint64();
    return this.lo;
  }

  /** A full 64-bit varint into `lo`/`hi`. */
  varint64(): void {
    const b = this.buf;
    const start = this.pos;
    const len = this.len;
    let p = start;
    let lo = 0;
    let hi: number;
    let c: number;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= len) this.fail('Truncated varint', start);
      c = b[p++]!;
      lo |= (c & 0x7f) << shift;
      if (c < 0x80) {
        this.lo = lo >>> 0;
        this.hi = 0;
        this.pos = p;
        return;
      }
    }
    if (p >= len) this.fail('Truncated varint', start);
    c = b[p++]!;
    lo |= c << 28;
    hi = (c & 0x7f) >>> 4;
    if (c < 0x80) {
      this.lo = lo >>> 0;
      this.hi = hi;
      this.pos = p;
      return;
    }
    for (let shift = 3; shift < 32; shift += 7) {
      if (p >= len) this.fail('Truncated varint', start);
      c = b[p++]!;
      hi |= (c & 0x7f) << shift;
      if (c < 0x80) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        this.pos = p;
        return;
      }
    }
    this.fail('Malformed varint (longer than 10 bytes)', start);
  }

  fixed32(): number {
    const p = this.pos;
    if (p + 4 > this.len) this.fail('Truncated fixed32', p);
    this.pos = p + 4;
    return this.dv.getUint32(p, true);
  }

  /** A fixed64 into `lo`/`hi`. */
  fixed64(): void {
    const p = this.pos;
    if (p + 8 > this.len) this.fail('Truncated fixed64', p);
    this.lo = this.dv.getUint32(p, true);
    this.hi = this.dv.getUint32(p + 4, true);
    this.pos = p + 8;
  }

  double(): number {
    const p = this.pos;
    if (p + 8 > this.len) this.fail('Truncated double', p);
    this.pos = p + 8;
    return this.dv.getFloat64(p, true);
  }

  /** Reads a length prefix; returns where the payload ends (checked against `limit`). */
  lengthEnd(limit: number): number {
    const at = this.pos;
    let n: number;
    let p: number;
    // Most lengths fit one byte: inline fast path, as in tag().
    if (at < this.len && this.buf[at]! < 0x80) {
      n = this.buf[at]!;
      p = at + 1;
      this.pos = p;
    } else {
      n = this.uint32();
      p = this.pos;
    }
    const end = p + n;
    if (end > limit) {
      this.fail(`Length-delimited field declares ${n} bytes but only ${limit - p} remain in the enclosing message`, at);
    }
    return end;
  }

  /** A length-prefixed UTF-8 string (invalid sequences become U+FFFD). */
  string(limit: number): string {
    const end = this.lengthEnd(limit);
    const s = this.pos;
    this.pos = end;
    return utf8(this.buf, s, end);
  }

  /** A length-prefixed bytes field, copied out of the request buffer. */
  bytes(limit: number): Uint8Array {
    const end = this.lengthEnd(limit);
    const s = this.pos;
    this.pos = end;
    const out = new Uint8Array(end - s);
    out.set(this.buf.subarray(s, end));
    return out;
  }

  /** Skips the value of an unknown field of any wire type, groups included. */
  skip(tag: number, limit: number, depth = 0): void {
    const at = this.pos;
    switch (tag & 7) {
      case VARINT:
        this.varint64();
        break;
      case I64:
        this.pos += 8;
        break;
      case LEN:
        this.pos = this.lengthEnd(limit);
        break;
      case SGROUP: {
        if (depth >= MAX_NESTING) this.fail(`Groups nested deeper than ${MAX_NESTING}`, at);
        const field = tag >>> 3;
        for (;;) {
          if (this.pos >= limit) this.fail(`Group ${field} has no end-group tag`, at);
          const t = this.uint32();
          if ((t & 7) === EGROUP) {
            if (t >>> 3 !== field) this.fail(`End-group tag for field ${t >>> 3} closes group ${field}`, this.pos);
            break;
          }
          this.skip(t, limit, depth + 1);
        }
        break;
      }
      case EGROUP:
        this.fail(`Unexpected end-group tag for field ${tag >>> 3}`, at);
        break;
      case I32:
        this.pos += 4;
        break;
      default:
        this.fail(`Invalid wire type ${tag & 7} for field ${tag >>> 3}`, at);
    }
    if (this.pos > limit) this.fail(`Field ${tag >>> 3} runs past the end of its message`, at);
  }

  /** Checks that a message's fields ended exactly at its declared end. */
  finish(end: number, what: string): void {
    if (this.pos !== end) this.fail(`${what} overruns its declared length`, end);
  }

  fail(message: string, at: number): never {
    throw new DecodeError(`Invalid protobuf: ${message} (byte ${at} of ${this.len}).`);
  }
}

/**
 * Decodes UTF-8 bytes [s, e). Short ASCII strings are built in JS with one
 * String.fromCharCode call; longer or non-ASCII ones natively (src/util/fast-buffer.ts):
 * below ~16 bytes the JS loop is cheaper than a native call's fixed cost (bench/README.md).
 */
export function utf8(b: NodeBuffer, s: number, e: number): string {
  const n = e - s;
  if (n > MAX_JS_STRING) return utf8Slice(b, s, e);
  const codes = CODES[n]!;
  for (let i = 0; i < n; i++) {
    const c = b[s + i]!;
    if (c > 0x7f) return utf8Slice(b, s, e);
    codes[i] = c;
  }
  return String.fromCharCode.apply(null, codes);
}

/** True when bytes [s, e) are ASCII and spell exactly `str` (any string). */
export function sameAscii(b: Uint8Array, s: number, e: number, str: string): boolean {
  const n = e - s;
  if (str.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = b[s + i]!;
    if (c > 0x7f || str.charCodeAt(i) !== c) return false;
  }
  return true;
}
