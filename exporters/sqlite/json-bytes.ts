// A growable buffer that JSON text is written into directly, as UTF-8: short
// ASCII strings are escaped and copied in a JS loop, anything else goes
// through JSON.stringify and Buffer's native UTF-8 writer. Building rows this
// way allocates no intermediate strings (measured: concatenating a batch's rows
// into one string cost more in GC than the structured clone it replaced).
import { utf8Write } from '../../src/util/fast-buffer.js';

/** Strings up to this length are tried in the JS loop; longer ones go native at once (measured). */
const LOOP_MAX = 64;

export class JsonBytes {
  buf: Buffer;
  len = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.buf.length - this.len >= n) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    if (this.len === this.buf.length) this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Copies bytes (short ones in a loop: cheaper than a native call). */
  bytes(b: Uint8Array, start = 0, end = b.length): void {
    const n = end - start;
    this.ensure(n);
    if (n > LOOP_MAX) {
      this.buf.set(b.subarray(start, end), this.len);
      this.len += n;
      return;
    }
    const buf = this.buf;
    let o = this.len;
    for (let i = start; i < end; i++) buf[o++] = b[i]!;
    this.len = o;
  }

  /** Text known to be ASCII and valid JSON as it stands (numbers, literals). */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let o = this.len;
    for (let i = 0; i < n; i++) buf[o++] = s.charCodeAt(i);
    this.len = o;
  }

  /** A finite number (cells are never NaN or infinite); small integers digit by digit, others by String(). */
  num(v: number): void {
    if (v >= 0 && v < 0x40000000 && (v | 0) === v) {
      this.ensure(10);
      const buf = this.buf;
      let o = this.len;
      if (v < 10) {
        buf[o++] = 0x30 + v;
        this.len = o;
        return;
      }
      let d = 10;
      while (d <= v) d *= 10;
      while (d > 1) {
        d = (d / 10) | 0;
        buf[o++] = 0x30 + (((v / d) | 0) % 10);
      }
      this.len = o;
      return;
    }
    this.ascii(String(v));
  }

  /** A JSON string literal for `s`. */
  str(s: string): void {
    const n = s.length;
    if (n > LOOP_MAX) {
      this.text(JSON.stringify(s));
      return;
    }
    this.ensure(n + 2);
    const buf = this.buf;
    let o = this.len;
    buf[o++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // Escapes and non-ASCII: the whole string again, natively (nothing was committed yet).
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        this.text(JSON.stringify(s));
        return;
      }
      buf[o++] = c;
    }
    buf[o++] = 0x22;
    this.len = o;
  }

  /** Any text, written as UTF-8. */
  text(s: string): void {
    this.ensure(s.length * 3);
    this.len += utf8Write(this.buf, s, this.len, this.buf.length - this.len);
  }

  /** Bytes of JSON text as a JSON string literal: only `"` and `\` need escaping in valid JSON. */
  quoted(b: Uint8Array, start: number, end: number): void {
    this.ensure(2 * (end - start) + 2);
    const buf = this.buf;
    let o = this.len;
    buf[o++] = 0x22;
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c === 0x22 || c === 0x5c) buf[o++] = 0x5c;
      buf[o++] = c;
    }
    buf[o++] = 0x22;
    this.len = o;
  }

  /**
   * The bytes written so far as a view of a buffer of their own (so it can be transferred to another
   * thread); what follows is written into `next`, or a fresh buffer of the same size.
   */
  take(next?: Buffer): Uint8Array {
    const out = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.len);
    this.buf = next ?? Buffer.allocUnsafeSlow(this.buf.length);
    this.len = 0;
    return out;
  }
}
