// TLS for every server Auditline runs (the otlp receiver over HTTP and gRPC,
// the query API, the health check): one `tls:` block, one set of defaults.
//
//   tls:
//     cert_file: server.crt        # PEM certificate (chain) and key; both required
//     key_file: server.key
//     client_ca_file: clients.crt  # optional: mTLS, a client certificate signed by this CA is required
//     min_version: "1.2"           # "1.2" (default) or "1.3"; 1.0 and 1.1 are never offered
//     max_version: ""              # "" (newest) or "1.2" / "1.3"
//     cipher_suites: []            # TLS 1.2 (and 1.3) suites by IANA/Go or OpenSSL name
//
// The keys are the OpenTelemetry Collector's (configtls), so its configs load
// unchanged. Without `cipher_suites`, TLS 1.2 offers only ECDHE key exchange
// with AEAD ciphers (AES-GCM, ChaCha20-Poly1305), never CBC; TLS 1.3 offers
// its three standard suites. Suites are listed per version: naming only TLS 1.2
// suites keeps the TLS 1.3 defaults, as the Collector does.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext, type SecureVersion, type TlsOptions } from 'node:tls';
import { def, list, obj, str, type ConfigIssue, type Spec, type SpecOutput } from '../config/schema.js';

/** TLS 1.2 suites by IANA (Go) name → OpenSSL name. CBC ones are accepted only when listed explicitly. */
const TLS12_SUITES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  // Not offered unless named: CBC modes, and RSA key exchange (no forward secrecy).
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
};
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** The default TLS 1.2 suites: forward secrecy and AEAD only. */
export const DEFAULT_TLS12_SUITES = Object.values(TLS12_SUITES).slice(0, 6);

const OPENSSL_TLS12 = new Set(Object.values(TLS12_SUITES));

type Version = '1.2' | '1.3';
const NODE_VERSION: Record<Version, SecureVersion> = { '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };

/** A TLS version as the Collector writes it (`"1.2"`; an unquoted YAML `1.2` is a number and works too). */
function versionSpec(allowEmpty: boolean): Spec<Version | ''> {
  return {
    shape: allowEmpty ? '"" | "1.2" | "1.3"' : '"1.2" | "1.3"',
    parse(v: unknown, p: (string | number)[], is: ConfigIssue[]) {
      const s = typeof v === 'number' ? v.toFixed(1) : v;
      if (s === '1.2' || s === '1.3' || (allowEmpty && s === '')) return s;
      if (s === '1.0' || s === '1.1') {
        is.push({ path: p, message: 'TLS 1.0 and 1.1 are not offered (deprecated by RFC 8996); use "1.2" or "1.3"' });
      } else {
        is.push({ path: p, message: `must be ${allowEmpty ? '"", ' : ''}"1.2" or "1.3"` });
      }
      return undefined;
    },
  };
}

const cipherSuiteSpec: Spec<string> = {
  shape: 'cipher suite name',
  parse(v: unknown, p: (string | number)[], is: ConfigIssue[]) {
    if (typeof v !== 'string') {
      is.push({ path: p, message: 'must be a string' });
      return undefined;
    }
    const name = v.trim();
    if (TLS12_SUITES[name] !== undefined || OPENSSL_TLS12.has(name) || TLS13_SUITES.includes(name)) return name;
    is.push({
      path: p,
      message:
        'is not a supported cipher suite (use IANA names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or TLS_AES_128_GCM_SHA256)',
    });
    return undefined;
  },
};

export const tlsServerSpec = obj(
  {
    /** PEM certificate, with its chain. */
    cert_file: def(str(), ''),
    /** PEM private key of the certificate. */
    key_file: def(str(), ''),
    /** PEM CA certificate(s): when set, clients must present a certificate signed by one of them (mTLS). */
    client_ca_file: def(str(), ''),
    min_version: def(versionSpec(false), '1.2'),
    /** Empty: the newest version Node supports (1.3). */
    max_version: def(versionSpec(true), ''),
    /** Empty: the defaults (AEAD with forward secrecy for TLS 1.2; the standard TLS 1.3 suites). */
    cipher_suites: def(list(cipherSuiteSpec), []),
  },
  (c, add) => {
    if (!c.cert_file) add('cert_file', 'is required when tls is set');
    if (!c.key_file) add('key_file', 'is required when tls is set');
    if (c.max_version !== '' && c.max_version < c.min_version) add('max_version', 'must not be lower than min_version');
  },
);

export type TlsServerConfig = SpecOutput<typeof tlsServerSpec>;

/** The OpenSSL cipher string for a config: TLS 1.2 suites, then TLS 1.3 suites (Node splits them). */
export function cipherString(suites: readonly string[]): string {
  const v12 = suites.filter((s) => !TLS13_SUITES.includes(s)).map((s) => TLS12_SUITES[s] ?? s);
  const v13 = suites.filter((s) => TLS13_SUITES.includes(s));
  return [...(v12.length ? v12 : DEFAULT_TLS12_SUITES), ...(v13.length ? v13 : TLS13_SUITES)].join(':');
}

/**
 * Node TLS server options for a config: reads the files (at start, not during validation) and
 * checks that certificate and key load together, so a mistake fails start-up with one sentence.
 * `where` names the block in messages (e.g. `receivers::otlp::protocols::http::tls`).
 */
export function serverTlsOptions(cfg: TlsServerConfig, where: string): TlsOptions {
  const read = (key: 'cert_file' | 'key_file' | 'client_ca_file'): Buffer => {
    try {
      return readFileSync(cfg[key]);
    } catch (err) {
      // The path only: the contents (a key) are never echoed.
      throw new Error(
        `Cannot read ${where}::${key} "${cfg[key]}": ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}.`,
        {
          cause: err,
        },
      );
    }
  };
  const opts: TlsOptions = {
    cert: read('cert_file'),
    key: read('key_file'),
    minVersion: NODE_VERSION[cfg.min_version as Version],
    ciphers: cipherString(cfg.cipher_suites),
    honorCipherOrder: true,
  };
  if (cfg.max_version !== '') opts.maxVersion = NODE_VERSION[cfg.max_version as Version];
  if (cfg.client_ca_file) {
    opts.ca = read('client_ca_file');
    opts.requestCert = true;
    opts.rejectUnauthorized = true;
  }
  try {
    createSecureContext(opts);
  } catch (err) {
    throw new Error(`The TLS settings in ${where} cannot be used: ${tlsErrorText(err)}.`, { cause: err });
  }
  return opts;
}

/** OpenSSL's reason without its stack position ("key values mismatch", "no such cipher"). */
function tlsErrorText(err: unknown): string {
  const e = err as { reason?: string; message?: string };
  return (e.reason ?? e.message ?? String(err)).replace(/\.$/, '');
}

/** An HTTP server, or an HTTPS one when `tls` is given. */
export function createServer(tls: TlsOptions | undefined, handler: RequestListener): Server {
  return tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
}
