// LZ4 frame format request bodies (`Content-Encoding: lz4`, as the Collector's
// confighttp takes them), decoded block by block as they arrive. Bounded: a
// block holds at most its frame's declared maximum (64 KiB to 4 MiB) and is
// decoded into a buffer of that size; a declared content size over the limit is
// refused before decoding; output stops at the limit. Header, block and content
// checksums (xxHash32) are verified. Dictionaries and the legacy format are refused.
import { BoundedTransform } from './bounded-transform.js';
import { ByteQueue } from './byte-queue.js';
import { DecompressError } from './decompress-error.js';
import { XXH32, xxh32 } from './xxh32.js';

const MAGIC = 0x184d2204;
/** Dependent blocks may copy from this much of the output before them. */
const WINDOW = 65536;

interface Frame {
  blockMax: number;
  blockChecksum: boolean;
  contentChecksum?: XXH32;
  independent: boolean;
}

export class Lz4Decoder extends BoundedTransform {
  protected readonly name = 'LZ4';
  private readonly queue = new ByteQueue();
  private frame?: Frame;
  private skip = 0;
  private declared = 0;
  private window: Buffer = Buffer.alloc(0);

  protected write1(chunk: Buffer): void {
    this.queue.push(chunk);
    while (this.step());
  }

  protected end1(): void {
    if (this.frame || this.skip > 0 || this.queue.length > 0) throw corrupt('the stream is truncated');
  }

  /** Consumes one structure if all of its bytes are there; false when more input is needed. */
  private step(): boolean {
    const q = this.queue;
    if (this.skip > 0) {
      const n = Math.min(this.skip, q.length);
      if (n === 0) return false;
      q.take(n);
      this.skip -= n;
      return true;
    }
    if (!this.frame) return this.frameHeader();
    if (q.length < 4) return false;
    const word = q.peek(4).readUInt32LE(0);
    if (word === 0) return this.frameEnd();
    const size = word & 0x7fffffff;
    if (size > this.frame.blockMax)
      throw corrupt(`a block of ${size} bytes in a frame of ${this.frame.blockMax}-byte blocks`);
    const total = 4 + size + (this.frame.blockChecksum ? 4 : 0);
    if (q.length < total) return false;
    const block = q.take(total).subarray(4);
    const data = block.subarray(0, size);
    if (this.frame.blockChecksum && xxh32(data) !== block.readUInt32LE(size))
      throw corrupt('a block checksum mismatch');
    this.block(data, (word & 0x80000000) !== 0);
    return true;
  }

  private frameHeader(): boolean {
    const q = this.queue;
    if (q.length < 5) return false;
    const magic = q.peek(4).readUInt32LE(0);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (q.length < 8) return false;
      this.skip = q.take(8).readUInt32LE(4);
      return true;
    }
    if (magic !== MAGIC) throw corrupt('a frame does not start with its magic number');
    const flg = q.peek(5)[4]!;
    const length = 4 + 3 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
    if (q.length < length) return false;
    const h = q.take(length);
    if (flg >> 6 !== 1 || flg & 0x02 || h[5]! & 0x8f) throw corrupt('an unknown frame version or reserved bits set');
    if (flg & 0x01) throw new DecompressError(400, 'LZ4 frames with a dictionary are not supported.');
    if (((xxh32(h.subarray(4, length - 1)) >>> 8) & 0xff) !== h[length - 1])
      throw corrupt('a header checksum mismatch');
    const blockId = (h[5]! >> 4) & 7;
    if (blockId < 4) throw corrupt('an invalid block size');
    if (flg & 0x08) {
      this.declared += h.readUInt32LE(6) + h.readUInt32LE(10) * 2 ** 32;
      if (this.declared > this.limit) {
        throw new DecompressError(
          413,
          `LZ4 body declares ${this.declared} bytes, over the limit of ${this.limit} bytes.`,
        );
      }
    }
    this.frame = {
      blockMax: 1 << (8 + 2 * blockId),
      blockChecksum: (flg & 0x10) !== 0,
      contentChecksum: flg & 0x04 ? new XXH32() : undefined,
      independent: (flg & 0x20) !== 0,
    };
    this.window = Buffer.alloc(0);
    return true;
  }

  private frameEnd(): boolean {
    const sum = this.frame!.contentChecksum;
    if (this.queue.length < 4 + (sum ? 4 : 0)) return false;
    const end = this.queue.take(4 + (sum ? 4 : 0));
    if (sum && sum.digest() !== end.readUInt32LE(4)) throw corrupt('a content checksum mismatch');
    this.frame = undefined;
    return true;
  }

  private block(data: Buffer, stored: boolean): void {
    const frame = this.frame!;
    let out: Buffer;
    if (stored) {
      out = data;
    } else {
      // Dependent blocks may refer back into the previous block's last 64 KiB: decode after a copy of it.
      const prefix = frame.independent ? 0 : this.window.length;
      const buf = Buffer.allocUnsafe(prefix + frame.blockMax);
      if (prefix > 0) this.window.copy(buf, 0);
      const end = decodeBlock(data, buf, prefix);
      out = buf.subarray(prefix, end);
    }
    frame.contentChecksum?.update(out);
    this.output(out);
    if (!frame.independent) this.window = Buffer.from(Buffer.concat([this.window, out]).subarray(-WINDOW));
  }
}

function corrupt(what: string): DecompressError {
  return new DecompressError(400, `LZ4 data is corrupt: ${what}.`);
}

/** An LZ4 length: the 4-bit field, plus bytes of 255 and one final byte when the field is 15. */
function readLength(src: Buffer, pos: { s: number }, base: number): number {
  let n = base;
  if (base !== 15) return n;
  let b: number;
  do {
    if (pos.s >= src.length) throw corrupt('a length runs past the block');
    b = src[pos.s++]!;
    n += b;
  } while (b === 255);
  return n;
}

/** Decodes one LZ4 block into `dst` from `start`; returns the end of the output. */
function decodeBlock(src: Buffer, dst: Buffer, start: number): number {
  const pos = { s: 0 };
  let d = start;
  while (pos.s < src.length) {
    const token = src[pos.s++]!;
    const lit = readLength(src, pos, token >>> 4);
    if (pos.s + lit > src.length || d + lit > dst.length) throw corrupt('literals run past the block');
    src.copy(dst, d, pos.s, pos.s + lit);
    pos.s += lit;
    d += lit;
    if (pos.s === src.length) break; // the last sequence has literals only
    if (pos.s + 2 > src.length) throw corrupt('a match offset runs past the block');
    const offset = src[pos.s]! | (src[pos.s + 1]! << 8);
    pos.s += 2;
    if (offset === 0 || offset > d) throw corrupt('a match refers before the start of the data');
    const len = readLength(src, pos, token & 15) + 4;
    if (d + len > dst.length) throw corrupt('a match runs past the block size');
    // Overlapping matches repeat the last `offset` bytes: copy in growing whole periods.
    for (let k = 0; k < len;) {
      const n = Math.min(len - k, offset + k);
      dst.copyWithin(d + k, d - offset, d - offset + n);
      k += n;
    }
    d += len;
  }
  return d;
}
