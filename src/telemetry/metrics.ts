// Self-telemetry: monotonic counters and gauges keyed by name and labels.
// Every drop, refusal and failure in the collector increments one of these;
// the query API serves them in Prometheus text format at /metrics.

export type Labels = Record<string, string>;

export interface Series { name: string; labels: Labels; value: number; kind: 'counter' | 'gauge' }

export class Telemetry {
  private readonly series = new Map<string, Series>();
  private readonly help = new Map<string, string>();
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

  /** Sets a gauge. */
  set(name: string, value: number, labels: Labels = {}): void {
    const s = this.get(name, labels, 'gauge');
    if (s.value !== value) { s.value = value; this.version++; }
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

  describe(name: string, help: string): void { this.help.set(name, help); }

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

  /** Prometheus text exposition format. */
  toPrometheus(): string {
    const byName = new Map<string, Series[]>();
    for (const s of this.all().values()) {
      const l = byName.get(s.name) ?? [];
      l.push(s);
      byName.set(s.name, l);
    }
    let out = '';
    for (const [name, list] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
      const help = this.help.get(name);
      if (help) out += `# HELP ${name} ${help}\n`;
      out += `# TYPE ${name} ${list[0]!.kind}\n`;
      for (const s of list) {
        const l = Object.entries(s.labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`);
        out += `${name}${l.length ? `{${l.join(',')}}` : ''} ${s.value}\n`;
      }
    }
    return out;
  }

  private get(name: string, labels: Labels, kind: Series['kind']): Series {
    const k = key(name, labels);
    let s = this.series.get(k);
    if (!s) { s = { name, labels, value: 0, kind }; this.series.set(k, s); }
    return s;
  }
}

function key(name: string, labels: Labels): string {
  let k = name;
  for (const l of Object.keys(labels).sort()) k += `\0${l}=${labels[l]}`;
  return k;
}

/** Metric names, so producers and readers agree. */
export const M = {
  receiverAccepted: 'auditline_receiver_accepted_log_records_total',
  receiverRefused: 'auditline_receiver_refused_log_records_total',
  receiverRejected: 'auditline_receiver_rejected_log_records_total',
  processorDropped: 'auditline_processor_dropped_log_records_total',
  /** Records a processor refused with backpressure (memory_limiter); the sender is expected to retry. */
  processorRefused: 'auditline_processor_refused_log_records_total',
  /** Records a filter processor removed on purpose (not a loss). */
  processorFiltered: 'auditline_processor_filtered_log_records_total',
  redacted: 'auditline_redaction_masked_values_total',
  exporterSent: 'auditline_exporter_sent_log_records_total',
  exporterFailed: 'auditline_exporter_send_failed_log_records_total',
  exporterRetries: 'auditline_exporter_retries_total',
  exporterEnqueueFailed: 'auditline_exporter_enqueue_failed_log_records_total',
  queueSize: 'auditline_exporter_queue_size',
  queueCapacity: 'auditline_exporter_queue_capacity',
  streamDropped: 'auditline_stream_subscribers_dropped_total',
  /** Request bodies handed to each pipeline worker (service.workers). */
  workerRequests: 'auditline_pipeline_worker_requests_total',
} as const;
