// A set of accepted secrets compared in constant time: each candidate and
// each token is hashed to a fixed-length digest, so neither the comparison
// nor its length leaks how much of a guess was right.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

export class TokenSet {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.filter((t) => t !== '').map(digest);
  }

  static fromFile(file: string): string[] {
    return readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
  }

  get size(): number {
    return this.digests.length;
  }

  has(candidate: string): boolean {
    const d = digest(candidate);
    let ok = false;
    for (const t of this.digests) ok = timingSafeEqual(d, t) || ok;
    return ok;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** The token from `Authorization: Bearer <token>` (scheme compared case-insensitively). */
export function tokenFromHeader(value: string | string[] | undefined, scheme = 'Bearer'): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (!scheme) return v.trim();
  const sp = v.indexOf(' ');
  if (sp < 0 || v.slice(0, sp).toLowerCase() !== scheme.toLowerCase()) return undefined;
  return v.slice(sp + 1).trim();
}
