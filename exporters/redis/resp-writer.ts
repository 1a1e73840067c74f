// RESP commands written straight into one growable Buffer, with the end and
// weight of every command remembered so the bytes can be cut into pipeline
// chunks later without re-encoding (resp-encoder.ts writes write plans this
// way; resp-pipeline.ts its reads and handshakes). Public Buffer API only.

/** Arguments up to this many characters are copied in a JS loop while ASCII, longer ones by Buffer#write (measured). */
const SHORT = 64;

/** `$n\r\n…\r\n` assuming one byte per character (checked by RespWriter#ascii). */
export function asciiBulk(v: string): string {
  return `$${v.length}\r\n${v}\r\n`;
}

/** `$n\r\n…\r\n` with the UTF-8 byte length. */
export function utf8Bulk(v: string): string {
  return `$${Buffer.byteLength(v, 'utf8')}\r\n${v}\r\n`;
}

/** A bulk string's bytes (`$n\r\n…\r\n`), for constants copied with `raw`. */
export function bulkBytes(s: string): Uint8Array {
  const w = new RespWriter(64);
  w.bulk(s);
  return w.buf.subarray(0, w.off);
}

export class RespWriter {
  buf: Buffer;
  off = 0;
  /** Byte offset just past each command, and its weight (members for multi-member commands). */
  ends: Int32Array;
  weights: Int32Array;
  count = 0;
  /** Where the first command starts (bytes before it are scratch, never sent). */
  base = 0;

  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafeSlow(size);
    this.ends = new Int32Array(1024);
    this.weights = new Int32Array(1024);
  }

  reset(): void {
    this.off = 0;
    this.count = 0;
    this.base = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.off + n, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }

  /** Ends a command of `weight` (call after its last argument). */
  mark(weight: number): void {
    this.markAt(this.off, weight);
  }

  /** Ends a command of `weight` at `end` (for two commands written as one string). */
  markAt(end: number, weight: number): void {
    if (this.count === this.ends.length) {
      const e = new Int32Array(this.count * 2);
      e.set(this.ends);
      this.ends = e;
      const w = new Int32Array(this.count * 2);
      w.set(this.weights);
      this.weights = w;
    }
    this.ends[this.count] = end;
    this.weights[this.count++] = weight;
  }

  /** `*n\r\n`: a command of n arguments follows. */
  array(n: number): void {
    this.ensure(16);
    this.off = header(this.buf, this.off, 42, n);
  }

  bulk(a: string): void {
    const n = a.length;
    this.ensure(3 * n + 16);
    const buf = this.buf;
    let off = this.off;
    if (n <= SHORT) {
      // Optimistic: assume ASCII, so the byte length is the string length.
      const data = off + 3 + (n < 10 ? 1 : 2);
      let q = 0;
      for (; q < n; q++) {
        const ch = a.charCodeAt(q);
        if (ch > 127) break;
        buf[data + q] = ch;
      }
      if (q === n) {
        off = header(buf, off, 36, n) + n;
        buf[off++] = 13;
        buf[off++] = 10;
        this.off = off;
        return;
      }
    }
    const len = Buffer.byteLength(a, 'utf8');
    off = header(buf, off, 36, len);
    off += buf.write(a, off, len, len === n ? 'latin1' : 'utf8');
    buf[off++] = 13;
    buf[off++] = 10;
    this.off = off;
  }

  /**
   * Writes RESP text built as one string whose `$n` lengths assumed ASCII;
   * returns false, leaving `off` unchanged, when it was not (the caller then
   * rebuilds it with byte lengths and uses `utf8`). One native write per
   * command beats copying its ~30 arguments one by one in a JS loop (measured).
   */
  ascii(s: string): boolean {
    const n = s.length;
    this.ensure(3 * n);
    if (this.buf.write(s, this.off, 3 * n, 'utf8') !== n) return false;
    this.off += n;
    return true;
  }

  /** Writes RESP text whose `$n` lengths are byte lengths. */
  utf8(s: string): void {
    this.ensure(3 * s.length);
    this.off += this.buf.write(s, this.off, 3 * s.length, 'utf8');
  }

  /** Copies bytes already in RESP form (a short constant). */
  raw(src: Uint8Array): void {
    const n = src.length;
    this.ensure(n);
    const buf = this.buf;
    let off = this.off;
    // A JS loop: constants are 7–20 bytes, below where a native copy's call cost pays off (measured).
    for (let i = 0; i < n; i++) buf[off++] = src[i]!;
    this.off = off;
  }

  /** Copies `[start, end)` of this buffer (an argument encoded once in the scratch area) to the end. */
  again(start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    // copyWithin: cheaper for these ~60-byte copies than a JS loop or Buffer#copy (measured).
    this.buf.copyWithin(this.off, start, end);
    this.off += n;
  }

  /** Copies `[start, end)` of another buffer to the end (one native copy for a whole region). */
  from(src: Buffer, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    src.copy(this.buf, this.off, start, end);
    this.off += n;
  }

  /** One whole command of string arguments, marked with `weight`. */
  cmd(c: readonly string[], weight = 1): void {
    this.args(c);
    this.mark(weight);
  }

  /** A command's bytes without marking it as one (for the scratch area). */
  args(c: readonly string[]): void {
    this.array(c.length);
    for (let j = 0; j < c.length; j++) this.bulk(c[j]!);
  }
}

/** Writes `*n\r\n` or `$n\r\n`. */
function header(buf: Buffer, off: number, type: number, n: number): number {
  buf[off++] = type;
  if (n < 10) buf[off++] = 48 + n;
  else if (n < 100) {
    buf[off++] = 48 + ((n / 10) | 0);
    buf[off++] = 48 + (n % 10);
  } else {
    const s = String(n);
    for (let i = 0; i < s.length; i++) buf[off++] = s.charCodeAt(i);
  }
  buf[off++] = 13;
  buf[off++] = 10;
  return off;
}

/** Commands as encoded bytes: `buf[base, ends[count-1])`, command i ending at `ends[i]` with weight `weights[i]`. */
export interface EncodedCommands {
  buf: Buffer;
  /** Offset of the first command. */
  base: number;
  ends: Int32Array;
  weights: Int32Array;
  count: number;
}

/** Splits encoded commands, in order, into `[start, end, commands]` chunks of about `size` weight. */
export function chunkEncoded(e: EncodedCommands, size: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  let start = e.base;
  let first = 0;
  let weight = 0;
  for (let i = 0; i < e.count; i++) {
    const w = e.weights[i]!;
    if (weight > 0 && weight + w > size) {
      out.push([start, e.ends[i - 1]!, i - first]);
      start = e.ends[i - 1]!;
      first = i;
      weight = 0;
    }
    weight += w;
  }
  if (e.count > first) out.push([start, e.ends[e.count - 1]!, e.count - first]);
  return out;
}
