// Zstandard request bodies, decoded as they stream in (fzstd). Two bounds:
// the output stops at the limit (fzstd calls back per block, synchronously, so
// the callback throws as soon as the limit is passed), and each frame's header
// is read here first so that no frame whose window (the buffer fzstd allocates)
// or declared content size is too large reaches the decoder.
import { Decompress } from 'fzstd';
import { BoundedTransform } from './bounded-transform.js';
import { DecompressError } from './decompress-error.js';

/** Largest window accepted: zstd levels 1-19 and Go's encoder stay within it. */
export const MAX_ZSTD_WINDOW = 8 * 1024 * 1024;
const ZSTD_MAGIC = 0xfd2fb528;

/** Walks the frame structure (headers, block headers, skippable frames) without decoding. */
class FrameWalker {
  private header: number[] = [];
  /** Bytes to pass over before the next structure to read. */
  private skip = 0;
  private state: 'magic' | 'frame-header' | 'block-header' | 'skippable-size' = 'magic';
  private lastBlock = false;
  private checksum = false;
  private declared = 0;

  constructor(private readonly limit: number) {}

  scan(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.header.push(chunk[i++]!);
      this.step();
    }
  }

  /** True between frames: a stream that ends elsewhere is truncated. */
  get atBoundary(): boolean {
    return this.state === 'magic' && this.header.length === 0 && this.skip === 0;
  }

  private step(): void {
    const h = this.header;
    if (this.state === 'magic' && h.length === 4) {
      const magic = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
      if (magic === ZSTD_MAGIC) this.state = 'frame-header';
      else if ((magic & 0xfffffff0) === 0x184d2a50) this.state = 'skippable-size';
      else throw new DecompressError(400, 'Zstandard data is corrupt: a frame does not start with its magic number.');
      this.header = [];
    } else if (this.state === 'skippable-size' && h.length === 4) {
      this.skip = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
      this.restart('magic');
    } else if (this.state === 'frame-header' && h.length === frameHeaderSize(h[0]!)) {
      this.frameHeader(h);
      this.restart('block-header');
    } else if (this.state === 'block-header' && h.length === 3) {
      const v = h[0]! | (h[1]! << 8) | (h[2]! << 16);
      const type = (v >> 1) & 3;
      if (type === 3) throw new DecompressError(400, 'Zstandard data is corrupt: a block has the reserved type.');
      this.lastBlock = (v & 1) === 1;
      this.skip = type === 1 ? 1 : v >>> 3;
      if (this.lastBlock) this.skip += this.checksum ? 4 : 0;
      this.restart(this.lastBlock ? 'magic' : 'block-header');
    }
  }

  private restart(state: FrameWalker['state']): void {
    this.state = state;
    this.header = [];
  }

  private frameHeader(h: number[]): void {
    const fhd = h[0]!;
    const singleSegment = (fhd >> 5) & 1;
    this.checksum = ((fhd >> 2) & 1) === 1;
    const fcsFlag = fhd >> 6;
    const dictBytes = [0, 1, 2, 4][fhd & 3]!;
    const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
    const fcsAt = 1 + (singleSegment ? 0 : 1) + dictBytes;
    let fcs: number | undefined;
    if (fcsBytes > 0) {
      fcs = 0;
      for (let i = fcsBytes - 1; i >= 0; i--) fcs = fcs * 256 + h[fcsAt + i]!;
      if (fcsBytes === 2) fcs += 256;
      this.declared += fcs;
      if (this.declared > this.limit) {
        throw new DecompressError(
          413,
          `Zstandard body declares ${this.declared} bytes, over the limit of ${this.limit} bytes.`,
        );
      }
    }
    let window = fcs ?? 0;
    if (!singleSegment) {
      const exp = 10 + (h[1]! >> 3);
      window = 2 ** exp + (2 ** exp / 8) * (h[1]! & 7);
    }
    if (window > MAX_ZSTD_WINDOW && !singleSegment) {
      throw new DecompressError(
        413,
        `Zstandard frame window of ${window} bytes is over the ${MAX_ZSTD_WINDOW} bytes accepted.`,
      );
    }
  }
}

/** Frame header length after the magic number, from its first (descriptor) byte. */
function frameHeaderSize(fhd: number): number {
  const singleSegment = (fhd >> 5) & 1;
  const fcsFlag = fhd >> 6;
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  return 1 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][fhd & 3]! + fcsBytes;
}

export class ZstdDecoder extends BoundedTransform {
  protected readonly name = 'Zstandard';
  private readonly walker: FrameWalker;
  private readonly inner = new Decompress((data) => this.output(data));
  private seen = false;

  constructor(limit: number) {
    super(limit);
    this.walker = new FrameWalker(limit);
  }

  protected write1(chunk: Buffer): void {
    this.walker.scan(chunk);
    this.seen ||= chunk.length > 0;
    this.inner.push(chunk);
  }

  protected end1(): void {
    if (!this.seen) return;
    if (!this.walker.atBoundary) throw new DecompressError(400, 'Zstandard data is corrupt: the stream is truncated.');
    this.inner.push(new Uint8Array(0), true);
  }
}
