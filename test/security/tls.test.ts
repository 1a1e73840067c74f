// TLS on every server: the otlp receiver (HTTP and gRPC), the query API and
// the health check share one `tls:` block. TLS 1.2 offers only AEAD suites
// with forward secrecy unless `cipher_suites` says otherwise; `min_version`
// (default 1.2) and `client_ca_file` (mTLS) apply to all of them. Certificates
// are generated at test time with the openssl CLI.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { connect, type ConnectionOptions } from 'node:tls';
import { credentials, makeGenericClientConstructor, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Host, LogsConsumer } from '../../src/component/types.js';
import { formatIssue, type ConfigIssue } from '../../src/config/schema.js';
import { healthCheckExtensionFactory, type HealthCheck } from '../../src/extensions/health-check/factory.js';
import { queryApiExtensionFactory } from '../../src/extensions/query-api/factory.js';
import type { QueryApiServer } from '../../src/extensions/query-api/server.js';
import { RecordTap } from '../../src/pipeline/tap.js';
import { grpcProtocolSpec, httpProtocolSpec } from '../../src/receivers/otlp/config.js';
import { LOGS_EXPORT_PATH, OtlpGrpcReceiver } from '../../src/receivers/otlp/grpc-receiver.js';
import { OtlpHttpReceiver } from '../../src/receivers/otlp/http-receiver.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { Telemetry } from '../../src/telemetry/metrics.js';
import { makeCerts, type TestCerts } from './certs.js';

let certs: TestCerts;
beforeAll(() => {
  certs = makeCerts();
});
afterAll(() => certs.cleanup());

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const consumer: LogsConsumer = { consume: async () => {} };
const host = (): Host => ({
  getExtension: () => undefined,
  findExtension: () => undefined,
  tap: new RecordTap(),
  logger: silentLogger,
  telemetry: new Telemetry(),
});
const settings = (id: string) => ({ id, logger: silentLogger, telemetry: new Telemetry() });

function parseOrThrow<T>(
  spec: { parse(v: unknown, p: (string | number)[], is: ConfigIssue[]): T | undefined },
  raw: unknown,
): T {
  const issues: ConfigIssue[] = [];
  const cfg = spec.parse(raw, [], issues);
  if (!cfg) throw new Error(issues.map(formatIssue).join('\n'));
  return cfg;
}

const tlsBlock = (extra: Record<string, unknown> = {}) => ({
  cert_file: certs.serverCert,
  key_file: certs.serverKey,
  ...extra,
});

type Server = 'otlp-http' | 'otlp-grpc' | 'query_api' | 'health_check';
const SERVERS: Server[] = ['otlp-http', 'otlp-grpc', 'query_api', 'health_check'];

/** Starts one of the four servers on a free loopback port with the given `tls:` block; returns its port. */
async function start(kind: Server, tls: Record<string, unknown>): Promise<number> {
  if (kind === 'otlp-http') {
    const r = new OtlpHttpReceiver(
      settings('otlp'),
      parseOrThrow(httpProtocolSpec, { endpoint: '127.0.0.1:0', tls }),
      consumer,
    );
    await r.start(host());
    cleanups.push(() => r.shutdown());
    return r.port!;
  }
  if (kind === 'otlp-grpc') {
    const r = new OtlpGrpcReceiver(
      settings('otlp'),
      parseOrThrow(grpcProtocolSpec, { endpoint: '127.0.0.1:0', tls }),
      consumer,
    );
    await r.start(host());
    cleanups.push(() => r.shutdown());
    return r.port!;
  }
  if (kind === 'query_api') {
    const api = queryApiExtensionFactory.create(
      settings('query_api'),
      parseOrThrow(queryApiExtensionFactory.config, { endpoint: '127.0.0.1:0', tls, auth: { tokens: ['t0ken'] } }),
    ) as QueryApiServer;
    await api.start(host());
    cleanups.push(() => api.shutdown());
    return Number(new URL(api.url).port);
  }
  const hc = healthCheckExtensionFactory.create(
    settings('health_check'),
    parseOrThrow(healthCheckExtensionFactory.config, { endpoint: '127.0.0.1:0', tls }),
  ) as HealthCheck;
  await hc.start(host());
  hc.ready();
  cleanups.push(() => hc.shutdown());
  return hc.port!;
}

type Handshake = { ok: true; cipher: string; version: string } | { ok: false; error: string };

/** A bare TLS handshake (ALPN h2 or http/1.1 as the server expects). */
function handshake(kind: Server, port: number, opts: ConnectionOptions = {}): Promise<Handshake> {
  return new Promise((resolve) => {
    const s = connect(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: certs.ca,
        ALPNProtocols: kind === 'otlp-grpc' ? ['h2'] : ['http/1.1'],
        ...opts,
      },
      () => {
        resolve({ ok: true, cipher: s.getCipher().name, version: s.getProtocol() ?? '' });
        s.destroy();
      },
    );
    s.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, error: e.code ?? e.message }));
  });
}

/** One request over HTTPS (HTTP/1.1 servers); resolves with the status or the connection error. */
function httpsGet(kind: Server, port: number, opts: { cert?: Buffer; key?: Buffer } = {}): Promise<number | string> {
  const path = kind === 'otlp-http' ? '/v1/logs' : kind === 'query_api' ? '/metrics' : '/';
  return new Promise((resolve) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: 'localhost',
        ca: certs.ca,
        ...opts,
        agent: false,
        method: kind === 'otlp-http' ? 'POST' : 'GET',
        headers:
          kind === 'otlp-http'
            ? { 'content-type': 'application/json' }
            : kind === 'query_api'
              ? { authorization: 'Bearer t0ken' }
              : {},
      },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end(kind === 'otlp-http' ? '{}' : undefined);
  });
}

// --- a raw gRPC client: Export with arbitrary bytes (an empty request is a valid one) ---
const identity = (b: Buffer) => b;
const RawLogsClient = makeGenericClientConstructor(
  {
    Export: {
      path: LOGS_EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  },
  'LogsService',
);
interface RawClient extends Client {
  Export(req: Buffer, md: Metadata, cb: (err: ServiceError | null) => void): void;
}

function grpcExport(port: number, client?: { cert: Buffer; key: Buffer }): Promise<number> {
  const c = new RawLogsClient(
    `localhost:${port}`,
    credentials.createSsl(certs.ca, client?.key ?? null, client?.cert ?? null),
  ) as unknown as RawClient;
  return new Promise((resolve) => {
    c.Export(Buffer.alloc(0), new Metadata(), (err) => {
      c.close();
      resolve(err ? err.code : 0);
    });
  });
}

/** The status of one request to any of the four servers (gRPC: 0 for OK, else the status code). */
const call = (kind: Server, port: number, client?: { cert: Buffer; key: Buffer }) =>
  kind === 'otlp-grpc' ? grpcExport(port, client) : httpsGet(kind, port, client);

describe('TLS – defaults', () => {
  for (const kind of SERVERS) {
    it(`${kind} – TLS 1.2 offers AEAD suites only (a CBC suite is refused), TLS 1.3 works, and requests are served`, async () => {
      const port = await start(kind, tlsBlock());
      const gcm = await handshake(kind, port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
      expect(gcm).toEqual({ ok: true, cipher: 'ECDHE-RSA-AES128-GCM-SHA256', version: 'TLSv1.2' });
      expect((await handshake(kind, port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' })).ok).toBe(
        true,
      );
      for (const cbc of [
        'ECDHE-RSA-AES128-SHA256',
        'ECDHE-RSA-AES256-SHA384',
        'ECDHE-RSA-AES128-SHA',
        'AES128-GCM-SHA256',
      ]) {
        expect(await handshake(kind, port, { maxVersion: 'TLSv1.2', ciphers: cbc }), cbc).toMatchObject({ ok: false });
      }
      expect(await handshake(kind, port)).toMatchObject({ ok: true, version: 'TLSv1.3' });
      expect(await call(kind, port)).toBe(kind === 'otlp-grpc' ? 0 : 200);
    });
  }

  it('plaintext HTTP to a TLS listener gets no answer', async () => {
    const port = await start('query_api', tlsBlock());
    const r = await new Promise<number | string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      req.end();
    });
    expect(typeof r === 'string' || r === 400).toBe(true);
  });
});

describe('TLS – min_version, cipher_suites, client_ca_file', () => {
  for (const kind of SERVERS) {
    it(`${kind} – min_version "1.3" refuses a TLS 1.2 client`, async () => {
      const port = await start(kind, tlsBlock({ min_version: '1.3' }));
      expect(await handshake(kind, port, { maxVersion: 'TLSv1.2' })).toMatchObject({ ok: false });
      expect(await handshake(kind, port)).toMatchObject({ ok: true, version: 'TLSv1.3' });
    });

    it(`${kind} – client_ca_file requires a client certificate signed by that CA (mTLS)`, async () => {
      const port = await start(kind, tlsBlock({ client_ca_file: certs.caFile }));
      expect(await call(kind, port, certs.client)).toBe(kind === 'otlp-grpc' ? 0 : 200);
      expect(await call(kind, port)).not.toBe(kind === 'otlp-grpc' ? 0 : 200);
      expect(await call(kind, port, certs.stranger)).not.toBe(kind === 'otlp-grpc' ? 0 : 200);
    });
  }

  it('cipher_suites (IANA or OpenSSL names) replaces the TLS 1.2 list and may opt in to a CBC suite', async () => {
    const port = await start(
      'otlp-http',
      tlsBlock({ cipher_suites: ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES128-SHA'] }),
    );
    expect(
      await handshake('otlp-http', port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }),
    ).toMatchObject({ ok: false });
    expect(await handshake('otlp-http', port, { maxVersion: 'TLSv1.2' })).toMatchObject({
      ok: true,
      cipher: 'ECDHE-RSA-AES256-GCM-SHA384',
    });
    expect(
      await handshake('otlp-http', port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA' }),
    ).toMatchObject({ ok: true, cipher: 'ECDHE-RSA-AES128-SHA' });
    // TLS 1.3 keeps its standard suites when only TLS 1.2 ones are named.
    expect(await handshake('otlp-http', port)).toMatchObject({ ok: true, version: 'TLSv1.3' });
  });
});

describe('TLS – config', () => {
  const errors = (raw: unknown) => {
    const issues: ConfigIssue[] = [];
    queryApiExtensionFactory.config.parse({ tls: raw }, ['extensions', 'query_api'], issues);
    return issues.map(formatIssue);
  };

  it("defaults to min_version 1.2 and accepts the Collector's keys, an unquoted 1.3 too", () => {
    const cfg = parseOrThrow(httpProtocolSpec, {
      tls: {
        cert_file: 'c',
        key_file: 'k',
        min_version: 1.3,
        max_version: '1.3',
        client_ca_file: 'ca',
        cipher_suites: ['TLS_AES_128_GCM_SHA256'],
      },
    });
    expect(cfg.tls).toEqual({
      cert_file: 'c',
      key_file: 'k',
      min_version: '1.3',
      max_version: '1.3',
      client_ca_file: 'ca',
      cipher_suites: ['TLS_AES_128_GCM_SHA256'],
    });
    expect(parseOrThrow(grpcProtocolSpec, { tls: { cert_file: 'c', key_file: 'k' } }).tls).toMatchObject({
      min_version: '1.2',
      max_version: '',
      cipher_suites: [],
    });
  });

  it('refuses TLS 1.0/1.1, unknown cipher suites, a missing key and max_version below min_version, each by path', () => {
    expect(errors({ cert_file: 'c', key_file: 'k', min_version: '1.0' })).toEqual([
      'extensions::query_api::tls::min_version: TLS 1.0 and 1.1 are not offered (deprecated by RFC 8996); use "1.2" or "1.3"',
    ]);
    expect(errors({ cert_file: 'c', key_file: 'k', cipher_suites: ['TLS_RSA_WITH_RC4_128_SHA'] })).toEqual([
      'extensions::query_api::tls::cipher_suites::0: is not a supported cipher suite (use IANA names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or TLS_AES_128_GCM_SHA256)',
    ]);
    expect(errors({ cert_file: 'c' })).toEqual(['extensions::query_api::tls::key_file: is required when tls is set']);
    expect(errors({ cert_file: 'c', key_file: 'k', min_version: '1.3', max_version: '1.2' })).toEqual([
      'extensions::query_api::tls::max_version: must not be lower than min_version',
    ]);
  });

  it('fails to start with one sentence naming the file, never its contents, when a file is unreadable or the key does not match', async () => {
    const api = queryApiExtensionFactory.create(
      settings('query_api'),
      parseOrThrow(queryApiExtensionFactory.config, {
        endpoint: '127.0.0.1:0',
        tls: { cert_file: certs.serverCert, key_file: '/nonexistent/server.key' },
      }),
    );
    await expect(api.start(host())).rejects.toThrow(
      'Cannot read query_api::tls::key_file "/nonexistent/server.key": ENOENT.',
    );
    const r = new OtlpHttpReceiver(
      settings('otlp'),
      parseOrThrow(httpProtocolSpec, {
        endpoint: '127.0.0.1:0',
        tls: { cert_file: certs.serverCert, key_file: `${certs.dir}/client.key` },
      }),
      consumer,
    );
    const err = await r.start(host()).then(
      () => null,
      (e: Error) => e.message,
    );
    await r.shutdown();
    expect(err).toMatch(/^The TLS settings in otlp::protocols::http::tls cannot be used: .*mismatch/);
    expect(err).not.toContain('PRIVATE KEY');
  });
});
