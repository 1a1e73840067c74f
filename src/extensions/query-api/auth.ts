// Bearer-token authentication for the query API, on the same constant-time
// token set as the bearertokenauth extension.
import { TokenSet, tokenFromHeader } from '../bearertokenauth/token-set.js';
import type { AuthConfig } from './config.js';

export class BearerAuth {
  private readonly tokens: TokenSet;

  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new Error('Bearer authentication needs at least one token.');
    this.tokens = new TokenSet(tokens);
  }

  /** Inline tokens plus those in `tokens_file`. */
  static async load(cfg: AuthConfig): Promise<BearerAuth> {
    const tokens = [...cfg.tokens];
    if (cfg.tokens_file !== undefined) {
      let fromFile: string[];
      try {
        fromFile = TokenSet.fromFile(cfg.tokens_file);
      } catch (err) {
        throw new Error(`Cannot read tokens_file "${cfg.tokens_file}": ${(err as Error).message}`);
      }
      if (fromFile.length === 0 && tokens.length === 0) throw new Error(`tokens_file "${cfg.tokens_file}" holds no tokens.`);
      tokens.push(...fromFile);
    }
    return new BearerAuth(tokens);
  }

  /** True when the Authorization header carries one of the tokens. */
  check(header: string | undefined): boolean {
    const token = tokenFromHeader(header);
    return token !== undefined && token !== '' && this.tokens.has(token);
  }
}
