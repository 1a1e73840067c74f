// The Prometheus exposition of the collector's own telemetry, through
// prom-client: the Telemetry store's series (this thread's and every pipeline
// worker's, summed) become prom-client counters and gauges at each scrape,
// beside the Collector's process metrics and, from level `normal`, prom-client's
// default Node.js process metrics. One registry per Telemetry, so the metrics
// endpoint and the query API's /metrics serve the same text.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Series, Telemetry } from './metrics.js';

export const METRICS_LEVELS = ['none', 'basic', 'normal', 'detailed'] as const;
export type MetricsLevel = (typeof METRICS_LEVELS)[number];

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

interface Bridged {
  metric: Counter | Gauge;
  kind: Series['kind'];
  labels: Set<string>;
}

export class PrometheusExposition {
  private readonly registry = new Registry();
  private readonly bridged = new Map<string, Bridged>();

  constructor(private readonly telemetry: Telemetry) {
    registerProcessMetrics(this.registry);
    if (telemetry.level !== 'none' && telemetry.level !== 'basic') collectDefaultMetrics({ register: this.registry });
  }

  async text(): Promise<string> {
    if (this.telemetry.level === 'none') return '';
    this.sync();
    return this.registry.metrics();
  }

  /** Mirrors the store into prom-client metrics; a metric whose label names grew is registered anew. */
  private sync(): void {
    const byName = new Map<string, Series[]>();
    for (const s of this.telemetry.allSeries()) {
      const list = byName.get(s.name);
      if (list) list.push(s);
      else byName.set(s.name, [s]);
    }
    for (const name of this.bridged.keys()) {
      if (!byName.has(name)) this.drop(name);
    }
    for (const [name, list] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
      const b = this.bridge(name, list);
      b.metric.reset();
      for (const s of list) {
        if (b.kind === 'counter') (b.metric as Counter).inc(s.labels, Math.max(0, s.value));
        else (b.metric as Gauge).set(s.labels, s.value);
      }
    }
  }

  private bridge(name: string, list: Series[]): Bridged {
    const kind = list[0]!.kind;
    const labels = new Set(list.flatMap((s) => Object.keys(s.labels)));
    const known = this.bridged.get(name);
    if (known && known.kind === kind && [...labels].every((l) => known.labels.has(l))) return known;
    if (known) this.drop(name);
    for (const l of known?.labels ?? []) labels.add(l);
    const config = {
      name,
      help: this.telemetry.helpOf(name) ?? `Auditline metric ${name}.`,
      labelNames: [...labels].sort(),
      registers: [this.registry],
    };
    const b: Bridged = { metric: kind === 'counter' ? new Counter(config) : new Gauge(config), kind, labels };
    this.bridged.set(name, b);
    return b;
  }

  private drop(name: string): void {
    this.registry.removeSingleMetric(name);
    this.bridged.delete(name);
  }
}

/** The Collector's process metrics, named as its Prometheus endpoint shows them (unit and `_total` suffixes). */
function registerProcessMetrics(registry: Registry): void {
  const registers = [registry];
  new Counter({
    name: 'otelcol_process_uptime_seconds_total',
    help: 'Uptime of the process in seconds.',
    registers,
    collect() {
      this.reset();
      this.inc(process.uptime());
    },
  });
  new Counter({
    name: 'otelcol_process_cpu_seconds_total',
    help: 'Total CPU user and system time in seconds.',
    registers,
    collect() {
      const u = process.cpuUsage();
      this.reset();
      this.inc((u.user + u.system) / 1e6);
    },
  });
  new Gauge({
    name: 'otelcol_process_memory_rss_bytes',
    help: 'Total physical memory (resident set size) in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'otelcol_process_runtime_heap_alloc_bytes',
    help: 'Bytes of allocated heap objects (V8 heap used, main thread).',
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
}
