// Request body decoders (src/compression): each encoding decodes what its
// encoder wrote; a bomb of each kind stops at the limit (bytes produced are
// counted, never time); truncated or corrupt data is a 400.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Transform } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { contentDecoder } from '../../src/compression/decoders.js';
import { DecompressError } from '../../src/compression/decompress-error.js';
import { XXH32, xxh32 } from '../../src/compression/xxh32.js';
import { bombs, encodeAs, headerOf, MiB, zstdWindowBomb } from './bodies.js';

const VARIANTS = [
  'gzip',
  'zlib',
  'deflate',
  'deflate-raw',
  'zstd',
  'snappy',
  'snappy-framed',
  'x-snappy-framed',
  'lz4',
  'lz4-checksummed',
];

interface Outcome {
  produced: number;
  out: Buffer;
  error?: DecompressError | Error;
}

/** Drives a decoder as the receiver does: in 16 KiB pieces, stopping once its output passes `limit`. */
function run(encoding: string, body: Buffer, limit: number): Promise<Outcome> {
  const d = contentDecoder(encoding, limit) as Transform;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let produced = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      d.destroy();
      resolve({ produced, out: Buffer.concat(chunks), error });
    };
    d.on('data', (c: Buffer) => {
      produced += c.length;
      if (produced > limit) return finish(new DecompressError(413, 'over the limit (reader)'));
      chunks.push(c);
    });
    d.on('end', () => finish());
    d.on('error', (e) => finish(e));
    const feed = (at: number) => {
      if (settled) return;
      if (at >= body.length) return void d.end();
      d.write(body.subarray(at, at + 16384), () => setImmediate(() => feed(at + 16384)));
    };
    feed(0);
  });
}

describe('request body decoders', () => {
  it.each(VARIANTS)('%s – decodes what was encoded, in pieces', async (variant) => {
    const body = Buffer.concat([randomBytes(100_000), Buffer.from('log line '.repeat(50_000))]);
    const r = await run(headerOf(variant), await encodeAs(variant, body), 10 * MiB);
    expect(r.error).toBeUndefined();
    expect(r.out.equals(body)).toBe(true);
  });

  it.each(VARIANTS)('%s – an empty body decodes to nothing or is refused, never hangs', async (variant) => {
    const r = await run(headerOf(variant), Buffer.alloc(0), MiB);
    expect(r.produced).toBe(0);
  });

  it("knows the Collector's names, case-insensitively, and nothing else", () => {
    for (const e of ['gzip', 'x-gzip', 'GZIP', 'zlib', 'deflate', 'zstd', 'snappy', 'x-snappy-framed', 'lz4'])
      expect(contentDecoder(e, 1)).toBeTruthy();
    for (const e of ['', 'identity', 'none']) expect(contentDecoder(e, 1)).toBeNull();
    for (const e of ['br', 'compress', 'gzip, zstd']) expect(contentDecoder(e, 1)).toBeUndefined();
  });

  it('stops every kind of bomb at the limit: at most the limit plus one block is ever produced', async () => {
    const limit = MiB;
    for (const bomb of await bombs()) {
      const r = await run(bomb.encoding, bomb.body, limit);
      expect(r.error, bomb.name).toBeInstanceOf(DecompressError);
      expect((r.error as DecompressError).status, bomb.name).toBe(413);
      // One zlib output chunk, one zstd block (128 KiB) or one snappy chunk past the limit, never more.
      expect(r.produced, bomb.name).toBeLessThanOrEqual(limit + 128 * 1024);
      // Tiny on the wire, 64 MiB or more once decoded: the work done is bounded by the limit, not the bomb.
      expect(bomb.body.length, bomb.name).toBeLessThan(4 * MiB);
    }
  });

  it('refuses a zstd frame header declaring a huge window before the decoder allocates it', async () => {
    const body = zstdWindowBomb();
    const before = process.memoryUsage().arrayBuffers;
    const r = await run('zstd', body, 20 * MiB);
    expect((r.error as DecompressError).status).toBe(413);
    expect(r.error!.message).toMatch(/window of 1073741824 bytes/);
    expect(r.produced).toBe(0);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(100 * MiB);
  });

  it('refuses a snappy block whose length preamble is over the limit before reading the rest', async () => {
    const r = await run('snappy', Buffer.from([0x80, 0x80, 0x80, 0x10]), MiB);
    expect((r.error as DecompressError).status).toBe(413);
    expect(r.error!.message).toMatch(/declares 33554432 bytes/);
  });

  it.each(VARIANTS)('%s – a truncated body is a 400', async (variant) => {
    const full = await encodeAs(variant, Buffer.from('some log text, repeated. '.repeat(4000)));
    const r = await run(headerOf(variant), full.subarray(0, Math.floor(full.length / 2)), MiB);
    expect(r.error, variant).toBeDefined();
    expect((r.error as DecompressError).status ?? 400).toBe(400);
  });

  it.each(VARIANTS)('%s – garbage is a 400', async (variant) => {
    const r = await run(headerOf(variant), Buffer.from('this is not compressed data at all, just text'), MiB);
    expect(r.error, variant).toBeDefined();
    expect((r.error as DecompressError).status ?? 400).toBe(400);
  });

  it('lz4: decodes frames written by the lz4 command-line tool (dependent blocks, 4 MiB blocks, several frames)', async (ctx) => {
    if (!existsSync('/usr/bin/lz4')) return ctx.skip();
    const body = Buffer.concat([randomBytes(200_000), Buffer.from('log line with repeats '.repeat(300_000))]);
    const frames = Buffer.concat([
      execFileSync('/usr/bin/lz4', ['-c', '-BD', '-B7', '--content-size'], { input: body, maxBuffer: 64 * MiB }),
      execFileSync('/usr/bin/lz4', ['-c', '-9', '-BX'], { input: body, maxBuffer: 64 * MiB }),
    ]);
    const r = await run('lz4', frames, 64 * MiB);
    expect(r.error).toBeUndefined();
    expect(r.out.equals(Buffer.concat([body, body]))).toBe(true);
  });

  it('xxHash32 gives the reference values, in one piece or streamed in odd pieces', () => {
    expect(xxh32(Buffer.from('')).toString(16)).toBe('2cc5d05');
    expect(xxh32(Buffer.from('abc')).toString(16)).toBe('32d153ff');
    expect(xxh32(Buffer.from('Nobody inspects the spammish repetition')).toString(16)).toBe('e2293b2f');
    const data = randomBytes(1000);
    const h = new XXH32();
    for (let i = 0; i < data.length; i += 7) h.update(data.subarray(i, i + 7));
    expect(h.digest()).toBe(xxh32(data));
  });

  it('lz4: a wrong content checksum is a 400', async () => {
    const frame = await encodeAs('lz4', Buffer.from('checked '.repeat(100)));
    frame[frame.length - 1] ^= 0xff;
    const r = await run('lz4', frame, MiB);
    expect((r.error as DecompressError).status).toBe(400);
    expect(r.error!.message).toMatch(/content checksum/);
  });

  it('a framed snappy chunk with a wrong checksum is a 400', async () => {
    const framed = await encodeAs('snappy-framed', Buffer.from('checked '.repeat(100)));
    framed[14] ^= 0xff; // inside the first data chunk's checksum
    const r = await run('x-snappy-framed', framed, MiB);
    expect((r.error as DecompressError).status).toBe(400);
    expect(r.error!.message).toMatch(/checksum/);
  });
});
