// Compressed bodies for the decoder and receiver tests: each encoding, and a
// bomb of each kind (tiny on the wire, far over any limit once decoded).
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import snappy from 'snappyjs';
import { createCompressor, snappyFramed } from '../../src/compression/encoders.js';
import { lz4Bomb, lz4Frame } from './lz4-writer.js';

const zstd = await createCompressor('zstd');

export const MiB = 1024 * 1024;

/** `body` encoded for a Content-Encoding value (raw deflate is sent as `deflate` too). */
export async function encodeAs(encoding: string, body: Uint8Array): Promise<Buffer> {
  const b = Buffer.from(body);
  switch (encoding) {
    case 'gzip':
      return gzipSync(b);
    case 'zlib':
      return deflateSync(b);
    case 'deflate':
      return deflateSync(b);
    case 'deflate-raw':
      return deflateRawSync(b);
    case 'zstd':
      return Buffer.from(zstd(b));
    case 'snappy':
      return snappy.compress(b);
    case 'snappy-framed':
    case 'x-snappy-framed':
      return snappyFramed(b);
    case 'lz4':
      return lz4Frame(b);
    case 'lz4-checksummed':
      return lz4Frame(b, { blockChecksum: true });
    default:
      throw new Error(encoding);
  }
}

/** The Content-Encoding header a test variant is sent with. */
export function headerOf(variant: string): string {
  return variant === 'deflate-raw'
    ? 'deflate'
    : variant === 'snappy-framed'
      ? 'snappy'
      : variant === 'lz4-checksummed'
        ? 'lz4'
        : variant;
}

/** A zstd frame with no declared size, a 512 KiB window and `blocks` RLE blocks of 128 KiB each (4 bytes apiece). */
export function zstdRleBomb(blocks: number): Buffer {
  const head = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (19 - 10) << 3]);
  const block = (last: boolean) => {
    const v = (131072 << 3) | (1 << 1) | (last ? 1 : 0);
    return Buffer.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, 0x61]);
  };
  return Buffer.concat([head, ...Array.from({ length: blocks }, (_, i) => block(i === blocks - 1))]);
}

/** A zstd frame header declaring a 1 GiB window (what the decoder would allocate), then one tiny block. */
export function zstdWindowBomb(): Buffer {
  return Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (30 - 10) << 3, 0x09, 0x00, 0x00, 0x61]);
}

/** A snappy block whose length preamble says 4 GiB - 1. */
export function snappyPreambleBomb(): Buffer {
  return Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x61]);
}

/** Every bomb, by the Content-Encoding it is sent with. */
export async function bombs(): Promise<{ name: string; encoding: string; body: Buffer }[]> {
  const zeros = Buffer.alloc(64 * MiB);
  return [
    { name: 'gzip', encoding: 'gzip', body: gzipSync(zeros) },
    { name: 'zlib', encoding: 'zlib', body: deflateSync(zeros) },
    { name: 'deflate (zlib)', encoding: 'deflate', body: deflateSync(zeros) },
    { name: 'deflate (raw)', encoding: 'deflate', body: deflateRawSync(zeros) },
    { name: 'zstd with declared size', encoding: 'zstd', body: Buffer.from(zstd(zeros)) },
    { name: 'zstd RLE blocks, no declared size', encoding: 'zstd', body: zstdRleBomb(512) },
    { name: 'zstd 1 GiB window', encoding: 'zstd', body: zstdWindowBomb() },
    { name: 'snappy block', encoding: 'snappy', body: snappy.compress(zeros) },
    { name: 'snappy block, lying preamble', encoding: 'snappy', body: snappyPreambleBomb() },
    { name: 'snappy framed', encoding: 'snappy', body: snappyFramed(zeros) },
    { name: 'x-snappy-framed', encoding: 'x-snappy-framed', body: snappyFramed(zeros) },
    { name: 'lz4 with declared size', encoding: 'lz4', body: lz4Frame(zeros) },
    { name: 'lz4 dependent 4 MiB blocks, no declared size', encoding: 'lz4', body: lz4Bomb(16) },
  ];
}
