/** A body that cannot be decompressed (400) or would exceed the size limit once decompressed (413). */
export class DecompressError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

export function tooLarge(limit: number): DecompressError {
  return new DecompressError(413, `Decompressed request body exceeds the limit of ${limit} bytes.`);
}
