// Turns one export batch into a write plan: per record a hash and its
// EXPIRE; per index key one ZADD carrying every member the batch adds to it;
// per HyperLogLog one PFADD; per stats hash one HINCRBY per field with the
// batch's summed increment; per record one XADD. Aggregating by key is what
// keeps the command count near two per record whatever the number of indexes
// (measured: ~6 commands per record with every index on, against ~16
// unaggregated). The plan is applied as one transaction (once.ts), so none of
// it needs to be idempotent on its own.
//
// The plan is written as RESP bytes as it is built (resp-writer.ts): each
// record's `score member` pair is encoded once and its bytes copied into every
// ZADD that carries it; its HSET and EXPIRE are one string and one native
// write. Building string arrays per command and encoding every argument again
// was most of the exporter's CPU (bench/redis-cpu.ts, Node per record: ~75 µs
// before, 24–28 µs after, on a shared 2-vCPU machine).
import { createHash } from 'node:crypto';
import type { AnyValue } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { IndexName, RetentionSettings } from './config.js';
import type { FieldMapper, LogEntry } from './field-mapping.js';
import { hourKey, tsString, type KeySchema } from './key-schema.js';
import { asciiBulk, bulkBytes, RespWriter, utf8Bulk, type EncodedCommands } from './resp-writer.js';

/** A Redis command as sent: lower-case name, key, arguments (all strings). */
export type Cmd = string[];

export interface WritePlan {
  /** In order: hashes, then indexes and sketches, then counters and stream entries. */
  resp: EncodedCommands;
  /** Content hash of the batch: the same records give the same id on every retry (built without `renames`). */
  batch: string;
  /** Index TTLs this plan sets; remembered only once the plan has been applied. */
  expiresSet: [string, number][];
  /**
   * The key each entry (request or log hash) wants, in record order, before `renames`: the
   * seed's key, or with `:{n}` when an earlier entry of the batch has it. Checked against what
   * Redis holds before the plan is applied (once.ts).
   */
  entryKeys: string[];
  /** For each entry key, its n (1: the seed's key itself). */
  entryN: number[];
}

export interface WriterSettings {
  keys: KeySchema;
  mapper: FieldMapper;
  indexes: ReadonlySet<IndexName>;
  retention: RetentionSettings;
  slowThresholdMs: number;
  streamMaxLength: number;
}

/** Fields of a log hash (records that are not HTTP requests). */
const LOG_FIELDS = [
  'timestamp', 'level', 'event', 'message', 'hostname', 'component', 'session_id', 'user_id', 'client_ip', 'client_hostname',
  'client_id', 'trace_id', 'method', 'path', 'status_code', 'response_time_ms', 'error', 'attributes',
] as const;

/** Index TTLs get this much on top, and are lengthened (EXPIRE GT) at most once per this period per key. */
export const EXPIRE_SLACK = 3600;
/** Members per ZADD: bounds one command's size and the time Redis spends on it. */
const ZADD_MEMBERS = 500;

/** Constant arguments, encoded once. */
const B = { zadd: bulkBytes('zadd'), pfadd: bulkBytes('pfadd') };

/** `key` for the n-th entry wanting `base` (n = 1 is the base itself). */
export function entryKey(base: string, n: number): string {
  return n === 1 ? base : `${base}:${n}`;
}

/** Members of one index key: fragment numbers (see `Fragments`) and the longest TTL among them. */
interface ZGroup { frags: number[]; ttl: number }

/** Queues fragment `frag` for the index of `value` in a family. */
function zadd<V>(family: Map<V, ZGroup>, value: V, frag: number, ttl: number): void {
  const g = family.get(value);
  if (g === undefined) family.set(value, { frags: [frag], ttl });
  else {
    g.frags.push(frag);
    if (ttl > g.ttl) g.ttl = ttl;
  }
}

/**
 * Byte ranges of the scratch area at the start of the plan's buffer, by
 * number: `[start, mid)` and `[mid, end)` are two parts of one thing (a
 * fragment's score and member; a record's HSET and its EXPIRE).
 */
class Spans {
  start: Int32Array = new Int32Array(1024);
  mid: Int32Array = new Int32Array(1024);
  end: Int32Array = new Int32Array(1024);
  n = 0;

  add(start: number, mid: number, end: number): number {
    if (this.n === this.start.length) {
      this.start = grow(this.start);
      this.mid = grow(this.mid);
      this.end = grow(this.end);
    }
    this.start[this.n] = start;
    this.mid[this.n] = mid;
    this.end[this.n] = end;
    return this.n++;
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Writes the fragment `$ts $member` to the scratch area; returns its number in `fr`. */
function fragment(w: RespWriter, fr: Spans, ts: string, member: string): number {
  const start = w.off;
  const head = asciiBulk(ts);
  if (w.ascii(head + asciiBulk(member))) return fr.add(start, start + head.length, w.off);
  const h = utf8Bulk(ts);
  w.utf8(h);
  const mid = w.off;
  w.utf8(utf8Bulk(member));
  return fr.add(start, mid, w.off);
}

/** Hour buckets of counter increments (stats hashes), looked up once per hour rather than per record. */
interface HourCounts {
  requests: Map<string, number>;
  errors: Map<string, number>;
  events: Map<string, number>;
  /** Client addresses per proxy hostname (its unique_ips HyperLogLog). */
  ips: Map<string, string[]>;
}

function bump(m: Map<string, number>, field: string): void {
  m.set(field, (m.get(field) ?? 0) + 1);
}

const statusFields = new Map<number, string>();
const codeFields = new Map<number, string>();
/** `status_{code}` (requests hash) or `{code}` (errors hash), one string per code rather than one per record. */
function codeField(cache: Map<number, string>, prefix: string, code: number): string {
  let f = cache.get(code);
  if (f === undefined) { f = `${prefix}${code}`; if (cache.size < 1000) cache.set(code, f); }
  return f;
}

/** Plan buffers kept for reuse: an 8192-record plan is ~16 MB, and allocating it anew cost ~2 µs per record (measured, A/B). Two are in use on one server (maxConcurrency). */
const POOL = 4;

export class PlanBuilder {
  private readonly k: KeySchema;
  private readonly maxTtl: number;
  /** Key → Unix second its TTL was last set to end at; skips repeated EXPIREs. */
  private readonly expires = new Map<string, number>();
  private readonly ix: Record<IndexName, boolean>;
  private readonly frags = new Spans();
  private readonly hashes = new Spans();
  /** Each record's HSET + EXPIRE, and each stream's entries, written beside the plan and copied into it in a few large pieces. */
  private readonly hw = new RespWriter(1 << 20);
  private readonly reqJson = new RespWriter(1 << 20);
  private readonly logJson = new RespWriter(1 << 20);
  private readonly pool: RespWriter[] = [];

  constructor(private readonly s: WriterSettings) {
    this.k = s.keys;
    const r = s.retention;
    this.maxTtl = Math.max(r.requests, r.errors, r.oauth);
    this.ix = {} as Record<IndexName, boolean>;
    for (const name of ['ip', 'fqdn', 'host', 'user', 'session', 'client', 'status', 'method', 'path', 'errors', 'slow', 'level', 'event', 'oauth'] as const) {
      this.ix[name] = s.indexes.has(name);
    }
  }

  /** Forgets remembered TTLs (after a reconnect or a clear, keys may have been recreated without one). */
  forgetExpires(): void { this.expires.clear(); }

  /** Keeps the buffer of a plan that was not sent (or whose sending is over) for the next plan. */
  release(plan: WritePlan): void {
    if (plan.resp instanceof RespWriter && this.pool.length < POOL && plan.resp.buf.length <= 64 << 20 && !this.pool.includes(plan.resp)) this.pool.push(plan.resp);
  }

  /** Records the TTLs of an applied plan so the next batches skip them, and keeps its buffer for the next plan. */
  commit(plan: WritePlan): void {
    if (this.expires.size > 500_000) this.expires.clear();
    for (const [key, until] of plan.expiresSet) {
      const prev = this.expires.get(key);
      if (prev === undefined || until > prev) this.expires.set(key, until);
    }
    // Every chunk has been answered, so the socket holds no reference to these bytes any more.
    this.release(plan);
  }

  /**
   * `renames`: wanted entry key → the key to write instead (the wanted one is taken in Redis).
   * The same records and renames always give the same plan.
   */
  build(records: readonly ReadableLogRecord[], nowSec: number, renames?: ReadonlyMap<string, string>): WritePlan {
    const k = this.k;
    const ix = this.ix;
    const ret = this.s.retention;
    const w = this.pool.pop() ?? new RespWriter(1 << 20);
    w.reset();
    // `score member` fragments go to the scratch area at the start of the plan's buffer, kept
    // compact because every ZADD copies from it (measured: interleaving the hashes and stream
    // entries there made those copies miss the cache); hashes and stream entries go beside it.
    const fr = this.frags;
    const hs = this.hashes;
    const hw = this.hw;
    const rj = this.reqJson;
    const lj = this.logJson;
    fr.n = 0; hs.n = 0;
    hw.reset(); rj.reset(); lj.reset();
    /** End offset of each stream entry in rj / lj. */
    const reqStream: number[] = [];
    const logStream: number[] = [];
    // Members per index, grouped by family and keyed by the raw value, so no key string is built
    // per record (measured: a third of the planning time went to concatenating and hashing keys).
    const f = {
      ip: new Map<string, ZGroup>(), fqdn: new Map<string, ZGroup>(), host: new Map<string, ZGroup>(),
      user: new Map<string, ZGroup>(), session: new Map<string, ZGroup>(), client: new Map<string, ZGroup>(),
      status: new Map<number, ZGroup>(), method: new Map<string, ZGroup>(), path: new Map<string, ZGroup>(),
      level: new Map<string, ZGroup>(), event: new Map<string, ZGroup>(), logHost: new Map<string, ZGroup>(),
      rt: new Map<string, ZGroup>(), single: new Map<string, ZGroup>(), oauth: new Map<string, ZGroup>(),
    };
    // OAuth activity: the latest use of each event type (for oauth:events), and each session's flow steps in record order.
    const oauthTypes = new Map<string, { at: number; ts: string }>();
    const flows = new Map<string, string[]>();
    const oauthActivity = (type: string, e: LogEntry, key: string, fi: number, ttl: number, sec: number, micros: number, ts: string) => {
      zadd(f.oauth, type, fi, ttl);
      const at = sec * 1e6 + micros;
      const last = oauthTypes.get(type);
      if (last === undefined) oauthTypes.set(type, { at, ts });
      else if (at > last.at) { last.at = at; last.ts = ts; }
      if (e.session_id === undefined) return;
      const step = `{"step":${JSON.stringify(type)},"timestamp":${ts},"data":${JSON.stringify(flowData(e, key))}}`;
      const l = flows.get(e.session_id);
      if (l === undefined) flows.set(e.session_id, [step]); else l.push(step);
    };
    // Latest use per known METHOD:route: ZADD GT keeps only the highest score anyway, so one pair per
    // route per batch instead of one per request (measured: 4.5 µs of redis-server CPU per record).
    const paths = new Map<string, { at: number; ts: string }>();
    const hosts = new Set<string>();
    const hours = new Map<string, HourCounts>();
    let lastHour = '';
    let hc: HourCounts | undefined;
    const seen = new Set<string>();
    const entryKeys: string[] = [];
    const entryN: number[] = [];
    /** The batch's key for an entry wanting `base`: the first free of base, base:2, base:3, … */
    const claim = (base: string): string => {
      let key = base;
      let n = 1;
      while (seen.has(key)) key = entryKey(base, ++n);
      seen.add(key);
      entryKeys.push(key);
      entryN.push(n);
      return renames === undefined ? key : renames.get(key) ?? key;
    };

    for (let i = 0; i < records.length; i++) {
      const m = this.s.mapper.map(records[i]!);
      const e = m.entry;
      const sec = m.sec;
      const micros = m.micros;
      const oauth = e.client_id !== undefined || (e.event !== undefined && e.event.startsWith('oauth'));
      const hour = hourKey(sec);
      if (hour !== lastHour || hc === undefined) {
        hc = hours.get(hour);
        if (hc === undefined) { hc = { requests: new Map(), errors: new Map(), events: new Map(), ips: new Map() }; hours.set(hour, hc); }
        lastHour = hour;
      }

      if (m.isRequest) {
        const code = e.status_code!;
        const ip = e.client_ip ?? 'unknown';
        const ts = tsString(sec, micros);
        const key = claim(k.req(ts, ip));
        const isError = code >= 400;
        const ttl = classTtl(ret, isError || e.level === 'ERROR' || e.level === 'CRITICAL', oauth);
        const fi = fragment(w, fr, ts, key);
        const hStart = hw.off;
        const hset = requestHashText(key, e, asciiBulk);
        if (hw.ascii(hset + expireText(key, ttl, asciiBulk))) hs.add(hStart, hStart + hset.length, hw.off);
        else {
          hw.utf8(requestHashText(key, e, utf8Bulk));
          const hMid = hw.off;
          hw.utf8(expireText(key, ttl, utf8Bulk));
          hs.add(hStart, hMid, hw.off);
        }

        if (ix.ip && e.client_ip !== null) zadd(f.ip, e.client_ip, fi, ttl);
        if (ix.fqdn && e.client_hostname !== null) zadd(f.fqdn, e.client_hostname, fi, ttl);
        if (ix.host && e.proxy_hostname !== null) zadd(f.host, e.proxy_hostname, fi, ttl);
        if (ix.user && e.user_id !== null) zadd(f.user, e.user_id, fi, ttl);
        if (ix.session && e.session_id !== undefined) zadd(f.session, e.session_id, fi, ttl);
        if (ix.client && e.client_id !== undefined) zadd(f.client, e.client_id, fi, ttl);
        if (ix.status) zadd(f.status, code, fi, ttl);
        if (ix.method) zadd(f.method, e.method!, fi, ttl);
        if (ix.path && m.route !== null) {
          const mp = `${e.method}:${m.route}`;
          zadd(f.path, mp, fi, ttl);
          const at = sec * 1e6 + micros;
          const last = paths.get(mp);
          if (last === undefined) paths.set(mp, { at, ts });
          else if (at > last.at) { last.at = at; last.ts = ts; }
        }
        if (ix.errors && isError) zadd(f.single, k.idxErrors, fi, ttl);
        if (ix.slow && e.response_time_ms !== null && e.response_time_ms >= this.s.slowThresholdMs) zadd(f.single, k.idxSlow, fi, ttl);
        if (ix.level) zadd(f.level, e.level, fi, ttl);
        if (ix.event && e.event !== undefined) zadd(f.event, e.event, fi, ttl);
        if (ix.oauth && oauth) oauthActivity(e.event ?? 'request', e, key, fi, ttl, sec, micros, ts);

        bump(hc.requests, 'total');
        bump(hc.requests, codeField(statusFields, 'status_', code));
        if (isError) bump(hc.errors, codeField(codeFields, '', code));
        if (e.event !== undefined) bump(hc.events, e.event);
        const host = e.proxy_hostname ?? 'unknown';
        hosts.add(host);
        if (e.client_ip !== null) {
          const l = hc.ips.get(host);
          if (l === undefined) hc.ips.set(host, [e.client_ip]); else l.push(e.client_ip);
        }
        if (e.response_time_ms !== null) zadd(f.rt, host, fragment(w, fr, ts, `${e.response_time_ms}:${code}:${key}`), ret.stats);
        rj.bulk(JSON.stringify(e));
        reqStream.push(rj.off);
      } else {
        const isError = e.level === 'ERROR' || e.level === 'CRITICAL';
        const ttl = classTtl(ret, isError, oauth);
        const entry = logEntryOf(e, m.hostname, m.rest);
        const json = JSON.stringify(entry, m.rest === null ? undefined : jsonSafe);
        const ts = tsString(sec, micros);
        const seq = fnv1a(json);
        const key = claim(k.log(ts, seq));
        const fi = fragment(w, fr, ts, key);
        const hStart = hw.off;
        hw.args(hashCmd(key, entry, LOG_FIELDS));
        const hMid = hw.off;
        hw.utf8(expireText(key, ttl, utf8Bulk));
        hs.add(hStart, hMid, hw.off);
        lj.bulk(json);
        logStream.push(lj.off);

        if (ix.level) zadd(f.level, e.level, fi, ttl);
        if (ix.event && e.event !== undefined) zadd(f.event, e.event, fi, ttl);
        if (ix.host && m.hostname !== null) zadd(f.logHost, m.hostname, fi, ttl);
        if (ix.ip && e.client_ip !== null) zadd(f.ip, e.client_ip, fi, ttl);
        if (ix.fqdn && e.client_hostname !== null) zadd(f.fqdn, e.client_hostname, fi, ttl);
        if (ix.user && e.user_id !== null) zadd(f.user, e.user_id, fi, ttl);
        if (ix.session && e.session_id !== undefined) zadd(f.session, e.session_id, fi, ttl);
        if (ix.client && e.client_id !== undefined) zadd(f.client, e.client_id, fi, ttl);
        if (ix.oauth && oauth) oauthActivity(e.event ?? 'log', e, key, fi, ttl, sec, micros, ts);
        if (e.event !== undefined) bump(hc.events, e.event);
      }
    }

    // Commands start after the scratch area: first the hashes, each with its EXPIRE.
    w.base = w.off;
    w.count = 0;
    w.from(hw.buf, 0, hw.off);
    const shift = w.base;
    for (let i = 0; i < hs.n; i++) {
      w.off = shift + hs.mid[i]!;
      w.mark(1);
      w.off = shift + hs.end[i]!;
      w.mark(1);
    }
    w.off = shift + hw.off;
    // The hashes (every field of every record, with its key and TTL) identify the batch.
    const batch = createHash('sha1').update(hw.buf.subarray(0, hw.off)).update(String(records.length)).digest('hex').slice(0, 16);
    const expiresSet: [string, number][] = [];
    const expire = (key: string, ttl: number) => {
      const t = String(ttl + EXPIRE_SLACK);
      // NX on every write: a key recreated after a FLUSHALL, a clear or a restart never stays without a TTL.
      w.cmd(['expire', key, t, 'NX']);
      // GT only ever lengthens the TTL, so an index lives as long as its longest-lived member; needed once per EXPIRE_SLACK per key.
      const until = this.expires.get(key);
      if (until !== undefined && until >= nowSec + ttl) return;
      w.cmd(['expire', key, t, 'GT']);
      expiresSet.push([key, nowSec + ttl + EXPIRE_SLACK]);
    };
    const emit = (key: string, g: ZGroup) => {
      const frags = g.frags;
      for (let off = 0; off < frags.length; off += ZADD_MEMBERS) {
        const end = Math.min(frags.length, off + ZADD_MEMBERS);
        w.array(2 + 2 * (end - off));
        w.raw(B.zadd);
        w.bulk(key);
        for (let j = off; j < end; j++) w.again(fr.start[frags[j]!]!, fr.end[frags[j]!]!);
        w.mark(end - off);
      }
      expire(key, g.ttl);
    };
    const family = <V>(m: Map<V, ZGroup>, keyOf: (v: V) => string) => {
      for (const [v, g] of m) emit(keyOf(v), g);
    };
    family(f.ip, (v) => k.idxIp(v));
    family(f.fqdn, (v) => k.idxFqdn(v));
    family(f.host, (v) => k.idxHost(v));
    family(f.user, (v) => k.idxUser(v));
    family(f.session, (v) => k.idxSession(v));
    family(f.client, (v) => k.idxClient(v));
    family(f.status, (v) => k.idxStatus(v));
    family(f.method, (v) => k.idxMethod(v));
    family(f.path, (v) => { const i = v.indexOf(':'); return k.idxPath(v.slice(0, i), v.slice(i + 1)); });
    family(f.single, (v) => v);
    family(f.level, (v) => k.logLevel(v));
    family(f.event, (v) => k.logEvent(v));
    family(f.logHost, (v) => k.logHost(v));
    family(f.rt, (v) => k.responseTimes(v));
    family(f.oauth, (v) => k.idxOauth(v));
    if (oauthTypes.size > 0) {
      const c: Cmd = ['zadd', k.oauthEvents, 'GT'];
      for (const [type, last] of oauthTypes) c.push(last.ts, type);
      w.cmd(c, oauthTypes.size);
      expire(k.oauthEvents, ret.oauth);
    }
    // The seed's track_oauth_flow: RPUSH each step, then a 1 h TTL from the latest step. Inside the
    // batch's transaction (or its slot's guarded script on a cluster), so a replay never pushes twice.
    for (const [session, steps] of flows) {
      const key = k.oauthFlow(session);
      for (let off = 0; off < steps.length; off += ZADD_MEMBERS) {
        const part = steps.slice(off, off + ZADD_MEMBERS);
        w.cmd(['rpush', key, ...part], part.length);
      }
      w.cmd(['expire', key, String(OAUTH_FLOW_TTL)]);
    }
    if (paths.size > 0) {
      const c: Cmd = ['zadd', k.idxPaths, 'GT'];
      for (const [mp, last] of paths) c.push(last.ts, mp);
      for (let off = 3; off < c.length; off += ZADD_MEMBERS * 2) {
        const part = c.slice(off, off + ZADD_MEMBERS * 2);
        w.cmd(['zadd', k.idxPaths, 'GT', ...part], part.length >> 1);
      }
      expire(k.idxPaths, this.maxTtl);
    }
    for (const [hour, h] of hours) {
      for (const [host, ips] of h.ips) {
        const key = k.uniqueIps(host, hour);
        writePfadd(w, key, ips);
        expire(key, ret.stats);
      }
    }
    if (hosts.size > 0) {
      w.cmd(['sadd', k.statsHosts, ...hosts], hosts.size);
      expire(k.statsHosts, ret.stats);
    }

    const stats = String(ret.stats);
    const counters = (key: string, fields: Map<string, number>) => {
      if (fields.size === 0) return;
      for (const [name, n] of fields) w.cmd(['hincrby', key, name, String(n)]);
      w.cmd(['expire', key, stats]);
    };
    for (const [hour, h] of hours) {
      counters(k.statsRequests(hour), h.requests);
      counters(k.statsErrors(hour), h.errors);
      counters(k.statsEvents(hour), h.events);
    }
    this.stream(w, k.streamRequests, rj, reqStream);
    this.stream(w, k.streamLogs, lj, logStream);
    return { resp: w, batch, expiresSet, entryKeys, entryN };
  }

  /** One XADD per entry (`ends[i]`: where entry i's `data` bulk ends in `src`), then the stream's TTL. */
  private stream(w: RespWriter, stream: string, src: RespWriter, ends: number[]): void {
    if (ends.length === 0) return;
    // `xadd {stream} MAXLEN ~ {max} * data`, encoded once for every entry.
    const head = new RespWriter(256);
    head.array(8);
    for (const a of ['xadd', stream, 'MAXLEN', '~', String(this.s.streamMaxLength), '*', 'data']) head.bulk(a);
    const prefix = head.buf.subarray(0, head.off);
    for (let i = 0, start = 0; i < ends.length; start = ends[i++]!) {
      w.from(prefix, 0, prefix.length);
      w.from(src.buf, start, ends[i]!);
      w.mark(1);
    }
    w.cmd(['expire', stream, String(this.maxTtl)]);
  }
}

function lit(w: RespWriter, b: Uint8Array): void { w.raw(b); }

/** `expire {key} {ttl}` as RESP text. */
function expireText(key: string, ttl: number, bulk: (v: string) => string): string {
  return `*3\r\n$6\r\nexpire\r\n${bulk(key)}${bulk(String(ttl))}`;
}

function writePfadd(w: RespWriter, key: string, ips: readonly string[]): void {
  for (let off = 0; off < ips.length; off += ZADD_MEMBERS) {
    const end = Math.min(ips.length, off + ZADD_MEMBERS);
    w.array(2 + end - off);
    lit(w, B.pfadd);
    w.bulk(key);
    for (let j = off; j < end; j++) w.bulk(ips[j]!);
    w.mark(end - off);
  }
}

/** `oauth:flow:{session_id}` lives this long after its latest step (the seed's track_oauth_flow). */
export const OAUTH_FLOW_TTL = 3600;

/** A flow step's `data`: the entry's key and the fields that tell one step of a flow from another. */
function flowData(e: LogEntry, key: string): Record<string, unknown> {
  const d: Record<string, unknown> = { id: key, level: e.level };
  if (e.client_id !== undefined) d.client_id = e.client_id;
  if (e.user_id !== null) d.user_id = e.user_id;
  if (e.client_ip !== null) d.client_ip = e.client_ip;
  if (e.method !== null) d.method = e.method;
  if (e.path !== null) d.path = e.path;
  if (e.status_code !== null) d.status_code = e.status_code;
  if (e.error !== null) d.error = e.error;
  if (e.message !== undefined) d.message = e.message;
  return d;
}

/** The longest retention among the classes a record belongs to. */
export function classTtl(r: RetentionSettings, error: boolean, oauth: boolean): number {
  let t = r.requests;
  if (error && r.errors > t) t = r.errors;
  if (oauth && r.oauth > t) t = r.oauth;
  return t;
}

/** `$n` + name of each hash field, as RESP text. */
const F = {
  timestamp: asciiBulk('timestamp'), client_ip: asciiBulk('client_ip'), client_hostname: asciiBulk('client_hostname'),
  proxy_hostname: asciiBulk('proxy_hostname'), method: asciiBulk('method'), path: asciiBulk('path'), status_code: asciiBulk('status_code'),
  response_time_ms: asciiBulk('response_time_ms'), user_id: asciiBulk('user_id'), user_agent: asciiBulk('user_agent'),
  referrer: asciiBulk('referrer'), bytes_sent: asciiBulk('bytes_sent'), error: asciiBulk('error'), session_id: asciiBulk('session_id'),
  trace_id: asciiBulk('trace_id'), event: asciiBulk('event'), level: asciiBulk('level'), message: asciiBulk('message'), client_id: asciiBulk('client_id'),
};

/** HSET of a request entry's present fields in the seed's order, as RESP text (`bulk` gives each value's `$n`). */
function requestHashText(key: string, e: LogEntry, bulk: (v: string) => string): string {
  let n = 4; // timestamp, method, status_code, level
  let s = '';
  if (e.client_ip !== null) { n++; s += F.client_ip + bulk(e.client_ip); }
  if (e.client_hostname !== null) { n++; s += F.client_hostname + bulk(e.client_hostname); }
  if (e.proxy_hostname !== null) { n++; s += F.proxy_hostname + bulk(e.proxy_hostname); }
  s += F.method + bulk(e.method!);
  if (e.path !== null) { n++; s += F.path + bulk(e.path); }
  s += F.status_code + bulk(String(e.status_code));
  if (e.response_time_ms !== null) { n++; s += F.response_time_ms + bulk(String(e.response_time_ms)); }
  if (e.user_id !== null) { n++; s += F.user_id + bulk(e.user_id); }
  if (e.user_agent !== null) { n++; s += F.user_agent + bulk(e.user_agent); }
  if (e.referrer !== null) { n++; s += F.referrer + bulk(e.referrer); }
  if (e.bytes_sent !== null) { n++; s += F.bytes_sent + bulk(String(e.bytes_sent)); }
  if (e.error !== null) { n++; s += F.error + bulk(e.error); }
  if (e.session_id !== undefined) { n++; s += F.session_id + bulk(e.session_id); }
  if (e.trace_id !== undefined) { n++; s += F.trace_id + bulk(e.trace_id); }
  if (e.event !== undefined) { n++; s += F.event + bulk(e.event); }
  s += F.level + bulk(e.level);
  if (e.message !== undefined) { n++; s += F.message + bulk(e.message); }
  if (e.client_id !== undefined) { n++; s += F.client_id + bulk(e.client_id); }
  return `*${2 + 2 * n}\r\n$4\r\nhset\r\n${bulk(key)}${F.timestamp}${bulk(e.timestamp)}${s}`;
}

function hashCmd(key: string, o: Record<string, unknown>, fields: readonly string[]): Cmd {
  const c: Cmd = ['hset', key];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const v = o[f];
    if (v === null || v === undefined) continue;
    c.push(f, typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v, jsonSafe) : String(v));
  }
  return c;
}

/** A log entry as stored and streamed: the non-null entry fields, the hostname, and the other attributes (JSON in the hash). */
function logEntryOf(e: LogEntry, hostname: string | null, rest: Record<string, AnyValue> | null): Record<string, unknown> {
  const out: Record<string, unknown> = { timestamp: e.timestamp, level: e.level };
  if (e.event !== undefined) out.event = e.event;
  if (e.message !== undefined) out.message = e.message;
  if (hostname !== null) out.hostname = hostname;
  if (e.component !== undefined) out.component = e.component;
  if (e.session_id !== undefined) out.session_id = e.session_id;
  if (e.user_id !== null) out.user_id = e.user_id;
  if (e.client_ip !== null) out.client_ip = e.client_ip;
  if (e.client_hostname !== null) out.client_hostname = e.client_hostname;
  if (e.client_id !== undefined) out.client_id = e.client_id;
  if (e.trace_id !== undefined) out.trace_id = e.trace_id;
  if (e.method !== null) out.method = e.method;
  if (e.path !== null) out.path = e.path;
  if (e.status_code !== null) out.status_code = e.status_code;
  if (e.response_time_ms !== null) out.response_time_ms = e.response_time_ms;
  if (e.error !== null) out.error = e.error;
  if (rest !== null) out.attributes = rest;
  return out;
}

/** Byte arrays as base64 and bigints as strings, so any attribute value serialises. */
function jsonSafe(_k: string, v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** 32-bit FNV-1a of a string as 8 hex digits: a short deterministic sequence for `log:{timestamp}:{seq}`. */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
