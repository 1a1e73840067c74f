// Server-Sent Events for `GET /api/logs/stream`. The tap listener only
// appends the batch to a queue and schedules one flush; the flush (on a later
// turn of the event loop) builds each record's JSON once and hands it to
// every matching subscriber. A subscriber whose socket is not draining
// accumulates events in a bounded buffer; when that is full it is dropped
// with a final `event: dropped`, counted, and its socket closed after a
// grace period. Nothing here can slow or block the pipeline. At most
// `stream.max_subscribers` streams are open at once (dropped ones still
// lingering count); one more is answered 503 with Retry-After, counted and
// logged once per burst.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { RecordTap } from '../../pipeline/tap.js';
import type { InternalLogger } from '../../telemetry/logger.js';
import { M, type Telemetry } from '../../telemetry/metrics.js';
import type { StreamConfig } from './config.js';
import { parseLevels, singleParams } from './params.js';
import { recordView, type RecordView } from './record-view.js';

/** Streams refused because `stream.max_subscribers` were open. */
export const STREAM_REFUSED_METRIC = 'auditline_stream_subscribers_refused_total';
/** Seconds a refused client is asked to wait before trying again. */
const REFUSED_RETRY_AFTER_S = 10;

export const STREAM_PARAMS = ['user_id', 'session_id', 'event', 'level', 'component'] as const;

export interface StreamFilter {
  user_id?: string;
  session_id?: string;
  event?: string;
  component?: string;
  levels?: string[];
  /** Only records of this instrumentation scope (the system stream: `auditline/filelog`). */
  scope?: string;
  /** Only lines of this file: its `log.file.name` or its `log.file.path`. */
  file?: string;
}

/** Validates the stream's query parameters (400 naming the parameter on error). */
export function parseStreamFilter(query: URLSearchParams): StreamFilter {
  const p = singleParams(query, STREAM_PARAMS);
  const f: StreamFilter = {};
  for (const k of ['user_id', 'session_id', 'event', 'component'] as const) {
    const v = p.get(k);
    if (v !== undefined) f[k] = v;
  }
  const level = p.get('level');
  if (level !== undefined) f.levels = parseLevels(level);
  return f;
}

/** The filelog receiver's instrumentation scope: the records of `GET /api/logs/system/stream`. */
export const FILELOG_SCOPE = 'auditline/filelog';
export const SYSTEM_STREAM_PARAMS = ['file', 'level'] as const;

/** The system stream's filter: filelog records only, optionally of one file and some levels. */
export function parseSystemStreamFilter(query: URLSearchParams): StreamFilter {
  const p = singleParams(query, SYSTEM_STREAM_PARAMS);
  const f: StreamFilter = { scope: FILELOG_SCOPE };
  const file = p.get('file');
  if (file !== undefined) f.file = file;
  const level = p.get('level');
  if (level !== undefined) f.levels = parseLevels(level);
  return f;
}

function matches(f: StreamFilter, v: RecordView, r: ReadableLogRecord): boolean {
  return (
    (f.scope === undefined || f.scope === r.instrumentationScope.name) &&
    (f.file === undefined || f.file === v.attributes['log.file.name'] || f.file === v.attributes['log.file.path']) &&
    (f.user_id === undefined || f.user_id === v.user_id) &&
    (f.session_id === undefined || f.session_id === v.session_id) &&
    (f.event === undefined || f.event === v.event) &&
    (f.component === undefined || f.component === v.component) &&
    (f.levels === undefined || f.levels.includes(v.level))
  );
}

class Subscriber {
  /** Events waiting for the socket to drain. */
  buffer: string[] = [];
  blocked = false;
  closed = false;

  constructor(
    readonly res: ServerResponse,
    readonly filter: StreamFilter,
    private readonly hub: StreamHub,
  ) {}

  send(chunk: string): void {
    if (this.closed) return;
    if (this.blocked) {
      if (this.buffer.length >= this.hub.bufferSize) {
        this.hub.drop(this);
        return;
      }
      this.buffer.push(chunk);
      return;
    }
    if (!this.res.write(chunk)) this.block();
  }

  private block(): void {
    this.blocked = true;
    this.res.once('drain', this.onDrain);
  }

  private readonly onDrain = (): void => {
    if (this.closed) return;
    this.blocked = false;
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    if (!this.res.write(chunk)) this.block();
  };
}

export class StreamHub {
  private subs = new Set<Subscriber>();
  private pending: (readonly ReadableLogRecord[])[] = [];
  private scheduled = false;
  private untap?: () => void;
  private heartbeat?: NodeJS.Timeout;
  /** Sockets kept open briefly after their final event, with the timer that destroys them. */
  private readonly lingering = new Map<NodeJS.Timeout, ServerResponse>();
  private closing = false;

  constructor(
    private readonly tap: RecordTap,
    private readonly cfg: StreamConfig,
    private readonly telemetry: Telemetry,
    private readonly logger: InternalLogger,
  ) {
    telemetry.describe(
      STREAM_REFUSED_METRIC,
      'Live stream subscribers refused because stream.max_subscribers streams were open.',
    );
  }

  get bufferSize(): number {
    return this.cfg.buffer_size;
  }
  get subscribers(): number {
    return this.subs.size;
  }

  /** Starts an event stream on `res`; the filter was validated by the caller. */
  open(req: IncomingMessage, res: ServerResponse, filter: StreamFilter): void {
    if (this.closing) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"the query API is shutting down"}');
      return;
    }
    if (this.subs.size + this.lingering.size >= this.cfg.max_subscribers) {
      this.telemetry.add(STREAM_REFUSED_METRIC, 1);
      this.logger.burst('warn', 'stream-refused', 'Refused a stream subscriber: the stream limit is reached.', {
        max_subscribers: this.cfg.max_subscribers,
      });
      res
        .writeHead(503, {
          'content-type': 'application/json',
          'retry-after': String(REFUSED_RETRY_AFTER_S),
          'cache-control': 'no-store',
        })
        .end(`{"error":"too many open streams (stream.max_subscribers is ${this.cfg.max_subscribers}); retry later"}`);
      return;
    }
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    const sub = new Subscriber(res, filter, this);
    this.subs.add(sub);
    res.on('close', () => this.remove(sub));
    if (!this.untap) this.untap = this.tap.subscribe(this.onRecords);
    if (!this.heartbeat) {
      this.heartbeat = setInterval(this.beat, this.cfg.heartbeat_interval);
      this.heartbeat.unref();
    }
  }

  /** Ends every stream with `event: shutdown` and stops listening. */
  close(): void {
    this.closing = true;
    for (const s of [...this.subs]) {
      s.closed = true;
      this.subs.delete(s);
      s.res.end('event: shutdown\ndata: {}\n\n');
      // A client that is not reading would hold the server's close() open.
      this.linger(s.res, 1000);
    }
    this.idle();
  }

  /** Closes sockets still lingering after close() (called by the server at the end of shutdown). */
  destroyAll(): void {
    for (const [t, res] of this.lingering) {
      clearTimeout(t);
      res.destroy();
    }
    this.lingering.clear();
  }

  /** Called by a subscriber whose buffer overflowed. */
  drop(sub: Subscriber): void {
    if (sub.closed) return;
    sub.closed = true;
    const buffered = sub.buffer.length;
    sub.buffer = [];
    this.subs.delete(sub);
    this.telemetry.add(M.streamDropped, 1);
    this.logger.burst('warn', 'stream-dropped', 'Dropped a stream subscriber that stopped reading.', {
      buffered_events: buffered,
    });
    sub.res.end(
      `event: dropped\ndata: ${JSON.stringify({ reason: 'subscriber is not reading fast enough', buffered_events: buffered })}\n\n`,
    );
    this.linger(sub.res, this.cfg.drop_grace);
    this.idle();
  }

  private linger(res: ServerResponse, ms: number): void {
    const t = setTimeout(() => {
      this.lingering.delete(t);
      res.destroy();
    }, ms);
    t.unref();
    this.lingering.set(t, res);
    // A client that goes away no longer holds a place under max_subscribers.
    res.once('close', () => {
      clearTimeout(t);
      this.lingering.delete(t);
    });
  }

  /** The tap listener: enqueue only. */
  private readonly onRecords = (records: readonly ReadableLogRecord[]): void => {
    this.pending.push(records);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  };

  private readonly flush = (): void => {
    this.scheduled = false;
    const batches = this.pending;
    this.pending = [];
    if (this.subs.size === 0) return;
    const subs = [...this.subs];
    for (const batch of batches) {
      for (const r of batch) {
        const view = recordView(r);
        let chunk: string | undefined;
        for (const s of subs) {
          if (s.closed || !matches(s.filter, view, r)) continue;
          chunk ??= `event: log\ndata: ${JSON.stringify(view)}\n\n`;
          s.send(chunk);
        }
      }
    }
  };

  private readonly beat = (): void => {
    for (const s of this.subs) if (!s.blocked) s.res.write(': keep-alive\n\n');
  };

  private remove(sub: Subscriber): void {
    sub.closed = true;
    this.subs.delete(sub);
    this.idle();
  }

  /** With no subscribers left, the tap costs the pipeline nothing again. */
  private idle(): void {
    if (this.subs.size > 0) return;
    this.untap?.();
    this.untap = undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.pending = [];
  }
}
