// The redaction processor inside the real collector process: options from
// YAML with the HMAC key from the environment, records from the official
// OTLP exporter, the audit file read back by Python's msgpack.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, startCollector, tempDir, type RunningCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/ports.js';

const KEY = 'e2e-redaction-key-0123456789abcdef';
const SECRETS = {
  email: 'ada.lovelace@example.com',
  ownerEmail: 'owner-ops@example.org',
  password: 'pa55-w0rd-e2e',
  token: 'ghp_E2eE2eE2eE2eE2eE2eE2eE2eE2eE2eE2eE2',
  card: '5555-5555-5555-4444',
  prompt: 'E2E-PROMPT-never-store',
};

function readWithPython(file: string): Record<string, any>[] {
  const script =
    'import msgpack, json, sys\nwith open(sys.argv[1], "rb") as f:\n    for e in msgpack.Unpacker(f, raw=False):\n        print(json.dumps(e))\n';
  return execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('redaction in the collector process', () => {
  let c: RunningCollector | undefined;
  afterAll(async () => {
    await c?.cleanup();
  });

  it('masks with keyed HMAC from an env key, drops content, adds summary counts, and leaks nothing to the file', async () => {
    const port = await freePort();
    c = await startCollector(
      `
receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${port}" }
processors:
  redaction:
    hash_function: hmac_sha256
    hash_key: \${env:E2E_REDACTION_KEY}
    summary: info
    privacy:
      secret_keys: [ssn]
  batch: { timeout: 20ms }
exporters:
  msgpack_audit:
    directory: "{{dir}}/logs/"
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [redaction, batch]
      exporters: [msgpack_audit]
`,
      { env: { E2E_REDACTION_KEY: KEY } },
    );

    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'billing', owner: SECRETS.ownerEmail }),
      processors: [
        new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${port}/v1/logs` }) }),
      ],
    });
    const logger = provider.getLogger('e2e');
    for (let i = 0; i < 3; i++) {
      logger.emit({
        eventName: 'charge',
        body: `charged ${SECRETS.card} for ${SECRETS.email}`,
        attributes: {
          'session.id': 's1',
          'user.email': SECRETS.email,
          'db.password': SECRETS.password,
          note: `used ${SECRETS.token}`,
          prompt: SECRETS.prompt,
          ssn: '123-45-6789',
          amount: 10 + i,
        },
      });
    }
    await provider.shutdown();
    expect(await c.stop('SIGTERM')).toBe(0);

    const file = join(c.dir, 'logs', 'audit.log');
    const bytes = readFileSync(file).toString('latin1');
    for (const [name, secret] of Object.entries(SECRETS)) expect(bytes.includes(secret), name).toBe(false);
    expect(bytes.includes('123-45-6789')).toBe(false);

    const hmac = (t: string) => createHmac('sha256', KEY).update(t).digest('hex');
    const entries = readWithPython(file);
    expect(entries).toHaveLength(3);
    for (const e of entries) {
      expect(e.session).toBe('s1');
      // Equal values hash equally, so records still join on the user.
      expect(e.data['user.email']).toBe(hmac(SECRETS.email));
      expect(e.data.body).toBe(`charged ${hmac(SECRETS.card)} for ${hmac(SECRETS.email)}`);
      expect(e.data).not.toHaveProperty('prompt');
      expect(e.data['redaction.redacted.count']).toBe(1);
      expect(e.data['redaction.masked.count']).toBe(4); // user.email, db.password, note, ssn
      expect(e.data['redaction.body.masked.count']).toBe(1);
    }
  }, 60_000);

  it('refuses an invalid pattern at validation, naming its path, with exit status 1', () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'collector.yaml');
      writeFileSync(
        file,
        `receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:0" }
processors:
  redaction:
    blocked_values: ["ok", "(unclosed"]
exporters:
  msgpack_audit: { directory: ./logs }
service:
  pipelines:
    logs: { receivers: [otlp], processors: [redaction], exporters: [msgpack_audit] }
`,
      );
      const r = spawnSync(process.execPath, [CLI, 'validate', '--config', file], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stdout + r.stderr).toMatch(
        /processors::redaction::blocked_values::1: is not a valid regular expression.*\(line 7\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
