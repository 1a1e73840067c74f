// The console's Health page data (GET /api/console/health): the collector's
// own counters, read from the same Prometheus text /metrics serves, so it
// follows whatever registry produces that text. Names are matched on their
// stem, so `auditline_receiver_accepted_log_records_total` and
// `otelcol_receiver_accepted_log_records` both count as accepted.

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface HealthBody {
  uptime_seconds: number;
  totals: {
    accepted: number;
    refused: number;
    rejected: number;
    dropped: number;
    filtered: number;
    sent: number;
    send_failed: number;
    enqueue_failed: number;
    stream_subscribers_dropped: number;
  };
  /** One row per exporter (and delivery log): current queue depth and capacity when known. */
  queues: { exporter: string; log: string | null; size: number; capacity: number | null }[];
  /** Every sample, for the full table. */
  metrics: MetricSample[];
}

const TOTALS: Record<keyof HealthBody['totals'], string> = {
  accepted: 'receiver_accepted_log_records',
  refused: 'receiver_refused_log_records',
  rejected: 'receiver_rejected_log_records',
  dropped: 'processor_dropped_log_records',
  filtered: 'processor_filter_logs_filtered', // the filter processor's otelcol_processor_filter_logs_filtered_total
  sent: 'exporter_sent_log_records',
  send_failed: 'exporter_send_failed_log_records',
  enqueue_failed: 'exporter_enqueue_failed_log_records',
  stream_subscribers_dropped: 'stream_subscribers_dropped',
};

/** `otelcol_exporter_queue_size` → `exporter_queue_size`; `…_total` loses its suffix. */
export function metricStem(name: string): string {
  return name.replace(/^(auditline|otelcol)_/, '').replace(/_total$/, '');
}

/** Samples of the Prometheus text exposition format (comments and malformed lines skipped). */
export function parsePrometheus(text: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = Number(m[4]);
    if (Number.isNaN(value)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}

export function healthBody(prometheusText: string, uptimeSeconds: number): HealthBody {
  const metrics = parsePrometheus(prometheusText);
  const totals = {} as HealthBody['totals'];
  for (const [k, stem] of Object.entries(TOTALS) as [keyof HealthBody['totals'], string][]) {
    totals[k] = metrics.filter((s) => metricStem(s.name) === stem).reduce((a, s) => a + s.value, 0);
  }
  const queues = new Map<string, HealthBody['queues'][number]>();
  for (const s of metrics) {
    const stem = metricStem(s.name);
    if (stem !== 'exporter_queue_size' && stem !== 'exporter_queue_capacity') continue;
    const exporter = s.labels.exporter ?? s.labels.component ?? '?';
    const log = s.labels.log ?? null;
    const key = `${exporter}\0${log ?? ''}`;
    const q = queues.get(key) ?? { exporter, log, size: 0, capacity: null };
    if (stem === 'exporter_queue_size') q.size = s.value;
    else q.capacity = s.value;
    queues.set(key, q);
  }
  return { uptime_seconds: Math.round(uptimeSeconds), totals, queues: [...queues.values()], metrics };
}
