// Turns records into table rows. The promotion plan is compiled once per
// exporter; per record the work is a fixed walk over the configured sources,
// one pass over the attributes for `metadata`, and no allocation besides the
// strings that end up in the row (the row array itself is reused). Rows are
// written as JSON arrays, straight into one UTF-8 buffer per table and batch,
// which the writer thread hands to SQLite whole (see write-worker.ts).
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { recordTimeMillis, severityLevel } from '../../src/model/log-record.js';
import { contentFreeJson, isContentKey } from '../../src/model/content-keys.js';
import { DEFAULT_PROMOTE } from './config.js';
import { JsonBytes } from './json-bytes.js';
import { AUDIT_COLUMNS, JOB_COLUMNS, type PromotableColumn, type Table } from './schema.js';

type Cell = string | number | bigint | null;

/** Per attribute key, computed once: target column (or -1), precedence, `"key":` as UTF-8, content flag. */
interface KeyInfo {
  col: number;
  rank: number;
  quoted: Buffer;
  content: boolean;
}

const FREE = Number.MAX_SAFE_INTEGER;
/** Bound on remembered non-promoted keys; beyond it keys are looked at afresh each time. */
const KEY_CACHE_LIMIT = 10_000;

/** Where each kind of value goes in one table's row. */
export interface TablePlan {
  readonly table: Table;
  /**
   * The row's columns, which are also the positions of its JSON array: `metadata` first (fill() writes
   * it straight into the batch text), then the others in table order, trailing nulls left out.
   */
  readonly columns: readonly string[];
  /** What to do with each attribute key seen so far (promoted keys are known up front). */
  readonly keys: Map<string, KeyInfo>;
  /** Reused for every row of this table. */
  readonly row: Cell[];
  /** Rank of the attribute that filled each column (lower wins), and its key. */
  readonly rank: number[];
  readonly winner: (string | undefined)[];
  readonly iTimestamp: number;
  readonly iLevel: number;
  readonly iMessage: number;
  readonly iMetadata: number;
  readonly iEvent: number;
  readonly iTrace: number;
  readonly iSpan: number;
  readonly iService: number;
  readonly iComponent: number;
  /** The current batch's rows as UTF-8 JSON (`[[...],[...]`, closed by takeBatch()), and how many. */
  readonly out: JsonBytes;
  count: number;
}

/** One batch's rows per table as UTF-8 JSON text (`[[...],[...]]`), null when the table gets none. */
export interface BatchText {
  audit_logs: Uint8Array | null;
  job_logs: Uint8Array | null;
  rows: number;
}

/** First buffer size of a table's batch; later batches start at the size the previous one reached. */
const INITIAL_BUFFER = 64 * 1024;
/** Buffers kept for reuse: one per export in flight and table is plenty. */
const SPARE_LIMIT = 16;

/** The merged attribute → column list: the user's entries first, then defaults they do not override. */
export function promotionList(user: Record<string, string>): [string, PromotableColumn][] {
  const out: [string, PromotableColumn][] = [];
  for (const [attr, col] of Object.entries(user)) if (col !== 'metadata') out.push([attr, col as PromotableColumn]);
  for (const [attr, col] of DEFAULT_PROMOTE) if (!(attr in user)) out.push([attr, col]);
  return out;
}

function plan(table: Table, tableColumns: readonly string[], promote: [string, PromotableColumn][]): TablePlan {
  const columns = ['metadata', ...tableColumns.filter((c) => c !== 'metadata')];
  const keys = new Map<string, KeyInfo>();
  promote.forEach(([attr, col], rank) => {
    const i = columns.indexOf(col);
    if (!keys.has(attr)) keys.set(attr, { ...keyInfo(attr), col: i, rank });
  });
  return {
    table,
    columns,
    keys,
    row: new Array<Cell>(columns.length).fill(null),
    rank: new Array<number>(columns.length).fill(FREE),
    winner: new Array<string | undefined>(columns.length).fill(undefined),
    iTimestamp: columns.indexOf('timestamp'),
    iLevel: columns.indexOf('level'),
    iMessage: columns.indexOf('message'),
    iMetadata: columns.indexOf('metadata'),
    iEvent: columns.indexOf('event'),
    iTrace: columns.indexOf('trace_id'),
    iSpan: columns.indexOf('span_id'),
    iService: columns.indexOf('service'),
    iComponent: columns.indexOf('component'),
    out: new JsonBytes(INITIAL_BUFFER),
    count: 0,
  };
}

function keyInfo(k: string): KeyInfo {
  return { col: -1, rank: FREE, quoted: Buffer.from(JSON.stringify(k) + ':'), content: isContentKey(k) };
}

const ZERO_TRACE = '00000000000000000000000000000000';

export class RowBuilder {
  readonly audit: TablePlan;
  readonly job: TablePlan;
  /** Attributes whose presence routes a record to `job_logs`. */
  private readonly jobKeys: string[];
  /** Content keys dropped since the last call to takeDropped(). */
  private dropped = 0;
  private readonly services = new WeakMap<Resource, string | null>();
  private lastSecond = -1;
  private lastPrefix = '';
  /** Buffers the writer thread handed back, to write later batches into. */
  private readonly spare: Buffer[] = [];
  /** Scratch for re-quoting a nested metadata map (see fill()). */
  private readonly scratch = new JsonBytes(4096);
  /** Set by fill() when the metadata holds a nested map or list (see add()). */
  private nested = false;

  constructor(userPromote: Record<string, string> = {}) {
    const promote = promotionList(userPromote);
    this.audit = plan('audit_logs', AUDIT_COLUMNS, promote);
    this.job = plan('job_logs', JOB_COLUMNS, promote);
    this.jobKeys = promote.filter(([, c]) => c === 'job_id').map(([a]) => a);
  }

  /**
   * Fills the right plan's row for a record and returns that plan. The row's JSON array is opened in
   * the plan's batch text and its metadata (position 0) written there; add() writes the rest.
   */
  private build(r: ReadableLogRecord): TablePlan {
    const attrs = r.attributes;
    let p = this.audit;
    for (let i = 0; i < this.jobKeys.length; i++) {
      const v = attrs[this.jobKeys[i]!];
      if (v !== undefined && v !== null && v !== '') {
        p = this.job;
        break;
      }
    }
    const row = p.row;
    p.out.byte(p.count === 0 ? 0x5b : 0x2c);
    p.out.byte(0x5b);
    row.fill(null);
    p.rank.fill(FREE);
    p.winner.fill(undefined);

    let ms = recordTimeMillis(r);
    if (ms <= 0) ms = Date.now();
    row[p.iTimestamp] = this.iso(ms);
    row[p.iLevel] = severityLevel(r);
    const body = r.body;
    row[p.iMessage] =
      body === undefined || body === null ? null : typeof body === 'string' ? body : contentFreeJson(body);
    // The record's own event name outranks any attribute.
    if (r.eventName) {
      row[p.iEvent] = r.eventName;
      p.rank[p.iEvent] = -1;
    }
    const sc = r.spanContext;
    if (sc && sc.traceId && sc.traceId !== ZERO_TRACE) {
      row[p.iTrace] = sc.traceId;
      row[p.iSpan] = sc.spanId;
    }
    if (p.iService >= 0) row[p.iService] = this.service(r.resource);
    this.fill(attrs, p);
    // Without a `component` attribute, the logger's name (as the console and file exporters do).
    if (row[p.iComponent] === null && r.instrumentationScope.name) row[p.iComponent] = r.instrumentationScope.name;
    return p;
  }

  /**
   * Builds a record's row and appends it to its table's batch text as a JSON array, trailing nulls
   * left out (the writer reads a missing position as NULL). Measured: about a third of the main-thread
   * cost of posting the cells as arrays, whose structured clone dominated. Metadata goes in as the JSON
   * object it already is (SQLite stores its text unchanged); one with nested values goes in as a string
   * instead, so no attribute can exceed SQLite's JSON depth limit and fail the whole batch.
   */
  add(r: ReadableLogRecord): void {
    const p = this.build(r);
    const row = p.row;
    const out = p.out;
    let last = row.length - 1;
    while (last > 0 && row[last] === null) last--;
    // Position 0 (metadata) is written already.
    for (let c = 1; c <= last; c++) {
      const v = row[c];
      out.byte(0x2c);
      if (v === null) out.ascii('null');
      else if (typeof v === 'string') out.str(v);
      else if (typeof v === 'number') out.num(v);
      else out.ascii(String(v));
    }
    out.byte(0x5d);
    p.count++;
  }

  /** The batch built by add() since the last call, which starts a new one. */
  takeBatch(): BatchText {
    const rows = this.audit.count + this.job.count;
    return { audit_logs: this.close(this.audit), job_logs: this.close(this.job), rows };
  }

  /** Takes back a batch buffer the writer thread is done with. */
  recycle(ab: ArrayBuffer): void {
    if (this.spare.length < SPARE_LIMIT) this.spare.push(Buffer.from(ab));
  }

  /** Ends a table's batch text, handing over its bytes; null when the batch had no rows for it. */
  private close(p: TablePlan): Uint8Array | null {
    if (p.count === 0) {
      p.out.len = 0;
      return null;
    } // (drops a row a failed add() left half-written)
    p.out.byte(0x5d);
    p.count = 0;
    const next = this.spare.pop();
    // A smaller spare (from the other table) would only be grown again.
    return p.out.take(next !== undefined && next.length >= p.out.buf.length ? next : undefined);
  }

  /** Number of content keys dropped since the last call. */
  takeDropped(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }

  /**
   * One pass over the attributes: each is promoted into its column (when it outranks what is there)
   * or appended to the metadata JSON, written straight into the batch text (`null` when there is none).
   */
  private fill(attrs: LogAttributes, p: TablePlan): void {
    const row = p.row;
    const m = p.out;
    const start = m.len;
    this.nested = false;
    for (const k in attrs) {
      const v = attrs[k];
      if (v === undefined) continue;
      let info = p.keys.get(k);
      if (info === undefined) {
        info = keyInfo(k);
        if (p.keys.size < KEY_CACHE_LIMIT) p.keys.set(k, info);
      }
      const c = info.col;
      if (c >= 0 && v !== null && info.rank < p.rank[c]!) {
        const prev = p.winner[c];
        // Rare: a lower-precedence attribute got the column first; it moves to metadata.
        if (prev !== undefined) {
          m.byte(m.len === start ? 0x7b : 0x2c);
          m.bytes(p.keys.get(prev)!.quoted);
          this.value(m, attrs[prev]!);
        }
        row[c] = cell(v);
        p.rank[c] = info.rank;
        p.winner[c] = k;
        continue;
      }
      if (k === 'metadata' && v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) {
        // A logging call's `metadata={...}` argument: its keys join the metadata map rather than nesting under "metadata".
        for (const mk in v) {
          const mv = (v as Record<string, AnyValue>)[mk];
          if (mv === undefined) continue;
          if (isContentKey(mk)) {
            this.dropped++;
            continue;
          }
          m.byte(m.len === start ? 0x7b : 0x2c);
          m.str(mk);
          m.byte(0x3a);
          this.value(m, mv);
        }
        continue;
      }
      if (info.content) {
        this.dropped++;
        continue;
      }
      m.byte(m.len === start ? 0x7b : 0x2c);
      m.bytes(info.quoted);
      this.value(m, v);
    }
    if (m.len === start) {
      m.ascii('null');
      return;
    }
    m.byte(0x7d);
    if (this.nested) {
      // Rare: metadata with a nested map or list goes in as a JSON string instead (see add()).
      const t = this.scratch;
      t.len = 0;
      t.bytes(m.buf, start, m.len);
      m.len = start;
      m.quoted(t.buf, 0, t.len);
    }
  }

  /** One metadata value as JSON; maps and lists mark the metadata as nested. */
  private value(m: JsonBytes, v: AnyValue): void {
    switch (typeof v) {
      case 'string':
        m.str(v);
        return;
      case 'number':
        if (Number.isFinite(v)) m.num(v);
        else m.ascii('null');
        return;
      case 'boolean':
        m.ascii(v ? 'true' : 'false');
        return;
      default:
        if (v !== null && typeof v === 'object') this.nested = true;
        m.text(contentFreeJson(v));
    }
  }

  private service(res: Resource): string | null {
    let s = this.services.get(res);
    if (s === undefined) {
      const v = res.attributes['service.name'];
      s = typeof v === 'string' ? v : null;
      this.services.set(res, s);
    }
    return s;
  }

  /** ISO-8601 UTC with milliseconds and `Z`; the second's prefix is cached (records of a batch share it). */
  private iso(ms: number): string {
    const sec = Math.floor(ms / 1000);
    if (sec !== this.lastSecond) {
      this.lastSecond = sec;
      this.lastPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
    }
    const f = Math.floor(ms - sec * 1000);
    return this.lastPrefix + (f < 10 ? '00' : f < 100 ? '0' : '') + f + 'Z';
  }
}

function cell(v: AnyValue): Cell {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'boolean':
      return v ? 1 : 0;
    case 'bigint':
      return v;
    default:
      return v === null || v === undefined ? null : contentFreeJson(v);
  }
}
