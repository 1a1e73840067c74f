// SHA-256 of an attribute value, hex encoded, byte-compatible with the
// Collector's attributes processor (which moved from SHA-1 to SHA-256 in 2023):
// strings hash their UTF-8 bytes, booleans one byte (1 or 0), integers their
// 8-byte little-endian two's complement, doubles their 8-byte little-endian
// IEEE-754 bits. A value hashed here therefore joins with the same value
// hashed by a Collector. JavaScript has one number type: an integral number
// hashes as an integer. Lists, maps and byte arrays become "" as in the
// Collector, so nothing nested survives a `hash` action in clear text.
import { createHash } from 'node:crypto';
import type { AnyValue } from '@opentelemetry/api-logs';

const scratch = Buffer.alloc(8);
const ONE = Buffer.from([1]);
const ZERO = Buffer.from([0]);

export function hashValue(v: AnyValue): string {
  if (typeof v === 'string') return createHash('sha256').update(v, 'utf8').digest('hex');
  if (typeof v === 'boolean')
    return createHash('sha256')
      .update(v ? ONE : ZERO)
      .digest('hex');
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) scratch.writeBigInt64LE(BigInt(v));
    else scratch.writeDoubleLE(v);
    return createHash('sha256').update(scratch).digest('hex');
  }
  return '';
}
