// Keys for signing and verifying integrity checkpoints. ed25519: a PEM
// private key (PKCS#8) signs, its PEM public key (SPKI) verifies, so a reader
// needs nothing secret. hmac-sha256: one base64 secret both signs and verifies.
// A key id (the first 8 bytes of a SHA-256 of the public key, or of the
// secret under a fixed prefix) names the key in each checkpoint.
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';

export const ALGORITHMS = ['ed25519', 'hmac-sha256'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface Signer {
  readonly algorithm: Algorithm;
  readonly keyId: string;
  sign(data: Buffer): string;
}

export interface Verifier {
  readonly algorithm: Algorithm;
  readonly keyId: string;
  /** Whether `sig` (base64) is a valid signature of `data`. */
  verify(data: Buffer, sig: string): boolean;
}

/** Shortest HMAC secret accepted (bytes after base64 decoding). */
const MIN_SECRET = 16;

/** Reads a signing key: a PEM ed25519 private key or a base64 HMAC secret, never readable by group or others. */
export function loadSigner(file: string, algorithm: Algorithm): Signer {
  return signerFromText(readKeyFile(file, true), algorithm, file);
}

/** A signer from a key file's text (a thread that must not read files itself gets the text). */
export function signerFromText(text: string, algorithm: Algorithm, file: string): Signer {
  if (algorithm === 'ed25519') {
    const key = parsePrivate(file, text);
    const keyId = publicKeyId(createPublicKey(key));
    return { algorithm, keyId, sign: (data) => sign(null, data, key).toString('base64') };
  }
  const secret = parseSecret(file, text);
  return {
    algorithm,
    keyId: secretKeyId(secret),
    sign: (data) => createHmac('sha256', secret).update(data).digest('base64'),
  };
}

/**
 * Reads a verification key: a PEM public key (or private key, whose public half is used) for ed25519,
 * or a base64 secret for hmac-sha256. The algorithm follows from the file's content.
 */
export function loadVerifier(file: string): Verifier {
  const text = readKeyFile(file, false);
  if (text.includes('-----BEGIN')) {
    const key = text.includes('PRIVATE KEY') ? createPublicKey(parsePrivate(file, text)) : parsePublic(file, text);
    return {
      algorithm: 'ed25519',
      keyId: publicKeyId(key),
      verify: (data, sig) => verify(null, data, key, Buffer.from(sig, 'base64')),
    };
  }
  const secret = parseSecret(file, text);
  return {
    algorithm: 'hmac-sha256',
    keyId: secretKeyId(secret),
    verify(data, sig) {
      const want = createHmac('sha256', secret).update(data).digest();
      const got = Buffer.from(sig, 'base64');
      return got.length === want.length && timingSafeEqual(got, want);
    },
  };
}

/** A new key: for ed25519 the private and public PEM, for hmac-sha256 a base64 secret of 32 random bytes. */
export function generateKey(algorithm: Algorithm): { secret: string; public?: string } {
  if (algorithm === 'hmac-sha256') return { secret: randomBytes(32).toString('base64') + '\n' };
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    secret: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    public: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A key file's text; a `secret` one must not be readable by group or others. */
export function readKeyFile(file: string, secret: boolean): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw new Error(`Cannot read the key file "${file}": ${(err as Error).message}`, { cause: err });
  }
  // As ssh does for private keys: a secret others can read is refused, not used.
  if (secret && process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new Error(`The key file "${file}" is readable by group or others (mode ${mode}); run chmod 600 on it.`);
  }
  return fs.readFileSync(file, 'utf8');
}

function parsePrivate(file: string, text: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (err) {
    throw new Error(`The key file "${file}" is not a PEM private key: ${(err as Error).message}`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`The key file "${file}" holds a ${key.asymmetricKeyType} key; ed25519 is needed.`);
  return key;
}

function parsePublic(file: string, text: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch (err) {
    throw new Error(`The key file "${file}" is not a PEM public key: ${(err as Error).message}`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`The key file "${file}" holds a ${key.asymmetricKeyType} key; ed25519 is needed.`);
  return key;
}

function parseSecret(file: string, text: string): Buffer {
  const t = text.trim();
  if (t.includes('-----BEGIN'))
    throw new Error(
      `The key file "${file}" holds a PEM key; hmac-sha256 needs a base64 secret (auditline keygen --algorithm hmac-sha256).`,
    );
  const secret = /^[A-Za-z0-9+/=_-]+$/.test(t) ? Buffer.from(t, 'base64') : Buffer.alloc(0);
  if (secret.length < MIN_SECRET)
    throw new Error(`The key file "${file}" must hold a base64 secret of at least ${MIN_SECRET} bytes.`);
  return secret;
}

function publicKeyId(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

function secretKeyId(secret: Buffer): string {
  // Under a prefix, so the id reveals nothing usable about the secret.
  return createHash('sha256').update('auditline-hmac-key-id\0').update(secret).digest('hex').slice(0, 16);
}
