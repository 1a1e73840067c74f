// Refused credentials are counted in auditline_auth_failures_total{component}
// (served on /metrics) and logged once per burst: on the query API, and on the
// otlp receiver (HTTP and gRPC) behind the bearertokenauth extension.
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Host, LogsConsumer } from '../../src/component/types.js';
import { formatIssue, type ConfigIssue } from '../../src/config/schema.js';
// The name, not the constant: this test also runs against code without it.
const AUTH_FAILURES = 'auditline_auth_failures_total';
import { bearerTokenAuthExtensionFactory } from '../../src/extensions/bearertokenauth/factory.js';
import { queryApiExtensionFactory } from '../../src/extensions/query-api/factory.js';
import type { QueryApiServer } from '../../src/extensions/query-api/server.js';
import { RecordTap } from '../../src/pipeline/tap.js';
import { grpcProtocolSpec, httpProtocolSpec } from '../../src/receivers/otlp/config.js';
import { LOGS_EXPORT_PATH, OtlpGrpcReceiver } from '../../src/receivers/otlp/grpc-receiver.js';
import { OtlpHttpReceiver } from '../../src/receivers/otlp/http-receiver.js';
import { createLogger, type InternalLogger } from '../../src/telemetry/logger.js';
import { Telemetry } from '../../src/telemetry/metrics.js';

const TOKEN = 'the-right-token';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function parse<T>(
  spec: { parse(v: unknown, p: (string | number)[], is: ConfigIssue[]): T | undefined },
  raw: unknown,
): T {
  const issues: ConfigIssue[] = [];
  const cfg = spec.parse(raw, [], issues);
  if (!cfg) throw new Error(issues.map(formatIssue).join('\n'));
  return cfg;
}

/** One telemetry and one log for the whole "collector", with the default 10 s burst window. */
function collectorParts() {
  const lines: string[] = [];
  const root = createLogger('auditline', { write: (l) => lines.push(l) });
  const telemetry = new Telemetry();
  const extensions: Record<string, unknown> = {};
  const host: Host = {
    getExtension: <T>(id: string) => extensions[id] as T,
    findExtension: () => undefined,
    tap: new RecordTap(),
    logger: root,
    telemetry,
  };
  const settings = (id: string): { id: string; logger: InternalLogger; telemetry: Telemetry } => ({
    id,
    logger: root.child(id),
    telemetry,
  });
  return { lines, telemetry, extensions, host, settings };
}

const consumer: LogsConsumer = { consume: async () => {} };

describe('failed authentication – counted and logged once per burst', () => {
  it('query API: each refused request counts in /metrics under component="query_api"; one log line for the burst', async () => {
    const c = collectorParts();
    const api = queryApiExtensionFactory.create(
      c.settings('query_api'),
      parse(queryApiExtensionFactory.config, { endpoint: '127.0.0.1:0', auth: { tokens: [TOKEN] } }),
    ) as QueryApiServer;
    await api.start(c.host);
    cleanups.push(() => api.shutdown());
    for (const auth of [undefined, 'Bearer guess-1', 'Bearer guess-2', `Basic ${TOKEN}`]) {
      const res = await fetch(api.url + '/metrics', { headers: auth ? { authorization: auth } : {} });
      expect(res.status).toBe(401);
    }
    const metrics = await (await fetch(api.url + '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(metrics).toContain(`${AUTH_FAILURES}{component="query_api"} 4`);
    expect(metrics).toContain(`# HELP ${AUTH_FAILURES} `);
    const logged = c.lines.filter((l) => l.includes('without valid credentials'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(
      /\[WARNING\] query_api: Refused a query API request without valid credentials\. \(client=(::ffff:)?127\.0\.0\.1\)/,
    );
    expect(logged[0]).not.toContain('guess');
  });

  it('otlp receiver with bearertokenauth: refused HTTP and gRPC requests count under component="otlp"', async () => {
    const c = collectorParts();
    const auth = bearerTokenAuthExtensionFactory.create(
      c.settings('bearertokenauth'),
      parse(bearerTokenAuthExtensionFactory.config, { token: TOKEN }),
    );
    await auth.start(c.host);
    c.extensions.bearertokenauth = auth;
    const http = new OtlpHttpReceiver(
      c.settings('otlp'),
      parse(httpProtocolSpec, { endpoint: '127.0.0.1:0', auth: { authenticator: 'bearertokenauth' } }),
      consumer,
    );
    const grpc = new OtlpGrpcReceiver(
      c.settings('otlp'),
      parse(grpcProtocolSpec, { endpoint: '127.0.0.1:0', auth: { authenticator: 'bearertokenauth' } }),
      consumer,
    );
    await http.start(c.host);
    await grpc.start(c.host);
    cleanups.push(
      () => http.shutdown(),
      () => grpc.shutdown(),
    );

    const post = (authorization?: string) =>
      fetch(`http://127.0.0.1:${http.port}/v1/logs`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      }).then((r) => r.status);
    expect(await post()).toBe(401);
    expect(await post('Bearer nope')).toBe(401);
    expect(await post(`Bearer ${TOKEN}`)).toBe(200);

    const identity = (b: Buffer) => b;
    const Raw = makeGenericClientConstructor(
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
    const client = new Raw(`127.0.0.1:${grpc.port}`, credentials.createInsecure()) as Client & {
      Export(b: Buffer, md: Metadata, cb: (e: ServiceError | null) => void): void;
    };
    cleanups.push(async () => client.close());
    const exportWith = (token?: string) =>
      new Promise<number>((resolve) => {
        const md = new Metadata();
        if (token) md.set('authorization', `Bearer ${token}`);
        client.Export(Buffer.alloc(0), md, (err) => resolve(err ? err.code : status.OK));
      });
    expect(await exportWith()).toBe(status.UNAUTHENTICATED);
    expect(await exportWith('wrong')).toBe(status.UNAUTHENTICATED);
    expect(await exportWith('wrong-again')).toBe(status.UNAUTHENTICATED);
    expect(await exportWith(TOKEN)).toBe(status.OK);

    expect(c.telemetry.value(AUTH_FAILURES, { component: 'otlp' })).toBe(5);
    expect(await c.telemetry.prometheus()).toContain(`${AUTH_FAILURES}{component="otlp"} 5`);
    // One line per transport for the burst, none for the accepted requests.
    expect(c.lines.filter((l) => l.includes('Refused an OTLP/HTTP request without valid credentials.'))).toHaveLength(
      1,
    );
    expect(c.lines.filter((l) => l.includes('Refused an OTLP/gRPC request without valid credentials.'))).toHaveLength(
      1,
    );
  });
});
