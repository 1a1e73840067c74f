// Self-telemetry: monotonic counters and gauges keyed by name and labels.
// Every drop, refusal and failure in the collector increments one of these.
// Pipeline workers send their series to the main thread (setExternal), where
// reads sum them; prometheus.ts turns the sum into prom-client metrics for the
// metrics endpoint (service.telemetry.metrics) and the query API's /metrics.
import { PrometheusExposition, type MetricsLevel } from './prometheus.js';

export type Labels = Record<string, string>;

export interface Series {
  name: string;
  labels: Labels;
  value: number;
  kind: 'counter' | 'gauge';
}

export class Telemetry {
  private readonly series = new Map<string, Series>();
  private readonly help = new Map<string, string>(Object.entries(HELP));
  private exposition?: PrometheusExposition;
  /** `service.telemetry.metrics.level`: what the Prometheus exposition includes. */
  level: MetricsLevel = 'normal';
  /** The latest series of each pipeline worker, summed into every read. */
  private readonly external = new Map<string, Series[]>();
  /** Bumped on every change, so a worker sends its series only when they moved. */
  version = 0;

  /** Adds to a counter. */
  add(name: string, value: number, labels: Labels = {}): void {
    if (value === 0) return;
    this.get(name, labels, 'counter').value += value;
    this.version++;
  }

  /** A counter bound to one label set, for hot paths: adding skips building the series key (bench/telemetry.ts). */
  counter(name: string, labels: Labels = {}): (value: number) => void {
    const series = this.get(name, labels, 'counter');
    return (value) => {
      if (value === 0) return;
      series.value += value;
      this.version++;
    };
  }

  /** Sets a gauge. */
  set(name: string, value: number, labels: Labels = {}): void {
    const s = this.get(name, labels, 'gauge');
    if (s.value !== value) {
      s.value = value;
      this.version++;
    }
  }

  /** Replaces the series reported by another thread (`source`); reads add them to this thread's own. */
  setExternal(source: string, series: Series[]): void {
    this.external.set(source, series);
  }

  /** This thread's own series, for sending to the main thread. */
  ownSeries(): Series[] {
    return [...this.series.values()].map((s) => ({ ...s }));
  }

  /** Own and external series, summed per name and label set. */
  private all(): Map<string, Series> {
    if (this.external.size === 0) return this.series;
    const sum = new Map<string, Series>();
    for (const s of this.series.values()) sum.set(key(s.name, s.labels), { ...s });
    for (const list of this.external.values()) {
      for (const s of list) {
        const k = key(s.name, s.labels);
        const t = sum.get(k);
        if (t) t.value += s.value;
        else sum.set(k, { ...s });
      }
    }
    return sum;
  }

  describe(name: string, help: string): void {
    this.help.set(name, help);
  }

  /** Current value (0 when never touched). */
  value(name: string, labels: Labels = {}): number {
    return this.all().get(key(name, labels))?.value ?? 0;
  }

  /** Sum over every label set of one metric. */
  total(name: string): number {
    let t = 0;
    for (const s of this.all().values()) if (s.name === name) t += s.value;
    return t;
  }

  snapshot(): { name: string; labels: Labels; value: number }[] {
    return [...this.all().values()].map(({ name, labels, value }) => ({ name, labels, value }));
  }

  /** Own and external series with their kind, summed per name and label set. */
  allSeries(): Series[] {
    return [...this.all().values()].map((s) => ({ ...s, labels: { ...s.labels } }));
  }

  /** HELP text for `name`, if described. */
  helpOf(name: string): string | undefined {
    return this.help.get(name);
  }

  /**
   * Sets the metrics level and builds the prom-client registry now, so that process metrics counted
   * from this moment (prom-client's CPU counters) cover the whole run. Done once, on the main thread.
   */
  expose(level: MetricsLevel): void {
    this.level = level;
    this.exposition ??= new PrometheusExposition(this);
  }

  /** The Prometheus text exposition (prom-client), as served at /metrics. */
  prometheus(): Promise<string> {
    this.exposition ??= new PrometheusExposition(this);
    return this.exposition.text();
  }

  private get(name: string, labels: Labels, kind: Series['kind']): Series {
    const k = key(name, labels);
    let s = this.series.get(k);
    if (!s) {
      s = { name, labels, value: 0, kind };
      this.series.set(k, s);
    }
    return s;
  }
}

function key(name: string, labels: Labels): string {
  let k = name;
  for (const l of Object.keys(labels).sort()) k += `\0${l}=${labels[l]}`;
  return k;
}

/**
 * Metric names, so producers and readers agree. `otelcol_*` where the Collector has the same metric, spelled
 * as its Prometheus endpoint shows it by default (counters end in `_total`); `auditline_*` for our own.
 */
export const M = {
  receiverAccepted: 'otelcol_receiver_accepted_log_records_total',
  receiverRefused: 'otelcol_receiver_refused_log_records_total',
  /** Invalid records dropped and reported as `partial_success` (the Collector has no such metric). */
  receiverRejected: 'auditline_receiver_rejected_log_records_total',
  processorIncoming: 'otelcol_processor_incoming_items_total',
  processorOutgoing: 'otelcol_processor_outgoing_items_total',
  processorDropped: 'otelcol_processor_dropped_log_records_total',
  /** Records a processor refused with backpressure (memory_limiter); the sender is expected to retry. */
  processorRefused: 'otelcol_processor_refused_log_records_total',
  /** Records a filter processor removed on purpose (not a loss). */
  processorFiltered: 'otelcol_processor_filter_logs_filtered_total',
  redacted: 'auditline_redaction_masked_values_total',
  exporterSent: 'otelcol_exporter_sent_log_records_total',
  exporterFailed: 'otelcol_exporter_send_failed_log_records_total',
  exporterRetries: 'auditline_exporter_retries_total',
  exporterEnqueueFailed: 'otelcol_exporter_enqueue_failed_log_records_total',
  queueSize: 'otelcol_exporter_queue_size',
  queueCapacity: 'otelcol_exporter_queue_capacity',
  streamDropped: 'auditline_stream_subscribers_dropped_total',
  /** Request bodies handed to each pipeline worker (service.workers). */
  workerRequests: 'auditline_pipeline_worker_requests_total',
} as const;

/** HELP text of the metrics above; components describe their own with `Telemetry.describe`. */
export const HELP: Record<string, string> = {
  [M.receiverAccepted]: 'Number of log records successfully pushed into the pipeline.',
  [M.receiverRefused]:
    'Number of log records that could not be pushed into the pipeline (the sender was told to retry).',
  [M.receiverRejected]: 'Invalid log records dropped and reported to the sender as partial_success.',
  [M.processorIncoming]: 'Number of items passed to the processor.',
  [M.processorOutgoing]: 'Number of items emitted from the processor.',
  [M.processorDropped]: 'Number of log records dropped by the processor.',
  [M.processorRefused]: 'Number of log records the processor refused with backpressure (memory_limiter).',
  [M.processorFiltered]: 'Number of logs dropped by the filter processor.',
  [M.redacted]: 'Values masked by the redaction processor.',
  [M.exporterSent]: 'Number of log records successfully sent to destination.',
  [M.exporterFailed]: 'Number of log records in failed attempts to send to destination.',
  [M.exporterRetries]: 'Export attempts retried after a retryable failure.',
  [M.exporterEnqueueFailed]: 'Number of log records failed to be added to the sending queue.',
  [M.queueSize]:
    'Current size of the sending queue or delivery log backlog (in batches for a sending queue, records for a log).',
  [M.queueCapacity]: 'Fixed capacity of the sending queue (in batches).',
  [M.streamDropped]: 'Live stream subscribers disconnected because they could not keep up.',
  [M.workerRequests]: 'Request bodies handed to each pipeline worker.',
};
