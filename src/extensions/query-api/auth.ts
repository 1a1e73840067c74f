// Bearer-token authentication. Tokens are kept as SHA-256 digests and a
// presented token is compared with every one of them using
// crypto.timingSafeEqual over equal-length digests, so neither the token's
// length nor how much of it matched shows in the response time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AuthConfig } from './config.js';

const BEARER = /^Bearer +(\S+) *$/i;

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export class BearerAuth {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new Error('Bearer authentication needs at least one token.');
    this.digests = tokens.map(digest);
  }

  /** Inline tokens plus those in `tokens_file`. */
  static async load(cfg: AuthConfig): Promise<BearerAuth> {
    const tokens = [...cfg.tokens];
    if (cfg.tokens_file !== undefined) {
      let text: string;
      try {
        text = await readFile(cfg.tokens_file, 'utf8');
      } catch (err) {
        throw new Error(`Cannot read tokens_file "${cfg.tokens_file}": ${(err as Error).message}`);
      }
      const fromFile = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
      if (fromFile.length === 0 && tokens.length === 0) throw new Error(`tokens_file "${cfg.tokens_file}" holds no tokens.`);
      tokens.push(...fromFile);
    }
    return new BearerAuth(tokens);
  }

  /** True when the Authorization header carries one of the tokens. */
  check(header: string | undefined): boolean {
    if (header === undefined) return false;
    const m = BEARER.exec(header);
    if (!m) return false;
    const d = digest(m[1]!);
    let ok = 0;
    // No early exit: every digest is compared whatever the outcome.
    for (const t of this.digests) ok |= timingSafeEqual(d, t) ? 1 : 0;
    return ok === 1;
  }
}
