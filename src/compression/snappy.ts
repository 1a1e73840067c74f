// Snappy request bodies, as the Collector's confighttp takes them: `snappy` is
// the block format, or the framing format when the body starts with the framing
// format's stream identifier (older Collectors sent that); `x-snappy-framed` is
// the framing format. Bounded: a block's length preamble is checked against the
// limit before the rest is read; framed chunks hold at most 64 KiB each.
import snappy from 'snappyjs';
import { BoundedTransform } from './bounded-transform.js';
import { maskedCrc32c } from './crc32c.js';
import { DecompressError } from './decompress-error.js';

/** The framing format's first chunk: type 0xff, length 6, "sNaPpY". */
export const SNAPPY_STREAM_IDENTIFIER = Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);
/** Uncompressed bytes a framed chunk may hold. */
const MAX_CHUNK_DATA = 65536;
/** Compressed length of 64 KiB in the worst case, plus the checksum. */
const MAX_CHUNK_LENGTH = 32 + MAX_CHUNK_DATA + MAX_CHUNK_DATA / 6 + 4;

/** Reads the block format's varint length preamble; undefined while incomplete. */
function preamble(buf: Buffer): number | undefined {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= buf.length) return undefined;
    const b = buf[i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return value;
  }
  throw new DecompressError(400, 'Snappy data is corrupt: its length preamble is invalid.');
}

/** The block format: one preamble, then the whole block (decoded at the end, into a buffer of the declared size). */
export class SnappyBlockDecoder extends BoundedTransform {
  protected readonly name = 'Snappy';
  private chunks: Buffer[] = [];
  private size = 0;
  private declared?: number;

  protected write1(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.declared === undefined) {
      this.declared = preamble(this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks));
      if (this.declared !== undefined && this.declared > this.limit) {
        throw new DecompressError(
          413,
          `Snappy body declares ${this.declared} bytes, over the limit of ${this.limit} bytes.`,
        );
      }
    }
    if (this.declared !== undefined && this.size > 32 + this.declared + this.declared / 6 + 10) {
      throw new DecompressError(400, 'Snappy data is corrupt: it is longer than its declared length allows.');
    }
  }

  protected end1(): void {
    const body = Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    if (body.length === 0) return;
    this.output(snappy.uncompress(body, this.limit));
  }
}

/** The framing format: chunks of type, 3-byte length and body, each checked by its masked CRC-32C. */
export class SnappyFramedDecoder extends BoundedTransform {
  protected readonly name = 'Snappy framed';
  private pending: Buffer = Buffer.alloc(0);
  private sawIdentifier = false;

  protected write1(chunk: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    while (buf.length >= 4) {
      const type = buf[0]!;
      const length = buf.readUIntLE(1, 3);
      if (type !== 0xff && type < 0x80 && length > MAX_CHUNK_LENGTH) throw this.corrupt(`a chunk of ${length} bytes`);
      if (buf.length < 4 + length) break;
      this.chunk(type, buf.subarray(4, 4 + length));
      buf = buf.subarray(4 + length);
    }
    this.pending = buf;
  }

  protected end1(): void {
    if (this.pending.length > 0) throw this.corrupt('a truncated last chunk');
    if (!this.sawIdentifier) throw this.corrupt('no stream identifier');
  }

  private chunk(type: number, body: Buffer): void {
    if (type === 0xff) {
      if (!body.equals(SNAPPY_STREAM_IDENTIFIER.subarray(4))) throw this.corrupt('a wrong stream identifier');
      this.sawIdentifier = true;
      return;
    }
    if (!this.sawIdentifier) throw this.corrupt('data before the stream identifier');
    if (type === 0x00 || type === 0x01) {
      if (body.length < 4) throw this.corrupt('a chunk without its checksum');
      const data = type === 0x00 ? snappy.uncompress(body.subarray(4), MAX_CHUNK_DATA) : body.subarray(4);
      if (data.length > MAX_CHUNK_DATA) throw this.corrupt('a chunk of more than 64 KiB');
      if (maskedCrc32c(data) !== body.readUInt32LE(0)) throw this.corrupt('a checksum mismatch');
      this.output(data);
      return;
    }
    // 0x02-0x7f are reserved and must not be skipped; 0x80-0xfe (padding included) are skipped.
    if (type < 0x80) throw this.corrupt(`a reserved chunk type 0x${type.toString(16)}`);
  }

  private corrupt(what: string): DecompressError {
    return new DecompressError(400, `Snappy framed data is corrupt: ${what}.`);
  }
}
