import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/components.js';
import { ConfigError, loadConfigText } from '../../src/config/load.js';
import { formatIssue } from '../../src/config/schema.js';

const registry = defaultRegistry();

function errorsOf(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfigText(yaml, registry, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map(formatIssue);
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('config loading', () => {
  it('loads several named pipelines sharing a receiver, with type/name ids', () => {
    const cfg = loadConfigText(
      `
receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:0" }
processors:
  batch: { timeout: 1s }
  batch/fast: { timeout: 10ms, send_batch_size: 10 }
exporters:
  console: {}
  console/errors: { output: stderr }
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [console]
    logs/errors:
      receivers: [otlp]
      processors: [batch/fast]
      exporters: [console, console/errors]
`,
      registry,
      {},
    ).pipelines;
    expect(cfg.map((p) => [p.name, p.receivers, p.processors, p.exporters])).toEqual([
      ['logs', ['otlp'], ['batch'], ['console']],
      ['logs/errors', ['otlp'], ['batch/fast'], ['console', 'console/errors']],
    ]);
  }, 10_000);

  it('reports every problem at once, each with its YAML path and line', () => {
    const errs = errorsOf(`receivers:
  otlp:
    protocols:
      http:
        endpoint: nope
        bogus: 1
processors:
  batch:
    timeout: soon
    send_batch_size: -4
  nosuch: {}
service:
  pipelines:
    logs:
      receivers: [otlp, missing]
      exporters: [gone]
      processors: [nosuch]
`);
    expect(errs).toContain(
      'receivers::otlp::protocols::http::endpoint: must be host:port with a port from 0 to 65535 (line 5)',
    );
    expect(
      errs.some((e) => e.startsWith('receivers::otlp::protocols::http::bogus: unknown key') && e.endsWith('(line 6)')),
    ).toBe(true);
    expect(errs).toContain('processors::batch::timeout: must be a duration such as 200ms, 5s or 1m (line 9)');
    expect(errs).toContain('processors::batch::send_batch_size: must be a positive integer (line 10)');
    expect(errs.some((e) => e.startsWith('processors::nosuch: unknown processor type "nosuch"'))).toBe(true);
    expect(errs).toContain(
      'service::pipelines::logs::receivers::1: references receiver "missing" which is not configured (line 15)',
    );
    expect(errs).toContain(
      'service::pipelines::logs::exporters::0: references exporter "gone" which is not configured (line 16)',
    );
  });

  it("refuses unknown top-level keys and empty pipelines (other signals' pipelines only warn)", () => {
    const errs = errorsOf(`
receivers: { otlp: {} }
connector: {}
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [] }
    logs/a: { receivers: [] }
`);
    expect(errs.some((e) => e.startsWith('connector: unknown key'))).toBe(true);
    expect(errs.some((e) => e.startsWith('service::pipelines::traces'))).toBe(false);
    expect(
      errs.some((e) => e.startsWith('service::pipelines::logs/a::receivers: must list at least one receiver')),
    ).toBe(true);
    expect(
      errs.some((e) => e.startsWith('service::pipelines::logs/a::exporters: must list at least one exporter')),
    ).toBe(true);
  });

  it('expands ${env:VAR}, ${env:VAR:-default} and ${VAR}, and keeps $$ as a literal $', () => {
    const cfg = loadConfigText(
      `
receivers:
  otlp:
    protocols:
      http:
        endpoint: "\${env:HOST}:\${env:PORT}"
        logs_url_path: "/\${env:UNSET:-fallback}/\${SEG}/$$x"
processors:
  batch: { send_batch_size: "\${env:SIZE}" }
exporters:
  console: {}
extensions:
  health_check: {}
service:
  extensions: [health_check]
  pipelines:
    logs: { receivers: [otlp], processors: [batch], exporters: [console] }
`,
      registry,
      { HOST: '127.0.0.1', PORT: '4999', SEG: 'seg', SIZE: '77' },
    );
    const http = (
      cfg.receivers.get('otlp')!.config as {
        protocols: { http: { endpoint: { host: string; port: number }; logs_url_path: string } };
      }
    ).protocols.http;
    expect(http.endpoint).toEqual({ host: '127.0.0.1', port: 4999 });
    expect(http.logs_url_path).toBe('/fallback/seg/$x');
    expect((cfg.processors.get('batch')!.config as { send_batch_size: number }).send_batch_size).toBe(77);
  });

  it('names an environment variable that is not set', () => {
    const errs = errorsOf(`
extensions:
  bearertokenauth: { token: "\${env:NO_SUCH_TOKEN}" }
service:
  extensions: [bearertokenauth]
  pipelines: {}
`);
    expect(
      errs.some((e) =>
        e.startsWith('extensions::bearertokenauth::token: environment variable "NO_SUCH_TOKEN" is not set'),
      ),
    ).toBe(true);
  });

  it('reports YAML syntax errors with their line', () => {
    const errs = errorsOf('receivers:\n  otlp: [\n');
    expect(errs[0]).toMatch(/YAML syntax error/);
    expect(errs[0]).toMatch(/\(line \d+\)/);
  });
});
