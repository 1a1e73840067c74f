declare module 'snappyjs' {
  /** Throws when the length preamble exceeds `maxLength` (checked before anything is allocated). */
  export function uncompress(compressed: Buffer, maxLength?: number): Buffer;
  export function compress(uncompressed: Buffer): Buffer;
}
