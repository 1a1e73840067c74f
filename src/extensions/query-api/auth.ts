// Bearer-token authentication for the query API, on the same constant-time
// token set as the bearertokenauth extension. There is always a token: with
// none configured, one is generated for the run (and the API stays on loopback).
import { randomBytes } from 'node:crypto';
import { TokenSet, tokenFromHeader } from '../bearertokenauth/token-set.js';
import { inlineTokens, type AuthConfig } from './config.js';

export class BearerAuth {
  private readonly tokens: TokenSet;

  /** `generated`: the token made for this run when none was configured. */
  constructor(
    tokens: readonly string[],
    readonly generated?: string,
  ) {
    if (tokens.length === 0) throw new Error('Bearer authentication needs at least one token.');
    this.tokens = new TokenSet(tokens);
  }

  /** Inline tokens plus those in `tokens_file`; with neither, a random 256-bit token. */
  static async load(cfg: AuthConfig | undefined): Promise<BearerAuth> {
    const tokens = inlineTokens(cfg);
    if (cfg?.tokens_file !== undefined) {
      let fromFile: string[];
      try {
        fromFile = TokenSet.fromFile(cfg.tokens_file);
      } catch (err) {
        throw new Error(
          `Cannot read tokens_file "${cfg.tokens_file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`,
          {
            cause: err,
          },
        );
      }
      if (fromFile.length === 0 && tokens.length === 0)
        throw new Error(`tokens_file "${cfg.tokens_file}" holds no tokens.`);
      tokens.push(...fromFile);
    }
    if (tokens.length > 0) return new BearerAuth(tokens);
    const generated = randomBytes(32).toString('base64url');
    return new BearerAuth([generated], generated);
  }

  /** True when the Authorization header carries one of the tokens. */
  check(header: string | undefined): boolean {
    const token = tokenFromHeader(header);
    return token !== undefined && token !== '' && this.tokens.has(token);
  }
}
