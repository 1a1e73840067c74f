// The one module allowed to touch Buffer's undocumented string codecs
// (`utf8Write`, `latin1Write`, `utf8Slice`; ESLint refuses them elsewhere).
// They skip the argument normalisation of `buf.write()` / `buf.toString()`,
// which costs more than the copy itself for the short strings that dominate
// encoders and decoders on the hot path (figures: bench/README.md). If a Node
// version drops them, the public methods take over with the same results.

type NativeWrite = (this: Buffer, s: string, offset: number, length: number) => number;
type NativeSlice = (this: Buffer, start: number, end: number) => string;

interface BufferInternals {
  utf8Write?: NativeWrite;
  latin1Write?: NativeWrite;
  utf8Slice?: NativeSlice;
}

const proto = Buffer.prototype as Buffer & BufferInternals;

const nativeUtf8Write: NativeWrite =
  proto.utf8Write ??
  function (this: Buffer, s: string, offset: number, length: number) {
    return this.write(s, offset, length, 'utf8');
  };

const nativeLatin1Write: NativeWrite =
  proto.latin1Write ??
  function (this: Buffer, s: string, offset: number, length: number) {
    return this.write(s, offset, length, 'latin1');
  };

const nativeUtf8Slice: NativeSlice =
  proto.utf8Slice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('utf8', start, end);
  };

/** Writes `s` as UTF-8 at `offset`, at most `length` bytes (whole characters only); returns the bytes written. */
export function utf8Write(buf: Buffer, s: string, offset: number, length: number): number {
  return nativeUtf8Write.call(buf, s, offset, length);
}

/** Writes `s` as Latin-1 (one byte per UTF-16 unit; for strings known to be ASCII). */
export function latin1Write(buf: Buffer, s: string, offset: number, length: number): number {
  return nativeLatin1Write.call(buf, s, offset, length);
}

/** Decodes the UTF-8 bytes [start, end) (invalid sequences become U+FFFD). */
export function utf8Slice(buf: Buffer, start: number, end: number): string {
  return nativeUtf8Slice.call(buf, start, end);
}
