// Keys in temp dirs, entry offsets of an audit file, and the verify CLI as a function.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runVerify } from '../../src/cli/verify.js';
import { AuditStreamDecoder } from '../../src/format/audit-reader.js';
import { generateKey, type Algorithm } from '../../src/integrity/keys.js';

const made: string[] = [];

/** A temp dir, removed by removeTempDirs() (call it in afterAll). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'auditline-integrity-'));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Writes a key pair (or secret) into `dir`; returns the signing key file and the file a verifier uses. */
export function makeKey(
  dir: string,
  algorithm: Algorithm = 'ed25519',
  name = 'k',
): { keyFile: string; verifyFile: string } {
  const k = generateKey(algorithm);
  const keyFile = join(dir, `${name}.key`);
  writeFileSync(keyFile, k.secret, { mode: 0o600 });
  if (k.public === undefined) return { keyFile, verifyFile: keyFile };
  const verifyFile = join(dir, `${name}.pub`);
  writeFileSync(verifyFile, k.public, { mode: 0o644 });
  return { keyFile, verifyFile };
}

/** Start offset of every entry, plus the file's size at the end. */
export function entryOffsets(file: string): number[] {
  const bytes = readFileSync(file);
  const dec = new AuditStreamDecoder();
  dec.push(bytes);
  const out = [...dec.entries()].map((e) => e.offset);
  out.push(dec.offset);
  return out;
}

export async function verify(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({
    write(c, _e, cb) {
      out += String(c);
      cb();
    },
  });
  const code = await runVerify(args, { stdout: sink, stderr: sink });
  return { code, out };
}

export function digestLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}
