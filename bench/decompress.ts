// Request body decoding (src/compression): throughput on a legitimate 4 MiB
// body per Content-Encoding, and what a bomb of each kind costs at the
// default 20 MiB limit (bytes on the wire, bytes produced before the refusal,
// CPU time). Prints figures only. Alone: `npx tsc -p . && node dist/bench/decompress.js`.
import type { Transform } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { contentDecoder } from '../src/compression/decoders.js';
import { createCompressor, snappyFramed } from '../src/compression/encoders.js';
import { xxh32 } from '../src/compression/xxh32.js';

const MiB = 1024 * 1024;
const LIMIT = 20 * MiB;

/** Feeds `body` in 64 KiB pieces as a socket would; resolves with bytes produced and the outcome. */
function decode(encoding: string, body: Buffer): Promise<{ produced: number; outcome: string }> {
  const d = contentDecoder(encoding, LIMIT) as Transform;
  return new Promise((resolve) => {
    let produced = 0;
    let settled = false;
    const finish = (outcome: string) => {
      if (!settled) {
        settled = true;
        d.destroy();
        resolve({ produced, outcome });
      }
    };
    d.on('data', (c: Buffer) => {
      produced += c.length;
      if (produced > LIMIT) finish('413 (reader)');
    });
    d.on('end', () => finish('decoded'));
    d.on('error', (e: Error & { status?: number }) => finish(`${e.status ?? 400}`));
    const feed = (at: number) => {
      if (settled) return;
      if (at >= body.length) return void d.end();
      d.write(body.subarray(at, at + 65536), () => setImmediate(() => feed(at + 65536)));
    };
    feed(0);
  });
}

/** CPU time of the whole process (zlib works on pool threads), less sensitive to a busy machine than wall time. */
async function timed(encoding: string, body: Buffer): Promise<{ ms: number; produced: number; outcome: string }> {
  const c0 = process.cpuUsage();
  const r = await decode(encoding, body);
  const c = process.cpuUsage(c0);
  return { ms: (c.user + c.system) / 1000, ...r };
}

/** A zstd frame with no declared size and 128 KiB RLE blocks of 4 bytes each. */
function zstdRle(blocks: number): Buffer {
  const block = (last: boolean) => {
    const v = (131072 << 3) | 2 | (last ? 1 : 0);
    return [v & 0xff, (v >> 8) & 0xff, v >> 16, 0x61];
  };
  return Buffer.from([
    0x28,
    0xb5,
    0x2f,
    0xfd,
    0x00,
    9 << 3,
    ...Array.from({ length: blocks }, (_, i) => block(i === blocks - 1)).flat(),
  ]);
}

/** An LZ4 frame of dependent 4 MiB blocks, each one long run of 'a' (about 16 KiB on the wire). */
function lz4Runs(blocks: number): Buffer {
  const desc = Buffer.from([0x40, 7 << 4]);
  const len = (n: number) => [...Array<number>(Math.floor(n / 255)).fill(255), n % 255];
  const block = Buffer.from([0x1f, 0x61, 0x01, 0x00, ...len(4 * MiB - 6 - 4 - 15), 0x50, 0x61, 0x61, 0x61, 0x61, 0x61]);
  const head = Buffer.alloc(4);
  head.writeUInt32LE(block.length);
  const parts = [Buffer.from([0x04, 0x22, 0x4d, 0x18]), desc, Buffer.from([(xxh32(desc) >>> 8) & 0xff])];
  for (let i = 0; i < blocks; i++) parts.push(head, block);
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

export async function run(): Promise<void> {
  const zstd = await createCompressor('zstd');
  const snappy = await createCompressor('snappy');
  const line = (i: number) =>
    `{"time":"2024-01-15T10:30:${String(i % 60).padStart(2, '0')}Z","level":"info","msg":"request ${i} done","ms":${i % 97}}\n`;
  const legit = Buffer.from(Array.from({ length: 60_000 }, (_, i) => line(i)).join('')).subarray(0, 4 * MiB);
  const encoders: Record<string, (b: Buffer) => Uint8Array> = {
    gzip: gzipSync,
    zlib: deflateSync,
    zstd,
    snappy,
    'x-snappy-framed': snappyFramed,
  };
  console.log(`Decoding a ${(legit.length / MiB).toFixed(1)} MiB body of JSON log lines (fed in 64 KiB pieces):`);
  for (const [enc, f] of Object.entries(encoders)) {
    const wire = Buffer.from(f(legit));
    await timed(enc, wire); // warm-up
    const r = await timed(enc, wire);
    console.log(
      `  ${enc.padEnd(16)} ${String(wire.length).padStart(8)} B on the wire  ${(legit.length / MiB / (r.ms / 1000)).toFixed(0).padStart(5)} MiB/s of CPU  ${r.outcome}`,
    );
  }
  const zeros = Buffer.alloc(256 * MiB);
  const bombs: [string, string, Buffer][] = [
    ['gzip', 'gzip of 256 MiB of zeros', gzipSync(zeros)],
    ['deflate', 'raw deflate of 256 MiB of zeros', deflateRawSync(zeros)],
    ['zstd', 'zstd of 256 MiB (declared size)', Buffer.from(zstd(zeros))],
    ['zstd', 'zstd 2048 RLE blocks (256 MiB)', zstdRle(2048)],
    ['zstd', 'zstd header with a 1 GiB window', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 20 << 3, 0x09, 0, 0, 0x61])],
    ['snappy', 'snappy block of 256 MiB', Buffer.from(snappy(zeros))],
    ['x-snappy-framed', 'snappy framed 256 MiB', snappyFramed(zeros)],
    ['lz4', 'lz4 64 dependent 4 MiB blocks', lz4Runs(64)],
  ];
  console.log(`Bombs at the ${LIMIT >> 20} MiB limit:`);
  for (const [enc, name, body] of bombs) {
    const r = await timed(enc, body);
    console.log(
      `  ${name.padEnd(34)} ${String(body.length).padStart(9)} B on the wire  produced ${(r.produced / MiB).toFixed(1).padStart(5)} MiB  ${r.ms.toFixed(0).padStart(5)} ms CPU  ${r.outcome}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
