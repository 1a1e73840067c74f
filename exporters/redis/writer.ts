// Turns one export batch into a write plan: per record a hash and its
// EXPIRE; per index key one ZADD carrying every member the batch adds to it;
// per HyperLogLog one PFADD; and, behind an idempotency marker (scripts.ts),
// one script call per stats hash with its summed increments and one per
// part of the stream entries. Aggregating by key
// is what keeps the command count near two per record whatever the number of
// indexes (measured: ~6 commands per record with every index on, against ~16
// unaggregated).
import { createHash } from 'node:crypto';
import type { AnyValue } from '@opentelemetry/api-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { IndexName, RetentionSettings } from './config.js';
import type { FieldMapper, LogEntry } from './field-mapping.js';
import { hourKey, tsString, type KeySchema } from './key-schema.js';
import { COUNT_SHA, STREAM_SHA } from './scripts.js';

/** A Redis command as sent: lower-case name, key, arguments (all strings). */
export type Cmd = string[];

export interface WritePlan {
  /**
   * In order: hashes, then indexes and sketches (all idempotent), then the
   * guarded counter and stream scripts (`evalsha sha 2 target marker …`).
   */
  cmds: Cmd[];
  /** Content hash of the batch: the same records give the same id on every retry. */
  batch: string;
  /** Index TTLs this plan sets; remembered only once the plan has been applied. */
  expiresSet: [string, number][];
}

export interface WriterSettings {
  keys: KeySchema;
  mapper: FieldMapper;
  indexes: ReadonlySet<IndexName>;
  retention: RetentionSettings;
  slowThresholdMs: number;
  streamMaxLength: number;
  /** Seconds an idempotency marker lives. */
  dedupTtl: number;
}

/** Fields of a log hash (records that are not HTTP requests). */
const LOG_FIELDS = [
  'timestamp', 'level', 'event', 'message', 'hostname', 'component', 'session_id', 'user_id', 'client_ip', 'client_hostname',
  'client_id', 'trace_id', 'method', 'path', 'status_code', 'response_time_ms', 'error', 'attributes',
] as const;

/** Index TTLs get this much on top, and are lengthened (EXPIRE GT) at most once per this period per key. */
export const EXPIRE_SLACK = 3600;
/** Stream entries per guarded XADD group. */
const STREAM_PART = 200;
/** Members per ZADD; keeps a command's arguments under the script's unpack() limit. */
const ZADD_MEMBERS = 500;

interface ZEntry { pairs: string[]; ttl: number }

/** Queues one member for the index of `value` in a family. */
function zadd(family: Map<string, ZEntry>, value: string, score: string, member: string, ttl: number): void {
  const e = family.get(value);
  if (e === undefined) family.set(value, { pairs: [score, member], ttl });
  else {
    e.pairs.push(score, member);
    if (ttl > e.ttl) e.ttl = ttl;
  }
}

export class PlanBuilder {
  private readonly k: KeySchema;
  private readonly maxTtl: number;
  /** Key → Unix second its TTL was last set to end at; skips repeated EXPIREs. */
  private readonly expires = new Map<string, number>();
  private readonly ix: Record<IndexName, boolean>;

  constructor(private readonly s: WriterSettings) {
    this.k = s.keys;
    const r = s.retention;
    this.maxTtl = Math.max(r.requests, r.errors, r.oauth);
    this.ix = {} as Record<IndexName, boolean>;
    for (const name of ['ip', 'fqdn', 'host', 'user', 'session', 'client', 'status', 'method', 'path', 'errors', 'slow', 'level', 'event'] as const) {
      this.ix[name] = s.indexes.has(name);
    }
  }

  /** Forgets remembered TTLs (after a reconnect or a clear, keys may have been recreated without one). */
  forgetExpires(): void { this.expires.clear(); }

  /** Records the TTLs of an applied plan so the next batches skip them. */
  commit(plan: WritePlan): void {
    if (this.expires.size > 500_000) this.expires.clear();
    for (const [key, until] of plan.expiresSet) {
      const prev = this.expires.get(key);
      if (prev === undefined || until > prev) this.expires.set(key, until);
    }
  }

  build(records: readonly ReadableLogRecord[], nowSec: number): WritePlan {
    const k = this.k;
    const ix = this.ix;
    const ret = this.s.retention;
    const hash = createHash('sha1');
    const cmds: Cmd[] = [];
    // Members per index, grouped by family and keyed by the raw value, so no key string is built
    // per record (measured: a third of the planning time went to concatenating and hashing keys).
    const f = {
      ip: new Map<string, ZEntry>(), fqdn: new Map<string, ZEntry>(), host: new Map<string, ZEntry>(),
      user: new Map<string, ZEntry>(), session: new Map<string, ZEntry>(), client: new Map<string, ZEntry>(),
      status: new Map<string, ZEntry>(), method: new Map<string, ZEntry>(), path: new Map<string, ZEntry>(),
      level: new Map<string, ZEntry>(), event: new Map<string, ZEntry>(), logHost: new Map<string, ZEntry>(),
      rt: new Map<string, ZEntry>(), single: new Map<string, ZEntry>(),
    };
    // Latest use per known METHOD:route: ZADD GT keeps only the highest score anyway, so one pair per
    // route per batch instead of one per request (measured: 4.5 µs of redis-server CPU per record).
    const paths = new Map<string, { at: number; ts: string }>();
    const pf = new Map<string, string[]>();
    const hosts = new Set<string>();
    const counters = new Map<string, Map<string, number>>();
    const reqStream: string[] = [];
    const logStream: string[] = [];
    const seen = new Set<string>();

    const count = (key: string, field: string) => {
      let f = counters.get(key);
      if (f === undefined) { f = new Map(); counters.set(key, f); }
      f.set(field, (f.get(field) ?? 0) + 1);
    };

    for (let i = 0; i < records.length; i++) {
      const m = this.s.mapper.map(records[i]!);
      const e = m.entry;
      let sec = m.sec;
      let micros = m.micros;
      const oauth = e.client_id !== undefined || (e.event !== undefined && e.event.startsWith('oauth'));
      const hour = hourKey(sec);

      if (m.isRequest) {
        const code = e.status_code!;
        const ip = e.client_ip ?? 'unknown';
        let ts = tsString(sec, micros);
        let key = k.req(ts, ip);
        // Two requests from one address in the same microsecond: the later one moves up 1 µs (deterministic per batch).
        while (seen.has(key)) {
          if (++micros === 1_000_000) { micros = 0; sec++; }
          ts = tsString(sec, micros);
          key = k.req(ts, ip);
        }
        seen.add(key);
        const isError = code >= 400;
        const ttl = classTtl(ret, isError || e.level === 'ERROR' || e.level === 'CRITICAL', oauth);
        const json = JSON.stringify(e);
        hash.update(json);
        cmds.push(requestHashCmd(key, e), ['expire', key, String(ttl)]);

        if (ix.ip && e.client_ip !== null) zadd(f.ip, e.client_ip, ts, key, ttl);
        if (ix.fqdn && e.client_hostname !== null) zadd(f.fqdn, e.client_hostname, ts, key, ttl);
        if (ix.host && e.proxy_hostname !== null) zadd(f.host, e.proxy_hostname, ts, key, ttl);
        if (ix.user && e.user_id !== null) zadd(f.user, e.user_id, ts, key, ttl);
        if (ix.session && e.session_id !== undefined) zadd(f.session, e.session_id, ts, key, ttl);
        if (ix.client && e.client_id !== undefined) zadd(f.client, e.client_id, ts, key, ttl);
        if (ix.status) zadd(f.status, String(code), ts, key, ttl);
        if (ix.method) zadd(f.method, e.method!, ts, key, ttl);
        if (ix.path && m.route !== null) {
          const mp = `${e.method}:${m.route}`;
          zadd(f.path, mp, ts, key, ttl);
          const at = sec * 1e6 + micros;
          const last = paths.get(mp);
          if (last === undefined) paths.set(mp, { at, ts });
          else if (at > last.at) { last.at = at; last.ts = ts; }
        }
        if (ix.errors && isError) zadd(f.single, k.idxErrors, ts, key, ttl);
        if (ix.slow && e.response_time_ms !== null && e.response_time_ms >= this.s.slowThresholdMs) zadd(f.single, k.idxSlow, ts, key, ttl);
        if (ix.level) zadd(f.level, e.level, ts, key, ttl);
        if (ix.event && e.event !== undefined) zadd(f.event, e.event, ts, key, ttl);

        const statsKey = k.statsRequests(hour);
        count(statsKey, 'total');
        count(statsKey, `status_${code}`);
        if (isError) count(k.statsErrors(hour), String(code));
        if (e.event !== undefined) count(k.statsEvents(hour), e.event);
        const host = e.proxy_hostname ?? 'unknown';
        hosts.add(host);
        if (e.client_ip !== null) {
          const hll = k.uniqueIps(host, hour);
          const l = pf.get(hll);
          if (l === undefined) pf.set(hll, [e.client_ip]); else l.push(e.client_ip);
        }
        if (e.response_time_ms !== null) zadd(f.rt, host, ts, `${e.response_time_ms}:${code}:${key}`, ret.stats);
        reqStream.push(json);
      } else {
        const isError = e.level === 'ERROR' || e.level === 'CRITICAL';
        const ttl = classTtl(ret, isError, oauth);
        const entry = logEntryOf(e, m.hostname, m.rest);
        const json = JSON.stringify(entry, m.rest === null ? undefined : jsonSafe);
        hash.update(json);
        const ts = tsString(sec, micros);
        const seq = fnv1a(json);
        let key = k.log(ts, seq);
        for (let n = 1; seen.has(key); n++) key = k.log(ts, `${seq}-${n}`);
        seen.add(key);
        cmds.push(hashCmd(key, entry, LOG_FIELDS), ['expire', key, String(ttl)]);

        if (ix.level) zadd(f.level, e.level, ts, key, ttl);
        if (ix.event && e.event !== undefined) zadd(f.event, e.event, ts, key, ttl);
        if (ix.host && m.hostname !== null) zadd(f.logHost, m.hostname, ts, key, ttl);
        if (ix.ip && e.client_ip !== null) zadd(f.ip, e.client_ip, ts, key, ttl);
        if (ix.fqdn && e.client_hostname !== null) zadd(f.fqdn, e.client_hostname, ts, key, ttl);
        if (ix.user && e.user_id !== null) zadd(f.user, e.user_id, ts, key, ttl);
        if (ix.session && e.session_id !== undefined) zadd(f.session, e.session_id, ts, key, ttl);
        if (ix.client && e.client_id !== undefined) zadd(f.client, e.client_id, ts, key, ttl);
        if (e.event !== undefined) count(k.statsEvents(hour), e.event);
        logStream.push(json);
      }
    }

    const batch = hash.update(String(records.length)).digest('hex').slice(0, 16);
    const expiresSet: [string, number][] = [];
    const expire = (key: string, ttl: number) => {
      const t = String(ttl + EXPIRE_SLACK);
      // NX on every write: a key recreated after a FLUSHALL, a clear or a restart never stays without a TTL.
      cmds.push(['expire', key, t, 'NX']);
      // GT only ever lengthens the TTL, so an index lives as long as its longest-lived member; needed once per EXPIRE_SLACK per key.
      const until = this.expires.get(key);
      if (until !== undefined && until >= nowSec + ttl) return;
      cmds.push(['expire', key, t, 'GT']);
      expiresSet.push([key, nowSec + ttl + EXPIRE_SLACK]);
    };

    const emit = (key: string, pairs: string[], ttl: number, gt: boolean) => {
      for (let off = 0; off < pairs.length; off += ZADD_MEMBERS * 2) {
        const c: Cmd = gt ? ['zadd', key, 'GT'] : ['zadd', key];
        const end = Math.min(pairs.length, off + ZADD_MEMBERS * 2);
        for (let j = off; j < end; j++) c.push(pairs[j]!);
        cmds.push(c);
      }
      expire(key, ttl);
    };
    const family = (m: Map<string, ZEntry>, keyOf: (v: string) => string) => {
      for (const [v, e] of m) emit(keyOf(v), e.pairs, e.ttl, false);
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
    if (paths.size > 0) {
      const pairs: string[] = [];
      for (const [mp, last] of paths) pairs.push(last.ts, mp);
      emit(k.idxPaths, pairs, this.maxTtl, true);
    }
    for (const [key, ips] of pf) {
      for (let off = 0; off < ips.length; off += ZADD_MEMBERS) cmds.push(['pfadd', key, ...ips.slice(off, off + ZADD_MEMBERS)]);
      expire(key, ret.stats);
    }
    if (hosts.size > 0) {
      cmds.push(['sadd', k.statsHosts, ...hosts]);
      expire(k.statsHosts, ret.stats);
    }

    const dedupTtl = String(this.s.dedupTtl);
    for (const [key, fields] of counters) {
      const c: Cmd = ['evalsha', COUNT_SHA, '2', key, k.dedup(key, batch, 0), dedupTtl, String(ret.stats)];
      for (const [f, n] of fields) c.push(f, String(n));
      cmds.push(c);
    }
    this.streamParts(cmds, k.streamRequests, reqStream, batch);
    this.streamParts(cmds, k.streamLogs, logStream, batch);
    return { cmds, batch, expiresSet };
  }

  private streamParts(out: Cmd[], stream: string, entries: string[], batch: string): void {
    const max = String(this.s.streamMaxLength);
    for (let off = 0, part = 0; off < entries.length; off += STREAM_PART, part++) {
      const c: Cmd = ['evalsha', STREAM_SHA, '2', stream, this.k.dedup(stream, batch, part), String(this.s.dedupTtl), String(this.maxTtl), max];
      const end = Math.min(entries.length, off + STREAM_PART);
      for (let j = off; j < end; j++) c.push(entries[j]!);
      out.push(c);
    }
  }
}

/** The longest retention among the classes a record belongs to. */
export function classTtl(r: RetentionSettings, error: boolean, oauth: boolean): number {
  let t = r.requests;
  if (error && r.errors > t) t = r.errors;
  if (oauth && r.oauth > t) t = r.oauth;
  return t;
}

/** HSET of a request entry's present fields in the seed's order (written out: a field loop over the entry was measurably slower). */
function requestHashCmd(key: string, e: LogEntry): Cmd {
  const c: Cmd = ['hset', key, 'timestamp', e.timestamp];
  if (e.client_ip !== null) c.push('client_ip', e.client_ip);
  if (e.client_hostname !== null) c.push('client_hostname', e.client_hostname);
  if (e.proxy_hostname !== null) c.push('proxy_hostname', e.proxy_hostname);
  c.push('method', e.method!);
  if (e.path !== null) c.push('path', e.path);
  c.push('status_code', String(e.status_code));
  if (e.response_time_ms !== null) c.push('response_time_ms', String(e.response_time_ms));
  if (e.user_id !== null) c.push('user_id', e.user_id);
  if (e.user_agent !== null) c.push('user_agent', e.user_agent);
  if (e.referrer !== null) c.push('referrer', e.referrer);
  if (e.bytes_sent !== null) c.push('bytes_sent', String(e.bytes_sent));
  if (e.error !== null) c.push('error', e.error);
  if (e.session_id !== undefined) c.push('session_id', e.session_id);
  if (e.trace_id !== undefined) c.push('trace_id', e.trace_id);
  if (e.event !== undefined) c.push('event', e.event);
  c.push('level', e.level);
  if (e.message !== undefined) c.push('message', e.message);
  if (e.client_id !== undefined) c.push('client_id', e.client_id);
  return c;
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
