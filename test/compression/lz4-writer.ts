// A small LZ4 frame writer for tests (greedy matcher over a 4-byte hash), so
// the decoder is exercised on real compressed blocks without a native package.
import { xxh32 } from '../../src/compression/xxh32.js';

function lengthBytes(n: number): number[] {
  const out: number[] = [];
  for (; n >= 255; n -= 255) out.push(255);
  out.push(n);
  return out;
}

/** One LZ4 block of `src` (matches of 4+ bytes within 64 KiB; the last 12 bytes stay literals, per the format). */
export function lz4Block(src: Buffer): Buffer {
  const out: number[] = [];
  const table = new Map<number, number>();
  let anchor = 0;
  let i = 0;
  const limit = src.length - 12;
  const emit = (litEnd: number, offset?: number, matchLen?: number) => {
    const lit = litEnd - anchor;
    const ml = matchLen === undefined ? 0 : matchLen - 4;
    out.push((Math.min(lit, 15) << 4) | Math.min(ml, 15));
    if (lit >= 15) out.push(...lengthBytes(lit - 15));
    for (let k = anchor; k < litEnd; k++) out.push(src[k]!);
    if (offset !== undefined) {
      out.push(offset & 0xff, offset >> 8);
      if (ml >= 15) out.push(...lengthBytes(ml - 15));
    }
  };
  while (i < limit) {
    const key = src.readUInt32LE(i);
    const cand = table.get(key);
    table.set(key, i);
    if (cand !== undefined && i - cand <= 65535 && src.readUInt32LE(cand) === key) {
      let len = 4;
      while (i + len < limit && src[cand + len] === src[i + len]) len++;
      emit(i, i - cand, len);
      i += len;
      anchor = i;
    } else {
      i++;
    }
  }
  emit(src.length);
  return Buffer.from(out);
}

/** An LZ4 frame: independent 64 KiB blocks, content size and content checksum set. */
export function lz4Frame(src: Buffer, opts: { blockChecksum?: boolean } = {}): Buffer {
  const flg = 0x40 | 0x20 | (opts.blockChecksum ? 0x10 : 0) | 0x08 | 0x04;
  const desc = Buffer.alloc(10);
  desc[0] = flg;
  desc[1] = 4 << 4;
  desc.writeUInt32LE(src.length % 2 ** 32, 2);
  desc.writeUInt32LE(Math.floor(src.length / 2 ** 32), 6);
  const parts: Buffer[] = [Buffer.from([0x04, 0x22, 0x4d, 0x18]), desc, Buffer.from([(xxh32(desc) >>> 8) & 0xff])];
  for (let at = 0; at < src.length; at += 65536) {
    const raw = src.subarray(at, at + 65536);
    const packed = lz4Block(raw);
    const stored = packed.length >= raw.length;
    const data = stored ? raw : packed;
    const head = Buffer.alloc(4);
    head.writeUInt32LE((data.length | (stored ? 0x80000000 : 0)) >>> 0);
    parts.push(head, data);
    if (opts.blockChecksum) {
      const c = Buffer.alloc(4);
      c.writeUInt32LE(xxh32(data));
      parts.push(c);
    }
  }
  const end = Buffer.alloc(8);
  end.writeUInt32LE(xxh32(src), 4);
  parts.push(end);
  return Buffer.concat(parts);
}

/** A frame without a content size whose dependent 4 MiB blocks are each one long run of 'a' (about 16 KiB each). */
export function lz4Bomb(blocks: number): Buffer {
  const desc = Buffer.from([0x40, 7 << 4]);
  const parts: Buffer[] = [Buffer.from([0x04, 0x22, 0x4d, 0x18]), desc, Buffer.from([(xxh32(desc) >>> 8) & 0xff])];
  const run = 4 * 1024 * 1024 - 1 - 5;
  const block = Buffer.from([0x1f, 0x61, 0x01, 0x00, ...lengthBytes(run - 4 - 15), 0x50, 0x61, 0x61, 0x61, 0x61, 0x61]);
  for (let i = 0; i < blocks; i++) {
    const head = Buffer.alloc(4);
    head.writeUInt32LE(block.length);
    parts.push(head, block);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}
