// `service` through the spec DSL: every problem in pipelines, extensions,
// telemetry, delivery and workers at once, each with its YAML path and line;
// service.telemetry in the Collector's shapes (legacy `address` and `readers`).
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/components.js';
import { ConfigError, loadConfigText } from '../../src/config/load.js';
import { formatIssue } from '../../src/config/schema.js';
import { metricsEndpoints } from '../../src/telemetry/config.js';

const registry = defaultRegistry();

function errorsOf(yaml: string): string[] {
  try {
    loadConfigText(yaml, registry, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map(formatIssue);
    throw err;
  }
  throw new Error('expected the config to be refused');
}

const BASE = `receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:0" } } }
exporters:
  console: {}
  file: { path: ./out.jsonl }
extensions:
  health_check: {}
  file_storage: { directory: ./state }
`;

describe('service spec', () => {
  it('names every problem of the service section at once, with path and line', () => {
    const errs = errorsOf(`${BASE}service:
  extensions: [health_check, health_check, nope]
  workers: 65
  color: blue
  delivery: { storage: file_storage, memory_limit_mib: 0 }
  telemetry:
    logs: { level: loud, encoding: xml, output_paths: [], initial_fields: { a: [1] } }
    metrics: { level: chatty, address: "localhost" }
    tracez: {}
  pipelines:
    logs:
      receivers: [otlp, ghost]
      exporters: [console, file]
      extra: 1
    metrics: { receivers: [otlp], exporters: [console] }
    logs/empty: {}
`);
    expect(errs).toEqual(
      expect.arrayContaining([
        'service::color: unknown key (expected one of: extensions, pipelines, telemetry, workers, delivery) (line 12)',
        'service::extensions::1: extension "health_check" is listed twice (line 10)',
        'service::extensions::2: references extension "nope" which is not configured (line 10)',
        'service::workers: must be an integer from 0 to 64 (line 11)',
        'service::delivery::memory_limit_mib: must be a positive integer (line 13)',
        'service::telemetry::logs::level: must be one of debug, info, warn, error (line 15)',
        'service::telemetry::logs::encoding: must be one of console, json (line 15)',
        'service::telemetry::logs::output_paths: must not be empty (line 15)',
        'service::telemetry::logs::initial_fields::a: must be a string, number or boolean (line 15)',
        'service::telemetry::metrics::level: must be one of none, basic, normal, detailed (line 16)',
        'service::telemetry::metrics::address: must be host:port with a port from 0 to 65535 (line 16)',
        'service::telemetry::tracez: unknown key (expected one of: logs, metrics, resource, traces) (line 17)',
        'service::pipelines::logs::receivers::1: references receiver "ghost" which is not configured (line 20)',
        'service::pipelines::logs::extra: unknown key (expected one of: receivers, processors, exporters) (line 22)',
        'service::pipelines::logs/empty::receivers: must list at least one receiver (line 24)',
        'service::pipelines::logs/empty::exporters: must list at least one exporter (line 24)',
      ]),
    );
    expect(errs.filter((e) => e.startsWith('service::delivery::storage'))).toEqual([
      'service::delivery::storage: extension "file_storage" must also be listed in service.extensions (line 13)',
    ]);
  });

  it('keeps the messages for a missing service, a service that is not a map, and missing pipelines', () => {
    expect(errorsOf(BASE)).toEqual(['service: is required (with pipelines) (line 1)']);
    expect(errorsOf(`${BASE}service: [logs]\n`)).toEqual(['service: must be a map (line 9)']);
    expect(errorsOf(`${BASE}service: { extensions: [health_check] }\n`)).toEqual([
      'service::pipelines: must define at least one logs pipeline (logs or logs/<name>) (line 9)',
    ]);
    expect(
      errorsOf(`${BASE}service: { workers: 65, pipelines: { logs: { receivers: [otlp], exporters: [console] } } }\n`),
    ).toEqual(['service::workers: must be an integer from 0 to 64 (line 9)']);
  });

  it("reads service.telemetry in the Collector's shapes", () => {
    const load = (telemetry: string) =>
      loadConfigText(
        `${BASE}service:
  telemetry:
${telemetry}
  pipelines: { logs: { receivers: [otlp], exporters: [console] } }
`,
        registry,
        {},
      );
    const defaults = load('    logs: {}');
    expect(defaults.telemetry.logs).toMatchObject({
      level: 'info',
      encoding: 'console',
      output_paths: ['stderr'],
      initial_fields: {},
    });
    expect(metricsEndpoints(defaults.telemetry)).toEqual({
      endpoints: [{ host: 'localhost', port: 8888 }],
      explicit: false,
    });

    const legacy = load(
      '    logs: { level: WARN, encoding: json, output_paths: [stdout, /var/log/a.log], initial_fields: { env: prod, shard: 2 } }\n    metrics: { address: ":9999", level: basic }',
    );
    expect(legacy.logLevel).toBe('warn');
    expect(legacy.telemetry.logs).toMatchObject({
      encoding: 'json',
      output_paths: ['stdout', '/var/log/a.log'],
      initial_fields: { env: 'prod', shard: 2 },
    });
    expect(legacy.telemetry.metrics.level).toBe('basic');
    expect(metricsEndpoints(legacy.telemetry)).toEqual({
      endpoints: [{ host: '0.0.0.0', port: 9999 }],
      explicit: true,
    });

    const readers = load(`    metrics:
      readers:
        - pull: { exporter: { prometheus: { host: 0.0.0.0, port: 8889 } } }
        - pull: { exporter: { prometheus: { port: 9464 } } }`);
    expect(metricsEndpoints(readers.telemetry).endpoints).toEqual([
      { host: '0.0.0.0', port: 8889 },
      { host: 'localhost', port: 9464 },
    ]);
    expect(metricsEndpoints(load('    metrics: { level: none }').telemetry).endpoints).toEqual([]);
  });

  it("loads the Collector's telemetry options it cannot apply with one warning each", () => {
    const cfg = loadConfigText(
      `${BASE}service:
  telemetry:
    logs: { development: true, sampling: { initial: 5 }, disable_caller: true }
    metrics:
      views: [{ selector: { instrument_name: x } }]
      readers:
        - periodic: { exporter: { otlp: { endpoint: http://x:4317 } } }
        - pull: { exporter: { prometheus: { host: 127.0.0.1, port: 9465, without_units: true } } }
    traces: { processors: [] }
    resource: { service.name: edge }
  pipelines: { logs: { receivers: [otlp], exporters: [console] } }
`,
      registry,
      {},
    );
    expect(cfg.warnings.map(formatIssue)).toEqual([
      "service::telemetry::logs::development: ignored (Auditline's logger has no such option) (line 11)",
      "service::telemetry::logs::disable_caller: ignored (Auditline's logger has no such option) (line 11)",
      'service::telemetry::logs::sampling: ignored (failure logs are rate-limited per kind instead) (line 11)',
      'service::telemetry::metrics::views: ignored (metrics cannot be renamed or dropped) (line 13)',
      'service::telemetry::metrics::readers::0::periodic: ignored (the metrics are served to be pulled: readers: [{ pull: { exporter: { prometheus: { host, port } } } }]) (line 15)',
      "service::telemetry::metrics::readers::1::pull::exporter::prometheus::without_units: ignored (names are always as the Collector's endpoint shows them by default) (line 16)",
      'service::telemetry::traces: ignored (the collector does not trace itself) (line 17)',
      'service::telemetry::resource: ignored (no resource attributes are added to the metrics or logs) (line 18)',
    ]);
    expect(metricsEndpoints(cfg.telemetry).endpoints).toEqual([{ host: '127.0.0.1', port: 9465 }]);
  });

  it('refuses metrics readers it cannot serve, and address with readers', () => {
    const errs = errorsOf(`${BASE}service:
  telemetry:
    metrics:
      readers:
        - pull: { exporter: { prometheus: { port: 99999 } } }
        - pull: { exporter: { otlp: {} } }
        - pull: {}
  pipelines: { logs: { receivers: [otlp], exporters: [console] } }
`);
    expect(errs).toEqual([
      'service::telemetry::metrics::readers::0::pull::exporter::prometheus::port: must be a port from 0 to 65535 (line 13)',
      'service::telemetry::metrics::readers::1::pull::exporter::otlp: unknown key (expected one of: prometheus) (line 14)',
      'service::telemetry::metrics::readers::2::pull: must be { exporter: { prometheus: { host, port } } } (line 15)',
    ]);
    expect(
      errorsOf(`${BASE}service:
  telemetry: { metrics: { address: "localhost:1", readers: [] } }
  pipelines: { logs: { receivers: [otlp], exporters: [console] } }
`),
    ).toEqual(['service::telemetry::metrics: set either address (legacy) or readers, not both (line 10)']);
  });
});
