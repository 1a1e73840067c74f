// Content-Encoding values accepted on request bodies, as the Collector's
// confighttp accepts them by default (gzip, zlib, deflate, zstd, snappy,
// x-snappy-framed, lz4). Each decoder is bounded:
// node:zlib streams are cut off by the reader as their output passes the limit;
// the others stop themselves (see BoundedTransform).
import type { Transform } from 'node:stream';
import { createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { Lz4Decoder } from './lz4.js';
import { SniffingDecoder } from './sniffing-decoder.js';
import { SNAPPY_STREAM_IDENTIFIER, SnappyBlockDecoder, SnappyFramedDecoder } from './snappy.js';
import { ZstdDecoder } from './zstd.js';

export const SUPPORTED_ENCODINGS = ['gzip', 'zlib', 'deflate', 'zstd', 'snappy', 'x-snappy-framed', 'lz4'] as const;

/** A zlib stream starts with a header whose compression method is 8 and whose two bytes are a multiple of 31. */
function isZlibHeader(h: Buffer): boolean {
  return h.length >= 2 && (h[0]! & 0x0f) === 8 && (h[0]! * 256 + h[1]!) % 31 === 0;
}

const DECODERS: Record<string, (limit: number) => Transform> = {
  gzip: () => createGunzip(),
  'x-gzip': () => createGunzip(),
  zlib: () => createInflate(),
  // The Collector reads `deflate` as zlib; some clients send raw deflate under that name, so both are taken.
  deflate: () => new SniffingDecoder(2, (h) => (isZlibHeader(h) ? createInflate() : createInflateRaw())),
  zstd: (limit) => new ZstdDecoder(limit),
  snappy: (limit) =>
    new SniffingDecoder(SNAPPY_STREAM_IDENTIFIER.length, (h) =>
      h.subarray(0, SNAPPY_STREAM_IDENTIFIER.length).equals(SNAPPY_STREAM_IDENTIFIER)
        ? new SnappyFramedDecoder(limit)
        : new SnappyBlockDecoder(limit),
    ),
  'x-snappy-framed': (limit) => new SnappyFramedDecoder(limit),
  lz4: (limit) => new Lz4Decoder(limit),
};

/**
 * The decoder for a Content-Encoding value (case-insensitive), `null` for an
 * uncompressed body (`identity` or none), `undefined` for an encoding not supported.
 */
export function contentDecoder(encoding: string, limit: number): Transform | null | undefined {
  const e = encoding.trim().toLowerCase();
  if (e === '' || e === 'identity' || e === 'none') return null;
  return DECODERS[e]?.(limit);
}
