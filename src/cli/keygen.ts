// `auditline keygen [--algorithm ed25519|hmac-sha256] --out DIR`: makes the
// key for the integrity option. ed25519 writes audit-signing.key (private,
// 0600, for the collector) and audit-signing.pub (public, for verifiers);
// hmac-sha256 writes audit-hmac.key (one secret for both). Existing files
// are never overwritten.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ALGORITHMS, generateKey, type Algorithm } from '../integrity/keys.js';

const USAGE = `Usage: auditline keygen [--algorithm ed25519|hmac-sha256] --out DIR
  Writes a key for the integrity option of msgpack_audit and sqlite:
  ed25519 (default): DIR/audit-signing.key (private, mode 0600) and DIR/audit-signing.pub (public)
  hmac-sha256:       DIR/audit-hmac.key (secret, mode 0600; verifying needs it too)
`;

export interface KeygenIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function runKeygen(argv: string[], io: KeygenIo = { stdout: process.stdout, stderr: process.stderr }): number {
  let values: { algorithm?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        algorithm: { type: 'string', short: 'a' },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr.write(`auditline keygen: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const algorithm = (values.algorithm ?? 'ed25519') as Algorithm;
  if (!ALGORITHMS.includes(algorithm) || values.out === undefined) {
    io.stderr.write(
      `auditline keygen: ${values.out === undefined ? '--out DIR is required' : `unknown algorithm "${values.algorithm}"`}.\n\n${USAGE}`,
    );
    return 2;
  }
  const key = generateKey(algorithm);
  const secretFile = path.join(values.out, algorithm === 'ed25519' ? 'audit-signing.key' : 'audit-hmac.key');
  const publicFile = path.join(values.out, 'audit-signing.pub');
  try {
    fs.mkdirSync(values.out, { recursive: true, mode: 0o700 });
    for (const f of key.public === undefined ? [secretFile] : [secretFile, publicFile]) {
      if (fs.existsSync(f)) throw new Error(`"${f}" exists; not overwritten.`);
    }
    fs.writeFileSync(secretFile, key.secret, { mode: 0o600, flag: 'wx' });
    if (key.public !== undefined) fs.writeFileSync(publicFile, key.public, { mode: 0o644, flag: 'wx' });
  } catch (err) {
    io.stderr.write(`auditline keygen: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(
    key.public === undefined
      ? `Wrote ${secretFile} (hmac-sha256 secret: the collector signs and verifiers check with it).\n`
      : `Wrote ${secretFile} (private: the collector's integrity.key_file) and ${publicFile} (public: auditline verify --public-key).\n`,
  );
  return 0;
}
