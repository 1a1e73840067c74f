// `auditline keygen` through the built CLI: key files, their modes, and no overwriting.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/collector.js';
import { loadSigner, loadVerifier } from '../../src/integrity/keys.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

describe('integrity – keygen', () => {
  it('integrity – keygen writes an ed25519 pair (private 0600) whose public half verifies what the private signs', async () => {
    const out = join(tempDir(), 'keys');
    const r = await runCli(['keygen', '--out', out]);
    expect(r.code).toBe(0);
    expect(statSync(join(out, 'audit-signing.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'audit-signing.pub'), 'utf8')).toContain('BEGIN PUBLIC KEY');
    const signer = loadSigner(join(out, 'audit-signing.key'), 'ed25519');
    const verifier = loadVerifier(join(out, 'audit-signing.pub'));
    expect(verifier.keyId).toBe(signer.keyId);
    expect(verifier.verify(Buffer.from('x'), signer.sign(Buffer.from('x')))).toBe(true);
    expect(verifier.verify(Buffer.from('y'), signer.sign(Buffer.from('x')))).toBe(false);
    const again = await runCli(['keygen', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; not overwritten/);
  });

  it('integrity – keygen --algorithm hmac-sha256 writes one secret; an unknown algorithm is a usage error', async () => {
    const out = tempDir();
    expect((await runCli(['keygen', '--algorithm', 'hmac-sha256', '--out', out])).code).toBe(0);
    expect(Buffer.from(readFileSync(join(out, 'audit-hmac.key'), 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(loadVerifier(join(out, 'audit-hmac.key')).algorithm).toBe('hmac-sha256');
    expect((await runCli(['keygen', '--algorithm', 'rsa', '--out', out])).code).toBe(2);
  });
});
