// Certificates made at test time with the openssl CLI: a CA, a server
// certificate it signed (localhost, 127.0.0.1, ::1), a client certificate it
// signed, and a self-signed client certificate no one trusts. RSA keys, so the
// ECDHE-RSA suites (AEAD and CBC) can both be asked for.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  /** File paths, for `tls:` blocks. */
  caFile: string;
  serverCert: string;
  serverKey: string;
  /** PEM contents, for clients. */
  ca: Buffer;
  client: { cert: Buffer; key: Buffer };
  stranger: { cert: Buffer; key: Buffer };
  cleanup(): void;
}

export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'auditline-certs-'));
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=Auditline test CA',
  );
  const signed = (name: string, cn: string, ext: string) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(f(`${name}.ext`), ext);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  signed('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n');
  signed('client', 'auditline-client', 'extendedKeyUsage=clientAuth\n');
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'stranger.key',
    '-out',
    'stranger.crt',
    '-days',
    '2',
    '-subj',
    '/CN=stranger',
    '-addext',
    'extendedKeyUsage=clientAuth',
  );
  return {
    dir,
    caFile: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    ca: readFileSync(f('ca.crt')),
    client: { cert: readFileSync(f('client.crt')), key: readFileSync(f('client.key')) },
    stranger: { cert: readFileSync(f('stranger.crt')), key: readFileSync(f('stranger.key')) },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
