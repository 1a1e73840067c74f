// `service.telemetry` in the Collector's shape: `logs` (level, encoding,
// output_paths, initial_fields) and `metrics` (level and where the Prometheus
// endpoint listens: the legacy `address`, or `readers` with a pull Prometheus
// exporter). Without either, the endpoint listens on localhost:8888 as the Collector's does.
import {
  bool,
  def,
  endpoint,
  ignored,
  list,
  obj,
  oneOf,
  opt,
  record,
  str,
  type Endpoint,
  type Spec,
  type SpecOutput,
} from '../config/schema.js';
import type { InternalLevel } from './logger.js';
import { METRICS_LEVELS } from './prometheus.js';

const LEVELS: Record<string, InternalLevel> = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
};

/** `level`, in any case (`INFO`, `info`); `warning` is taken for `warn`. */
function logLevel(): Spec<InternalLevel> {
  return {
    shape: 'debug | info | warn | error',
    parse(v, p, is) {
      const level = LEVELS[String(v).toLowerCase()];
      if (!level) {
        is.push({ path: p, message: 'must be one of debug, info, warn, error' });
        return undefined;
      }
      return level;
    },
  };
}

/** A value of `initial_fields`: a string, number or boolean. */
function scalar(): Spec<string | number | boolean> {
  return {
    shape: 'string, number or boolean',
    parse(v, p, is) {
      if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
      is.push({ path: p, message: 'must be a string, number or boolean' });
      return undefined;
    },
  };
}

const NO_ZAP = "Auditline's logger has no such option";

export const telemetryLogsSpec = obj({
  level: def(logLevel(), 'info' as InternalLevel),
  encoding: def(oneOf(['console', 'json'] as const), 'console'),
  output_paths: def(list(str({ nonEmpty: true }), { nonEmpty: true }), ['stderr']),
  error_output_paths: def(list(str({ nonEmpty: true }), { nonEmpty: true }), ['stderr']),
  initial_fields: def(record(scalar()), {}),
  development: ignored(NO_ZAP, bool()),
  disable_caller: ignored(NO_ZAP, bool()),
  disable_stacktrace: ignored(NO_ZAP, bool()),
  sampling: ignored('failure logs are rate-limited per kind instead'),
  processors: ignored('the collector does not export its own logs over OTLP'),
});

const SAME_NAMES = "names are always as the Collector's endpoint shows them by default";
const prometheusSpec = obj({
  host: def(str({ nonEmpty: true }), 'localhost'),
  port: def(intPort(), 8888),
  without_units: ignored(SAME_NAMES),
  without_type_suffix: ignored(SAME_NAMES),
  without_scope_info: ignored(SAME_NAMES),
  with_resource_constant_labels: ignored(SAME_NAMES),
});

function intPort(): Spec<number> {
  return {
    shape: 'port (0 to 65535)',
    parse(v, p, is) {
      const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
        is.push({ path: p, message: 'must be a port from 0 to 65535' });
        return undefined;
      }
      return n;
    },
  };
}

const readerSpec = obj(
  {
    pull: opt(obj({ exporter: opt(obj({ prometheus: opt(prometheusSpec) })) })),
    periodic: ignored(
      'the metrics are served to be pulled: readers: [{ pull: { exporter: { prometheus: { host, port } } } }]',
    ),
  },
  (r, add) => {
    if (r.pull && !r.pull.exporter?.prometheus) add('pull', 'must be { exporter: { prometheus: { host, port } } }');
  },
);

export const telemetryMetricsSpec = obj(
  {
    level: def(oneOf(METRICS_LEVELS), 'normal'),
    address: opt(endpoint()),
    readers: opt(list(readerSpec)),
    views: ignored('metrics cannot be renamed or dropped'),
  },
  (m, add) => {
    if (m.address && m.readers) add(null, 'set either address (legacy) or readers, not both');
  },
);

export const telemetrySpec = obj({
  logs: def(telemetryLogsSpec, () => telemetryLogsSpec.parse({}, [], [])!),
  metrics: def(telemetryMetricsSpec, () => telemetryMetricsSpec.parse({}, [], [])!),
  resource: ignored('no resource attributes are added to the metrics or logs'),
  traces: ignored('the collector does not trace itself'),
});

export type TelemetryLogsConfig = SpecOutput<typeof telemetryLogsSpec>;
export type TelemetryConfig = SpecOutput<typeof telemetrySpec>;

/** Where the metrics endpoint listens; `explicit` when the config names it (then a busy port fails the start). */
export interface MetricsEndpointPlan {
  endpoints: Endpoint[];
  explicit: boolean;
}

export const DEFAULT_METRICS_ENDPOINT: Endpoint = { host: 'localhost', port: 8888 };

export function metricsEndpoints(t: TelemetryConfig): MetricsEndpointPlan {
  const m = t.metrics;
  if (m.level === 'none') return { endpoints: [], explicit: true };
  if (m.readers) {
    const endpoints = m.readers.flatMap((r) => (r.pull?.exporter?.prometheus ? [r.pull.exporter.prometheus] : []));
    return { endpoints, explicit: true };
  }
  if (m.address) return { endpoints: [m.address], explicit: true };
  return { endpoints: [DEFAULT_METRICS_ENDPOINT], explicit: false };
}

export function defaultTelemetryConfig(): TelemetryConfig {
  return telemetrySpec.parse({}, [], [])!;
}
