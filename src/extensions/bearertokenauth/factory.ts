import type { ExtensionFactory } from '../../component/types.js';
import type { Authenticator, ClientAuthenticator } from '../authenticator.js';
import { bearerTokenAuthConfigSpec, type BearerTokenAuthConfig } from './config.js';
import { TokenSet, tokenFromHeader } from './token-set.js';

class BearerTokenAuth implements Authenticator, ClientAuthenticator {
  private tokens = new TokenSet([]);
  /** What an exporter sends: `token`, else the first of `tokens`, else the file's first token. */
  private clientToken = '';
  constructor(private readonly cfg: BearerTokenAuthConfig) {}

  async start(): Promise<void> {
    const list = [this.cfg.token, ...this.cfg.tokens];
    if (this.cfg.filename) list.push(...TokenSet.fromFile(this.cfg.filename));
    this.tokens = new TokenSet(list);
    this.clientToken = list.find((t) => t !== '') ?? '';
    if (this.tokens.size === 0) throw new Error('bearertokenauth has no tokens to accept.');
  }

  async shutdown(): Promise<void> {}

  /** As the Collector's extension on the client side: `<header>: <scheme> <token>`. */
  requestHeaders(): Record<string, string> {
    return { [this.cfg.header]: this.cfg.scheme ? `${this.cfg.scheme} ${this.clientToken}` : this.clientToken };
  }

  authenticate(headers: Record<string, string | string[] | undefined>): boolean {
    const t = tokenFromHeader(headers[this.cfg.header.toLowerCase()], this.cfg.scheme);
    return t !== undefined && this.tokens.has(t);
  }
}

export const bearerTokenAuthExtensionFactory: ExtensionFactory<BearerTokenAuthConfig> = {
  kind: 'extension',
  type: 'bearertokenauth',
  description: 'Accepts requests carrying one of the configured bearer tokens.',
  config: bearerTokenAuthConfigSpec,
  create: (_settings, config) => new BearerTokenAuth(config),
};
