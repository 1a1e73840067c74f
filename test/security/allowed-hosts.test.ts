// The Host allow-list of the query API and the health check (DNS rebinding):
// a request whose Host names another server — what a browser sends after an
// attacker's domain is re-pointed at 127.0.0.1 — is answered 421 before any
// route or token check; this server's own names pass.
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../src/component/types.js';
import { formatIssue, type ConfigIssue } from '../../src/config/schema.js';
import { healthCheckExtensionFactory, type HealthCheck } from '../../src/extensions/health-check/factory.js';
import { queryApiExtensionFactory } from '../../src/extensions/query-api/factory.js';
import type { QueryApiServer } from '../../src/extensions/query-api/server.js';
import { RecordTap } from '../../src/pipeline/tap.js';
import { Telemetry } from '../../src/telemetry/metrics.js';
import { createLogger } from '../../src/telemetry/logger.js';

const TOKEN = 'host-check-token';
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

type Kind = 'query_api' | 'health_check';

async function start(kind: Kind, raw: Record<string, unknown>) {
  const lines: string[] = [];
  // The collector's default burst window (10 s): one line, then the rest counted.
  const logger = createLogger(kind, { write: (l) => lines.push(l) });
  const host: Host = {
    getExtension: () => undefined,
    findExtension: () => undefined,
    tap: new RecordTap(),
    logger,
    telemetry: new Telemetry(),
  };
  const settings = { id: kind, logger, telemetry: host.telemetry };
  let port: number;
  if (kind === 'query_api') {
    const api = queryApiExtensionFactory.create(
      settings,
      parse(queryApiExtensionFactory.config, { auth: { tokens: [TOKEN] }, ...raw }),
    ) as QueryApiServer;
    await api.start(host);
    cleanups.push(() => api.shutdown());
    port = Number(new URL(api.url).port);
  } else {
    const hc = healthCheckExtensionFactory.create(
      settings,
      parse(healthCheckExtensionFactory.config, raw),
    ) as HealthCheck;
    await hc.start(host);
    hc.ready();
    cleanups.push(() => hc.shutdown());
    port = hc.port!;
  }
  /** GET `path` with the given Host header (connecting to `address`, 127.0.0.1 unless given). */
  const get = (hostHeader: string, path = kind === 'query_api' ? '/health' : '/', address = '127.0.0.1') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: address,
          port,
          path,
          headers: { host: hostHeader.replace('PORT', String(port)), authorization: `Bearer ${TOKEN}` },
          agent: false,
        },
        (res) => {
          let body = '';
          res
            .setEncoding('utf8')
            .on('data', (c) => {
              body += c;
            })
            .on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject).end();
    });
  return { get, lines };
}

for (const kind of ['query_api', 'health_check'] as Kind[]) {
  describe(`${kind} – Host allow-list`, () => {
    it('answers 421 to a Host naming another server (even for the health route), and logs it once per burst', async () => {
      const s = await start(kind, { endpoint: '127.0.0.1:0' });
      for (const evil of [
        'attacker.example:PORT',
        'attacker.example',
        'localhost.attacker.example:PORT',
        '127.0.0.1.nip.io:PORT',
      ]) {
        const r = await s.get(evil);
        expect(r.status, evil).toBe(421);
        expect(JSON.parse(r.body)).toEqual({ error: 'the Host header does not name this server (see allowed_hosts)' });
      }
      if (kind === 'query_api') expect((await s.get('attacker.example:PORT', '/metrics')).status).toBe(421);
      expect(s.lines.filter((l) => l.includes('allowed_hosts'))).toHaveLength(1);
    });

    it("accepts the loopback names and the endpoint's own host, in any case and with or without the port", async () => {
      const s = await start(kind, { endpoint: '127.0.0.1:0' });
      for (const ok of [
        'localhost:PORT',
        'LOCALHOST',
        'localhost.:PORT',
        '127.0.0.1:PORT',
        '127.0.0.1',
        '[::1]:PORT',
      ]) {
        expect((await s.get(ok)).status, ok).toBe(200);
      }
    });

    it('accepts the names in allowed_hosts (exact, *.suffix for subdomains, * for any)', async () => {
      const s = await start(kind, { endpoint: '127.0.0.1:0', allowed_hosts: ['logs.example.com', '*.corp.example'] });
      for (const ok of ['logs.example.com', 'LOGS.example.com:PORT', 'a.corp.example:PORT', 'b.c.corp.example'])
        expect((await s.get(ok)).status, ok).toBe(200);
      for (const bad of ['corp.example', 'example.com', 'logs.example.com.attacker.example'])
        expect((await s.get(bad)).status, bad).toBe(421);
      const any = await start(kind, { endpoint: '127.0.0.1:0', allowed_hosts: ['*'] });
      expect((await any.get('anything.example:PORT')).status).toBe(200);
    });

    it("listening on every interface, accepts this machine's own addresses but not other names", async () => {
      const s = await start(kind, { endpoint: '0.0.0.0:0' });
      const own = Object.values(networkInterfaces())
        .flat()
        .filter((a) => a !== undefined && a.family === 'IPv4')
        .map((a) => a!.address);
      for (const a of own) expect((await s.get(`${a}:PORT`, undefined, a)).status, a).toBe(200);
      expect((await s.get('attacker.example:PORT')).status).toBe(421);
    });
  });
}
