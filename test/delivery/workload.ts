// The senders of the conservation suite: the official OTel log exporters
// (proto, JSON, gRPC) each driven by one lane that exports one batch at a
// time, and a ledger of what happened to every record id. A record is
// `acked` when its export called back SUCCESS; `unknown` when the export
// failed in a way that does not tell whether the collector kept it (a
// connection closed or refused mid-request, a timeout); `refused` when every
// attempt of its export got a complete non-2xx answer (seen through the proxy,
// see proxy.ts). Records are a seeded, randomised mix of audit events, job
// records and HTTP request records, with and without `collection`; each
// carries a unique id in attribute `test.id` and in its body.
import { SeverityNumber, type LogAttributes } from '@opentelemetry/api-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { sleep } from './harness.js';

/** mulberry32: small, seedable, good enough to shuffle a workload. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: CONSERVATION_SEED, else random. Printed with every failure. */
export function pickSeed(): number {
  const env = process.env['CONSERVATION_SEED'];
  return env ? Number(env) : Math.floor(Math.random() * 2 ** 31);
}

export type Kind = 'audit' | 'job' | 'http';

/** Ids look like `cv3f9a1k-000042`: letters, digits and one dash, which no redaction rule touches. */
export const ID_RE = /\bcv[0-9a-z]+-\d{6,}\b/;

const EVENTS = ['search_request', 'item_request', 'session_init', 'client_event', 'add_model'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = [
  '/api/items/123',
  '/api/items/456/details',
  '/api/search',
  '/login',
  '/health',
  '/api/users/42/orders/7',
];
const STATUS = [200, 200, 200, 201, 204, 301, 400, 404, 500, 503];
// Few client IPs and millisecond timestamps drawn from a narrow window: many HTTP records share a
// (millisecond, client IP) pair across batches, the case that overwrote one `req:` hash.
const IPS = ['10.0.0.1', '10.0.0.2', '192.168.1.7', '172.16.5.9'];
const COLLECTIONS = ['alpha', 'beta'];

export class Workload {
  private n = 0;
  readonly random: () => number;
  readonly tag: string;
  private readonly base = Date.now();
  private readonly resource: Resource;
  /** Id → kind, for every record handed to an exporter. */
  readonly kinds = new Map<string, Kind>();

  constructor(readonly seed: number) {
    this.random = rng(seed);
    this.tag = `cv${seed.toString(36)}`;
    this.resource = resourceFromAttributes({ 'service.name': 'conservation', 'host.name': 'test-host' });
  }

  private pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.random() * a.length)]!;
  }

  next(): ReadableLogRecord {
    const id = `${this.tag}-${String(this.n++).padStart(6, '0')}`;
    const r = this.random();
    const kind: Kind = r < 0.4 ? 'audit' : r < 0.6 ? 'job' : 'http';
    this.kinds.set(id, kind);
    const c = this.random();
    const attributes: LogAttributes = { 'test.id': id };
    if (c < 0.4) attributes['collection'] = COLLECTIONS[0]!;
    else if (c < 0.7) attributes['collection'] = COLLECTIONS[1]!;
    let eventName: string | undefined;
    let body: string;
    // Timestamps move forward with the wall clock but bunch up on whole milliseconds.
    const ms = this.base + Math.floor(this.n / 50) + Math.floor(this.random() * 20);
    if (kind === 'audit') {
      eventName = this.pick(EVENTS);
      attributes['session.id'] = `s-${Math.floor(this.random() * 50)}`;
      attributes['user.email'] = 'alice@example.com'; // masked by redaction; proves it ran
      body = `audit ${id}`;
    } else if (kind === 'job') {
      attributes['job.id'] = `job-${Math.floor(this.random() * 20)}`;
      attributes['job.progress.current'] = Math.floor(this.random() * 100);
      attributes['job.progress.total'] = 100;
      body = `job ${id}`;
    } else {
      attributes['http.request.method'] = this.pick(METHODS);
      attributes['url.path'] = this.pick(PATHS);
      attributes['http.response.status_code'] = this.pick(STATUS);
      attributes['client.address'] = this.pick(IPS);
      attributes['server.address'] = 'api.example.test';
      attributes['duration_ms'] = Math.floor(this.random() * 1500);
      attributes['user_agent.original'] = 'conservation/1.0';
      body = `request ${id}`;
    }
    const t: [number, number] = [Math.floor(ms / 1000), (ms % 1000) * 1e6];
    return {
      hrTime: t,
      hrTimeObserved: t,
      spanContext: undefined,
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body,
      eventName,
      resource: this.resource,
      instrumentationScope: { name: 'conservation' },
      attributes,
      droppedAttributesCount: 0,
    };
  }
}

export type Protocol = 'proto' | 'json' | 'grpc';

export interface ExportEntry {
  seq: number;
  lane: number;
  ids: string[];
  /** Ledger phase when the export was started (see Ledger.mark). */
  phase: number;
  state: 'pending' | 'acked' | 'failed';
  error?: string;
}

/** What was sent, what was acknowledged, and what is unknown, per record id. */
export class Ledger {
  readonly exports: ExportEntry[] = [];
  readonly acked = new Set<string>();
  /** Phase counter; exports remember the phase they started in. */
  phase = 0;
  /** Export seqs every attempt of which got a complete non-2xx answer (filled by the proxy). */
  readonly refusedSeqs = new Set<number>();

  mark(): number {
    return ++this.phase;
  }

  sentIds(): Set<string> {
    const s = new Set<string>();
    for (const e of this.exports) for (const id of e.ids) s.add(id);
    return s;
  }

  /** Ids of failed exports: refused when the proxy saw only complete refusals, else unknown. */
  failed(): { refused: Set<string>; unknown: Set<string> } {
    const refused = new Set<string>();
    const unknown = new Set<string>();
    for (const e of this.exports) {
      if (e.state === 'acked') continue;
      const into = e.state === 'failed' && this.refusedSeqs.has(e.seq) ? refused : unknown;
      for (const id of e.ids) into.add(id);
    }
    return { refused, unknown };
  }

  counts() {
    let acked = 0,
      failed = 0,
      pending = 0;
    for (const e of this.exports) {
      if (e.state === 'acked') acked += e.ids.length;
      else if (e.state === 'failed') failed += e.ids.length;
      else pending += e.ids.length;
    }
    return { exports: this.exports.length, acked, failed, pending };
  }
}

export interface LoadOptions {
  /** Collector HTTP and gRPC ports; `httpUrl` overrides where HTTP lanes send (a proxy). */
  ports: { http: number; grpc: number };
  httpUrl?: string;
  /** Lanes per protocol, e.g. { proto: 2, json: 1, grpc: 1 }. */
  lanes: Partial<Record<Protocol, number>>;
  /** Records per export: uniform in [min, max]. */
  batch: [number, number];
  /** Pause after each export per lane (ms), to keep a moderate rate. */
  pauseMs?: number;
  /** The official exporters' timeoutMillis (their retries stay within it). */
  timeoutMillis?: number;
  /** Stop sending once this many records were handed out. */
  maxRecords?: number;
}

/** Runs the lanes until stop(); every export's outcome lands in the ledger. */
export class Load {
  readonly ledger = new Ledger();
  private stopped = false;
  private readonly runs: Promise<void>[] = [];
  private readonly exporters: LogRecordExporter[] = [];
  /** The export seq each lane has in flight; the proxy reads it from a header. */
  private readonly current: number[] = [];
  private handedOut = 0;

  constructor(
    readonly workload: Workload,
    readonly opts: LoadOptions,
  ) {}

  start(): this {
    let lane = 0;
    const timeoutMillis = this.opts.timeoutMillis ?? 5000;
    const url = this.opts.httpUrl ?? `http://127.0.0.1:${this.opts.ports.http}`;
    for (const proto of ['proto', 'json', 'grpc'] as const) {
      for (let i = 0; i < (this.opts.lanes[proto] ?? 0); i++) {
        const l = lane++;
        this.current[l] = -1;
        const headers = async () => ({ 'x-conservation-export': String(this.current[l]) });
        const exporter =
          proto === 'grpc'
            ? new GrpcExporter({ url: `http://127.0.0.1:${this.opts.ports.grpc}`, timeoutMillis })
            : proto === 'json'
              ? new JsonExporter({ url: `${url}/v1/logs`, timeoutMillis, headers })
              : new ProtoExporter({ url: `${url}/v1/logs`, timeoutMillis, headers });
        this.exporters.push(exporter);
        this.runs.push(this.lane(l, exporter));
      }
    }
    return this;
  }

  private async lane(l: number, exporter: LogRecordExporter): Promise<void> {
    const {
      batch: [lo, hi],
      pauseMs = 0,
      maxRecords = Infinity,
    } = this.opts;
    const w = this.workload;
    while (!this.stopped && this.handedOut < maxRecords) {
      const n = lo + Math.floor(w.random() * (hi - lo + 1));
      const records: ReadableLogRecord[] = [];
      for (let i = 0; i < n; i++) records.push(w.next());
      this.handedOut += n;
      const entry: ExportEntry = {
        seq: this.ledger.exports.length,
        lane: l,
        ids: records.map((r) => r.attributes['test.id'] as string),
        phase: this.ledger.phase,
        state: 'pending',
      };
      this.ledger.exports.push(entry);
      this.current[l] = entry.seq;
      const result = await new Promise<ExportResult>((resolve) => exporter.export(records, resolve));
      if (result.code === ExportResultCode.SUCCESS) {
        entry.state = 'acked';
        for (const id of entry.ids) this.ledger.acked.add(id);
      } else {
        entry.state = 'failed';
        entry.error = String(result.error?.message ?? result.error);
      }
      if (pauseMs > 0 && !this.stopped) await sleep(pauseMs);
    }
  }

  /** Stops handing out new exports and waits for every export in flight to call back. */
  async stop(): Promise<Ledger> {
    this.stopped = true;
    await Promise.all(this.runs);
    await Promise.all(this.exporters.map((e) => e.shutdown().catch(() => undefined)));
    return this.ledger;
  }

  /** Resolves once at least `n` records have been acknowledged (or the time is up). */
  async untilAcked(n: number, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.ledger.acked.size < n) {
      if (Date.now() > end) return false;
      await sleep(50);
    }
    return true;
  }
}
