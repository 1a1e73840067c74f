// Request body compression for the otlp_http exporter, with the Collector's
// `compression` names and the Content-Encoding each sends (deflate is zlib, as
// the Collector writes it; snappy is the block format, x-snappy-framed the framing format).
import { deflateSync, gzipSync } from 'node:zlib';
import snappy from 'snappyjs';
import { maskedCrc32c } from './crc32c.js';
import { SNAPPY_STREAM_IDENTIFIER } from './snappy.js';

export const COMPRESSIONS = ['gzip', 'zlib', 'deflate', 'zstd', 'snappy', 'x-snappy-framed', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];
export type Compressor = (body: Uint8Array) => Uint8Array;

interface ZstdWasm {
  compress(data: Uint8Array, level?: number): Uint8Array;
}
let zstd: Promise<ZstdWasm> | undefined;

/** Loads the zstd WebAssembly module (embedded in the package, nothing is downloaded) once per process. */
function loadZstd(): Promise<ZstdWasm> {
  zstd ??= import('@hpcc-js/wasm-zstd').then((m) => m.Zstd.load());
  return zstd;
}

const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** A synchronous compressor for `kind` (the request body is built synchronously); loads zstd first when needed. */
export async function createCompressor(kind: Exclude<Compression, 'none'>): Promise<Compressor> {
  switch (kind) {
    case 'gzip':
      return (b) => gzipSync(b);
    case 'zlib':
    case 'deflate':
      return (b) => deflateSync(b);
    case 'zstd': {
      const z = await loadZstd();
      // The module returns a view into its own memory, reused by the next call: copy it out.
      return (b) => Uint8Array.from(z.compress(b));
    }
    case 'snappy':
      return (b) => snappy.compress(asBuffer(b));
    case 'x-snappy-framed':
      return snappyFramed;
  }
}

/** The snappy framing format: the stream identifier, then 64 KiB chunks, each compressed unless that does not pay. */
export function snappyFramed(body: Uint8Array): Buffer {
  const parts: Buffer[] = [SNAPPY_STREAM_IDENTIFIER];
  for (let at = 0; at < body.length; at += 65536) {
    const data = Buffer.from(body.buffer, body.byteOffset + at, Math.min(65536, body.length - at));
    const packed = snappy.compress(data);
    const useRaw = packed.length >= data.length;
    const payload = useRaw ? data : packed;
    const head = Buffer.alloc(8);
    head[0] = useRaw ? 0x01 : 0x00;
    head.writeUIntLE(payload.length + 4, 1, 3);
    head.writeUInt32LE(maskedCrc32c(data), 4);
    parts.push(head, payload);
  }
  return Buffer.concat(parts);
}
