// Reads a request body, inflating gzip/deflate on the fly. The size limit
// applies to the *decompressed* bytes and is enforced while inflating, so a
// gzip bomb is abandoned after `limit` bytes of output, not after inflating it all.
import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';

export class BodyError extends Error {
  constructor(readonly status: 400 | 413 | 415, message: string) {
    super(message);
  }
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  let source: IncomingMessage | Gunzip | Inflate = req;
  if (encoding === 'gzip' || encoding === 'x-gzip') source = createGunzip();
  else if (encoding === 'deflate') source = createInflate();
  else if (encoding !== 'identity' && encoding !== '') {
    return Promise.reject(new BodyError(415, `Unsupported Content-Encoding "${encoding}"; use gzip, deflate or none.`));
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new BodyError(413, `Request body of ${declared} bytes exceeds the limit of ${limit} bytes.`));
  }

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (err: BodyError) => {
      if (done) return;
      done = true;
      if (source !== req) (source as Gunzip).destroy();
      req.unpipe();
      req.resume(); // discard the rest so the response can be written
      reject(err);
    };
    source.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        fail(new BodyError(413, `Decompressed request body exceeds the limit of ${limit} bytes.`));
        return;
      }
      chunks.push(c);
    });
    source.on('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    source.on('error', (err) => fail(new BodyError(400, `Request body could not be decompressed: ${err.message}.`)));
    if (source !== req) {
      req.on('error', () => fail(new BodyError(400, 'Request body was interrupted.')));
      req.pipe(source as Gunzip);
    }
  });
}
