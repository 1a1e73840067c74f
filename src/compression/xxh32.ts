// xxHash32, streaming, as the LZ4 frame format checksums its header, blocks and content with it.
const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const round = (acc: number, input: number) => Math.imul(rotl((acc + Math.imul(input, P2)) | 0, 13), P1);
const read32 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

export class XXH32 {
  private v = [0, 0, 0, 0];
  private readonly tail = new Uint8Array(16);
  private tailLength = 0;
  private total = 0;

  constructor(private readonly seed = 0) {
    this.v = [(seed + P1 + P2) | 0, (seed + P2) | 0, seed | 0, (seed - P1) | 0];
  }

  update(data: Uint8Array): this {
    this.total += data.length;
    let i = 0;
    if (this.tailLength > 0) {
      const n = Math.min(16 - this.tailLength, data.length);
      this.tail.set(data.subarray(0, n), this.tailLength);
      this.tailLength += n;
      i = n;
      if (this.tailLength < 16) return this;
      this.stripe(this.tail, 0);
      this.tailLength = 0;
    }
    for (; i + 16 <= data.length; i += 16) this.stripe(data, i);
    this.tail.set(data.subarray(i), 0);
    this.tailLength = data.length - i;
    return this;
  }

  digest(): number {
    const [v1, v2, v3, v4] = this.v as [number, number, number, number];
    let h = this.total >= 16 ? (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0 : (this.seed + P5) | 0;
    h = (h + this.total) | 0;
    let i = 0;
    for (; i + 4 <= this.tailLength; i += 4) h = Math.imul(rotl((h + Math.imul(read32(this.tail, i), P3)) | 0, 17), P4);
    for (; i < this.tailLength; i++) h = Math.imul(rotl((h + Math.imul(this.tail[i]!, P5)) | 0, 11), P1);
    h ^= h >>> 15;
    h = Math.imul(h, P2);
    h ^= h >>> 13;
    h = Math.imul(h, P3);
    h ^= h >>> 16;
    return h >>> 0;
  }

  private stripe(b: Uint8Array, i: number): void {
    const v = this.v;
    v[0] = round(v[0]!, read32(b, i));
    v[1] = round(v[1]!, read32(b, i + 4));
    v[2] = round(v[2]!, read32(b, i + 8));
    v[3] = round(v[3]!, read32(b, i + 12));
  }
}

export function xxh32(data: Uint8Array, seed = 0): number {
  return new XXH32(seed).update(data).digest();
}
