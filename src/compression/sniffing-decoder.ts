// A decoder that looks at the first bytes of the body before choosing how to
// decode it (zlib vs raw deflate; snappy framed vs block).
import { Transform, type TransformCallback } from 'node:stream';
import { DecompressError } from './decompress-error.js';

export class SniffingDecoder extends Transform {
  private head: Buffer[] = [];
  private headSize = 0;
  private inner?: Transform;

  constructor(
    private readonly sniffBytes: number,
    private readonly choose: (head: Buffer) => Transform,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.inner) return void this.inner.write(chunk, () => done());
    this.head.push(chunk);
    this.headSize += chunk.length;
    if (this.headSize < this.sniffBytes) return done();
    this.start();
    this.inner!.write(Buffer.concat(this.head, this.headSize), () => done());
    this.head = [];
  }

  override _flush(done: TransformCallback): void {
    if (!this.inner) {
      if (this.headSize === 0) return done();
      this.start();
      this.inner!.write(Buffer.concat(this.head, this.headSize));
    }
    this.inner!.once('end', () => done());
    this.inner!.end();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    this.inner?.destroy();
    done(err);
  }

  private start(): void {
    const inner = this.choose(Buffer.concat(this.head, this.headSize));
    inner.on('data', (c: Buffer) => this.push(c));
    inner.on('error', (err) =>
      this.destroy(err instanceof DecompressError ? err : new DecompressError(400, err.message)),
    );
    this.inner = inner;
  }
}
