// Configuration of the `otlp_http` exporter with the Collector otlphttp
// exporter's keys. `timeout`, `sending_queue` and `retry_on_failure` come from
// the shared exporter helper.
import { bool, bytes, def, ignored, obj, oneOf, opt, record, str, type Spec } from '../../src/config/schema.js';
import { COMPRESSIONS, type Compression } from '../../src/compression/encoders.js';
import { transform } from '../../src/matching/transform.js';

function httpUrl(): Spec<string> {
  return transform(
    str({ nonEmpty: true }),
    (v, add) => {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        add([], 'must be an http:// or https:// URL such as http://gateway:4318');
        return undefined;
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        add([], 'must be an http:// or https:// URL');
        return undefined;
      }
      return v;
    },
    'http(s) URL',
  );
}

/** The Collector's names; `""` is none. lz4 is the one it has that we do not. */
const compressionSpec: Spec<Compression> = transform(
  str(),
  (v, add) => {
    if (v === '') return 'none';
    if ((COMPRESSIONS as readonly string[]).includes(v)) return v as Compression;
    add([], `"${v}" is not supported; use ${COMPRESSIONS.join(', ')}`);
    return undefined;
  },
  COMPRESSIONS.join(' | '),
);

const tlsSpec = obj(
  {
    /** Skip verification of the server's certificate and name. */
    insecure_skip_verify: def(bool(), false),
    /** Accepted for compatibility; it only matters for gRPC. An http:// endpoint is plain HTTP. */
    insecure: def(bool(), false),
    ca_file: opt(str({ nonEmpty: true })),
    cert_file: opt(str({ nonEmpty: true })),
    key_file: opt(str({ nonEmpty: true })),
  },
  (c, add) => {
    if ((c.cert_file === undefined) !== (c.key_file === undefined))
      add(null, 'cert_file and key_file must be set together');
  },
);

export const otlpHttpFields = {
  /** Base URL; `/v1/logs` is appended, as the Collector does. */
  endpoint: opt(httpUrl()),
  /** Full URL for logs; overrides `endpoint`. */
  logs_endpoint: opt(httpUrl()),
  headers: def(record(str()), {}),
  compression: def(compressionSpec, 'gzip'),
  /** `proto` (the Collector's default) or `json`. */
  encoding: def(oneOf(['proto', 'json'] as const), 'proto'),
  tls: opt(tlsSpec),
  /** An extension that adds credentials to each request, e.g. `bearertokenauth/upstream`. */
  auth: opt(obj({ authenticator: def(str({ nonEmpty: true }), '') })),
  read_buffer_size: ignored("Node's HTTP client has no socket buffer size setting", bytes({ min: 0 })),
  write_buffer_size: ignored("Node's HTTP client has no socket buffer size setting", bytes({ min: 0 })),
};

export function checkOtlpHttp(
  c: { endpoint?: string; logs_endpoint?: string },
  add: (key: string | null, msg: string) => void,
): void {
  if (c.endpoint === undefined && c.logs_endpoint === undefined)
    add(null, 'must set endpoint (base URL) or logs_endpoint (full URL)');
}

/** The URL logs are posted to: `logs_endpoint`, else `endpoint` + `/v1/logs`. */
export function logsUrl(c: { endpoint?: string; logs_endpoint?: string }): string {
  if (c.logs_endpoint !== undefined) return c.logs_endpoint;
  const base = c.endpoint!;
  return base.endsWith('/') ? `${base}v1/logs` : `${base}/v1/logs`;
}

export interface OtlpHttpConfig {
  endpoint?: string;
  logs_endpoint?: string;
  headers: Record<string, string>;
  compression: Compression;
  encoding: 'proto' | 'json';
  tls?: { insecure_skip_verify: boolean; insecure: boolean; ca_file?: string; cert_file?: string; key_file?: string };
  auth?: { authenticator: string };
  timeout: number;
  sending_queue: { num_consumers: number };
}
