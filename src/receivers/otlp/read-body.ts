// Reads a request body, decompressing it on the fly (src/compression/decoders.ts).
// The size limit applies to the *decompressed* bytes and is enforced while
// decoding, so a bomb is abandoned after `limit` bytes of output, not after
// inflating it all; the compressed bytes on the wire are held to the same limit.
import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { contentDecoder, SUPPORTED_ENCODINGS } from '../../compression/decoders.js';
import { DecompressError } from '../../compression/decompress-error.js';

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `allowed`: the Content-Encoding values accepted (`compression_algorithms`; `''` is an
 * uncompressed body); by default every one there is a decoder for.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  allowed: readonly string[] = DEFAULT_ALLOWED,
): Promise<Buffer> {
  const encoding = req.headers['content-encoding'] ?? '';
  const decoder = allowed.includes(canonical(encoding)) ? contentDecoder(encoding, limit) : undefined;
  if (decoder === undefined) {
    const names = allowed.filter((a) => a !== '');
    const use =
      names.length === 0
        ? 'send uncompressed bodies'
        : `use ${names.join(', ')}${allowed.includes('') ? ' or none' : ''}`;
    return Promise.reject(new BodyError(415, `Unsupported Content-Encoding "${encoding}"; ${use}.`));
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new BodyError(413, `Request body of ${declared} bytes exceeds the limit of ${limit} bytes.`));
  }
  return collect(req, decoder, limit);
}

const DEFAULT_ALLOWED: readonly string[] = ['', ...SUPPORTED_ENCODINGS];

/** The `compression_algorithms` name of a Content-Encoding value. */
function canonical(encoding: string): string {
  const e = encoding.trim().toLowerCase();
  if (e === 'identity' || e === 'none') return '';
  return e === 'x-gzip' ? 'gzip' : e;
}

function collect(req: IncomingMessage, decoder: Transform | null, limit: number): Promise<Buffer> {
  const source = decoder ?? req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let wire = 0;
    let done = false;
    const fail = (err: BodyError) => {
      if (done) return;
      done = true;
      decoder?.destroy();
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
    source.on('error', (err) => {
      if (err instanceof DecompressError) fail(new BodyError(err.status, err.message));
      else fail(new BodyError(400, `Request body could not be decompressed: ${err.message}.`));
    });
    if (decoder) {
      req.on('data', (c: Buffer) => {
        wire += c.length;
        if (wire > limit) fail(new BodyError(413, `Compressed request body exceeds the limit of ${limit} bytes.`));
      });
      req.on('error', () => fail(new BodyError(400, 'Request body was interrupted.')));
      req.pipe(decoder);
    }
  });
}
