// Base of the decoders that are not node:zlib streams: counts what they produce
// and fails as soon as the output passes the limit, so a bomb stops there.
import { Transform, type TransformCallback } from 'node:stream';
import { DecompressError, tooLarge } from './decompress-error.js';

export abstract class BoundedTransform extends Transform {
  /** Decompressed bytes handed on so far. */
  produced = 0;

  constructor(protected readonly limit: number) {
    super();
  }

  /** Hands on decompressed bytes; throws once the total passes the limit. */
  protected output(chunk: Uint8Array): void {
    this.produced += chunk.length;
    if (this.produced > this.limit) throw tooLarge(this.limit);
    if (chunk.length > 0)
      this.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  }

  protected abstract write1(chunk: Buffer): void;
  protected abstract end1(): void;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    done(this.guard(() => this.write1(chunk)));
  }

  override _flush(done: TransformCallback): void {
    done(this.guard(() => this.end1()));
  }

  private guard(step: () => void): Error | null {
    try {
      step();
      return null;
    } catch (err) {
      if (err instanceof DecompressError) return err;
      return new DecompressError(400, `${this.name} data is corrupt: ${(err as Error).message}`);
    }
  }

  /** The format's name in error messages. */
  protected abstract readonly name: string;
}
