// The `integrity` option block shared by the sinks that keep a signed hash
// chain of what they wrote (msgpack_audit, sqlite).
import { def, duration, obj, oneOf, req, str, type Spec } from '../config/schema.js';
import { ALGORITHMS } from './keys.js';

export const integrityKeyFields = {
  /** The signing key: a PEM ed25519 private key, or a base64 secret for hmac-sha256 (`auditline keygen`). Must be mode 0600. */
  key_file: req(str({ nonEmpty: true })),
  /** ed25519 (verifiable with the public key alone) or hmac-sha256 (verifying needs the secret). */
  algorithm: def(oneOf(ALGORITHMS), 'ed25519'),
};

export const fileIntegritySpec = obj({
  ...integrityKeyFields,
  /** How often a signed checkpoint of the bytes appended since the last one is written (and always at shutdown). */
  interval: def(durationOrMillis(), 60_000),
});

/** A duration string, or (programmatic options, and the parsed value passed on) a number of milliseconds. */
function durationOrMillis(): Spec<number> {
  const d = duration({ min: 1 });
  return {
    shape: d.shape,
    parse(v, p, is) {
      if (typeof v !== 'number') return d.parse(v, p, is);
      if (Number.isSafeInteger(v) && v >= 1) return v;
      is.push({ path: p, message: 'must be a duration such as 30s or 1m, or a positive number of milliseconds' });
      return undefined;
    },
  };
}
