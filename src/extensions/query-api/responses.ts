// Shapes of query API responses that the `auditline logs` commands read; the
// Redis exporter's queries produce them (exporters/redis/queries.ts).

export interface EventStats {
  hours: number;
  total_events: number;
  events: { event: string; count: number }[];
  requests: { total: number; by_status: Record<string, number> };
  errors: Record<string, number>;
}

export interface Metrics {
  hours: number;
  hostname: string | null;
  requests: number;
  requests_per_second: number;
  error_rate: number;
  p50_response_time: number | null;
  p95_response_time: number | null;
  p99_response_time: number | null;
  unique_visitors: number;
  /** Response-time samples the percentiles were computed from (all of them up to MAX_SAMPLES). */
  samples: number;
}

/** One normalised path pattern and how often it was requested (GET /logs/paths, docs/query-api.md). */
export interface PathPattern {
  pattern: string;
  count: number;
  /** The same count by HTTP method. */
  methods: Record<string, number>;
}

export interface PathPatterns {
  hours: number;
  /** Requests counted over every pattern seen in the window (not only the `limit` returned). */
  total: number;
  /** Most requested first; ties by pattern. */
  patterns: PathPattern[];
  /** More than MAX_PATH_PAIRS method:route pairs were used in the window; only the most recently used were counted. */
  truncated: boolean;
}
