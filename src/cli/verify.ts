// `auditline verify FILE|DB (--public-key K | --key K) [--digest D]`: checks
// an audit file against its signed digest, or a SQLite database against its
// integrity table, offline. Prints OK with what is covered, or the first
// place the chain breaks. Exit 0 when it holds, 1 when it does not (or
// cannot be read), 2 on a usage error.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadVerifier, type Verifier } from '../integrity/keys.js';
import { verifyAuditFile } from '../integrity/verify-file.js';

const USAGE = `Usage: auditline verify FILE|DB (--public-key KEY | --key KEY) [--digest DIGEST] [--generation N]
  Checks a msgpack_audit file against its digest (FILE.digest), or a SQLite database written
  by the sqlite exporter against its integrity table, with the integrity option's key.
      --public-key KEY   the ed25519 public key (auditline keygen writes it beside the private key)
      --key KEY          the hmac-sha256 secret (or the ed25519 private key)
      --digest DIGEST    the digest file, if not FILE.digest
      --generation N     which file at the path FILE is (default the newest; a rotated file is an earlier one)
`;

export interface VerifyIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runVerify(
  argv: string[],
  io: VerifyIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let values: { 'public-key'?: string; key?: string; digest?: string; generation?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        'public-key': { type: 'string' },
        key: { type: 'string' },
        digest: { type: 'string' },
        generation: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    }));
  } catch (err) {
    io.stderr.write(`auditline verify: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const keyFile = values['public-key'] ?? values.key;
  if (
    positionals.length !== 1 ||
    keyFile === undefined ||
    (values['public-key'] !== undefined && values.key !== undefined) ||
    (values.generation !== undefined && !/^\d+$/.test(values.generation))
  ) {
    io.stderr.write(
      `auditline verify: give one FILE or DB, one of --public-key or --key, and --generation as a number.\n\n${USAGE}`,
    );
    return 2;
  }
  const target = positionals[0]!;
  let key: Verifier;
  try {
    key = loadVerifier(keyFile);
  } catch (err) {
    io.stderr.write(`auditline verify: ${(err as Error).message}\n`);
    return 1;
  }
  const gen = values.generation === undefined ? undefined : Number(values.generation);
  const result = isSqlite(target)
    ? (await import('../integrity/verify-sqlite.js')).verifyDatabase(target, key)
    : verifyAuditFile(target, values.digest ?? `${target}.digest`, key, gen);
  (result.ok ? io.stdout : io.stderr).write(result.lines.map((l) => `${l}\n`).join(''));
  return result.ok ? 0 : 1;
}

/** Whether the file starts with SQLite's header. */
function isSqlite(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const b = Buffer.alloc(16);
      return fs.readSync(fd, b, 0, 16, 0) === 16 && b.toString('latin1') === 'SQLite format 3\0';
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}
