// What masked text becomes: the fixed mask, or the hex digest of the text.
// Keyed HMAC keeps equal values joinable across records without letting
// anyone without the key confirm a guess (an unkeyed hash of an email can
// be reversed by hashing candidate emails).
import { createHash, createHmac } from 'node:crypto';
import type { HashFunction } from './config.js';

export type MaskFn = (text: string) => string;

export function makeMask(mask: string, fn: HashFunction | undefined, key: string | undefined): MaskFn {
  switch (fn) {
    case undefined:
      return () => mask;
    case 'md5':
      return (t) => createHash('md5').update(t).digest('hex');
    case 'sha1':
      return (t) => createHash('sha1').update(t).digest('hex');
    case 'sha3':
      return (t) => createHash('sha3-256').update(t).digest('hex');
    case 'hmac_sha256':
    case 'hmac-sha256':
      return (t) => createHmac('sha256', key!).update(t).digest('hex');
    case 'hmac_sha512':
    case 'hmac-sha512':
      return (t) => createHmac('sha512', key!).update(t).digest('hex');
  }
}
