import { def, list, obj, str } from '../../config/schema.js';

/** The Collector's bearertokenauth extension keys. */
export const bearerTokenAuthConfigSpec = obj(
  {
    header: def(str({ nonEmpty: true }), 'Authorization'),
    scheme: def(str(), 'Bearer'),
    token: def(str(), ''),
    tokens: def(list(str({ nonEmpty: true })), []),
    /** A file with one token per line, read at start. */
    filename: def(str(), ''),
  },
  (c, add) => {
    if (!c.token && c.tokens.length === 0 && !c.filename) add(null, 'must set token, tokens or filename');
    if (c.token && c.tokens.length > 0) add('tokens', 'cannot be used together with token');
  },
);

export type BearerTokenAuthConfig = NonNullable<ReturnType<typeof bearerTokenAuthConfigSpec.parse>>;
