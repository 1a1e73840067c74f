// Records → WritePlan (plan.ts). Per record a hash with its TTL class; per
// index key one write carrying every member the batch adds to it; per
// HyperLogLog one PFADD; per stats hash one HINCRBY per field with the
// batch's summed increment; per record one stream entry. Aggregating by key
// keeps the command count near two per record whatever the number of indexes.
// The plan is applied as one transaction (once.ts), so none of it needs to be
// idempotent on its own. How it becomes commands is the encoders' business.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { add, Batch, bump, latest, type Group } from './batch.js';
import { INDEX_NAMES, type IndexName, type RetentionSettings } from './config.js';
import { fnv1a, jsonSafe, logEntryOf } from './entries.js';
import type { FieldMapper, Mapped } from './field-mapping.js';
import { hourKey, tsString, type KeySchema } from './key-schema.js';
import type { KeyWrite, StreamData, Ttl, WritePlan } from './plan.js';

export interface WriterSettings {
  keys: KeySchema;
  mapper: FieldMapper;
  indexes: ReadonlySet<IndexName>;
  retention: RetentionSettings;
  slowThresholdMs: number;
  streamMaxLength: number;
}

/** Index TTLs get this much on top, and are lengthened (EXPIRE GT) at most once per this period per key. */
export const EXPIRE_SLACK = 3600;
/** `oauth:flow:{session_id}` lives this long after its latest step (docs/redis-keys.md). */
export const OAUTH_FLOW_TTL = 3600;

/** The longest retention among the classes a record belongs to. */
export function classTtl(r: RetentionSettings, error: boolean, oauth: boolean): number {
  let t = r.requests;
  if (error && r.errors > t) t = r.errors;
  if (oauth && r.oauth > t) t = r.oauth;
  return t;
}

const statusFields = new Map<number, string>();
const codeFields = new Map<number, string>();
/** `status_{code}` (requests hash) or `{code}` (errors hash), one string per code rather than one per record. */
function codeField(cache: Map<number, string>, prefix: string, code: number): string {
  let f = cache.get(code);
  if (f === undefined) {
    f = `${prefix}${code}`;
    if (cache.size < 1000) cache.set(code, f);
  }
  return f;
}

function isOauth(m: Mapped): boolean {
  const e = m.entry;
  return e.client_id !== undefined || (e.event !== undefined && e.event.startsWith('oauth'));
}

export class PlanBuilder {
  private readonly k: KeySchema;
  private readonly maxTtl: number;
  /** Key → Unix second its TTL was last set to end at; skips repeated EXPIRE GTs. */
  private readonly expires = new Map<string, number>();
  private readonly ix: Record<IndexName, boolean>;

  constructor(private readonly s: WriterSettings) {
    this.k = s.keys;
    const r = s.retention;
    this.maxTtl = Math.max(r.requests, r.errors, r.oauth);
    this.ix = {} as Record<IndexName, boolean>;
    for (const name of INDEX_NAMES) this.ix[name] = s.indexes.has(name);
  }

  /** Forgets remembered TTLs (after a reconnect or a clear, keys may have been recreated without one). */
  forgetExpires(): void {
    this.expires.clear();
  }

  /** Records the TTLs of an applied plan so the next batches skip them. */
  commit(plan: WritePlan): void {
    if (this.expires.size > 500_000) this.expires.clear();
    for (const [key, until] of plan.expiresSet) {
      const prev = this.expires.get(key);
      if (prev === undefined || until > prev) this.expires.set(key, until);
    }
  }

  /**
   * `renames`: wanted entry key → the key to write instead (the wanted one is taken in Redis).
   * The same records and renames always give the same plan.
   */
  build(records: readonly ReadableLogRecord[], nowSec: number, renames?: ReadonlyMap<string, string>): WritePlan {
    const b = new Batch(renames);
    const mapper = this.s.mapper;
    for (let i = 0; i < records.length; i++) {
      const m = mapper.map(records[i]!);
      if (m.isRequest) this.request(b, m);
      else this.log(b, m);
    }
    const expiresSet: [string, number][] = [];
    const indexTtl = (key: string, ttl: number) => this.indexTtl(key, ttl, nowSec, expiresSet);
    const writes = new PlanWrites(this.k, this.s, this.maxTtl, indexTtl).of(b);
    return { entries: b.entries, members: b.members, writes, expiresSet, entryKeys: b.entryKeys, entryN: b.entryN };
  }

  /** An index key's TTL: NX on every write, GT only when not lengthened this far already. */
  private indexTtl(key: string, ttl: number, nowSec: number, expiresSet: [string, number][]): Ttl {
    const seconds = ttl + EXPIRE_SLACK;
    const until = this.expires.get(key);
    if (until !== undefined && until >= nowSec + ttl) return { seconds, mode: 'keep' };
    expiresSet.push([key, nowSec + seconds]);
    return { seconds, mode: 'lengthen' };
  }

  /** An HTTP request: its hash, its indexes, its hour's counters, its response time and stream entry. */
  private request(b: Batch, m: Mapped): void {
    const e = m.entry;
    const ix = this.ix;
    const f = b.f;
    const code = e.status_code!;
    const ts = tsString(m.sec, m.micros);
    const key = b.claim(this.k.req(ts, e.client_ip ?? 'unknown'));
    const isError = code >= 400;
    const oauth = isOauth(m);
    const ttl = classTtl(this.s.retention, isError || e.level === 'ERROR' || e.level === 'CRITICAL', oauth);
    const fi = b.member(ts, key);
    b.entries.push({ key, ttl, kind: 'request', entry: e });
    this.common(b, m, fi, ttl);
    if (ix.host && e.proxy_hostname !== null) add(f.host, e.proxy_hostname, fi, ttl);
    if (ix.status) add(f.status, code, fi, ttl);
    if (ix.method) add(f.method, e.method!, fi, ttl);
    if (ix.path && m.route !== null) {
      const mp = `${e.method}:${m.route}`;
      add(f.path, mp, fi, ttl);
      latest(b.paths, mp, m.sec * 1e6 + m.micros, ts);
    }
    if (ix.errors && isError) add(f.single, this.k.idxErrors, fi, ttl);
    const slow = e.response_time_ms !== null && e.response_time_ms >= this.s.slowThresholdMs;
    if (ix.slow && slow) add(f.single, this.k.idxSlow, fi, ttl);
    if (ix.level) add(f.level, e.level, fi, ttl);
    if (ix.event && e.event !== undefined) add(f.event, e.event, fi, ttl);
    if (ix.oauth && oauth) b.oauthActivity(e.event ?? 'request', m, ts, key, fi, ttl);

    const hc = b.hour(hourKey(m.sec));
    bump(hc.requests, 'total');
    bump(hc.requests, codeField(statusFields, 'status_', code));
    if (isError) bump(hc.errors, codeField(codeFields, '', code));
    if (e.event !== undefined) bump(hc.events, e.event);
    const host = e.proxy_hostname ?? 'unknown';
    b.hosts.add(host);
    if (e.client_ip !== null) {
      const l = hc.ips.get(host);
      if (l === undefined) hc.ips.set(host, [e.client_ip]);
      else l.push(e.client_ip);
    }
    if (e.response_time_ms !== null) {
      add(f.rt, host, b.member(ts, `${e.response_time_ms}:${code}:${key}`), this.s.retention.stats);
    }
    b.requestStream.push(e);
  }

  /** Any other record: its hash (the other attributes as JSON), indexes, event counter and stream entry. */
  private log(b: Batch, m: Mapped): void {
    const e = m.entry;
    const ix = this.ix;
    const f = b.f;
    const oauth = isOauth(m);
    const ttl = classTtl(this.s.retention, e.level === 'ERROR' || e.level === 'CRITICAL', oauth);
    const entry = logEntryOf(e, m.hostname, m.rest);
    const json = JSON.stringify(entry, m.rest === null ? undefined : jsonSafe);
    const ts = tsString(m.sec, m.micros);
    const key = b.claim(this.k.log(ts, fnv1a(json)));
    const fi = b.member(ts, key);
    b.entries.push({ key, ttl, kind: 'log', fields: entry });
    b.logStream.push(json);
    if (ix.level) add(f.level, e.level, fi, ttl);
    if (ix.event && e.event !== undefined) add(f.event, e.event, fi, ttl);
    if (ix.host && m.hostname !== null) add(f.logHost, m.hostname, fi, ttl);
    this.common(b, m, fi, ttl);
    if (ix.oauth && oauth) b.oauthActivity(e.event ?? 'log', m, ts, key, fi, ttl);
    const hc = b.hour(hourKey(m.sec));
    if (e.event !== undefined) bump(hc.events, e.event);
  }

  /** The indexes requests and logs share: by client address and hostname, user, session and OAuth client. */
  private common(b: Batch, m: Mapped, fi: number, ttl: number): void {
    const e = m.entry;
    const ix = this.ix;
    const f = b.f;
    if (ix.ip && e.client_ip !== null) add(f.ip, e.client_ip, fi, ttl);
    if (ix.fqdn && e.client_hostname !== null) add(f.fqdn, e.client_hostname, fi, ttl);
    if (ix.user && e.user_id !== null) add(f.user, e.user_id, fi, ttl);
    if (ix.session && e.session_id !== undefined) add(f.session, e.session_id, fi, ttl);
    if (ix.client && e.client_id !== undefined) add(f.client, e.client_id, fi, ttl);
  }
}

/** A gathered batch → its key writes, in the order they are applied. */
class PlanWrites {
  private readonly out: KeyWrite[] = [];

  constructor(
    private readonly k: KeySchema,
    private readonly s: WriterSettings,
    private readonly maxTtl: number,
    private readonly indexTtl: (key: string, ttl: number) => Ttl,
  ) {}

  of(b: Batch): KeyWrite[] {
    this.indexes(b);
    this.activity(b);
    this.stats(b);
    this.stream(this.k.streamRequests, b.requestStream);
    this.stream(this.k.streamLogs, b.logStream);
    return this.out;
  }

  private stream(key: string, entries: StreamData[]): void {
    if (entries.length === 0) return;
    const ttl: Ttl = { seconds: this.maxTtl, mode: 'set' };
    this.out.push({ type: 'xadd', key, maxLength: this.s.streamMaxLength, entries, ttl });
  }

  private indexes(b: Batch): void {
    const k = this.k;
    const f = b.f;
    this.family(f.ip, (v) => k.idxIp(v));
    this.family(f.fqdn, (v) => k.idxFqdn(v));
    this.family(f.host, (v) => k.idxHost(v));
    this.family(f.user, (v) => k.idxUser(v));
    this.family(f.session, (v) => k.idxSession(v));
    this.family(f.client, (v) => k.idxClient(v));
    this.family(f.status, (v) => k.idxStatus(v));
    this.family(f.method, (v) => k.idxMethod(v));
    this.family(f.path, (v) => {
      const i = v.indexOf(':');
      return k.idxPath(v.slice(0, i), v.slice(i + 1));
    });
    this.family(f.single, (v) => v);
    this.family(f.level, (v) => k.logLevel(v));
    this.family(f.event, (v) => k.logEvent(v));
    this.family(f.logHost, (v) => k.logHost(v));
    this.family(f.rt, (v) => k.responseTimes(v));
    this.family(f.oauth, (v) => k.idxOauth(v));
  }

  private family<V>(m: Map<V, Group>, keyOf: (v: V) => string): void {
    for (const [v, g] of m) {
      const key = keyOf(v);
      this.out.push({ type: 'zadd', key, members: g.members, gt: false, ttl: this.indexTtl(key, g.ttl) });
    }
  }

  /** OAuth event types by latest use, OAuth flows (the schema's track_oauth_flow), known routes by latest use. */
  private activity(b: Batch): void {
    const k = this.k;
    if (b.oauthTypes.size > 0) {
      const members: number[] = [];
      for (const [type, last] of b.oauthTypes) members.push(b.member(last.ts, type));
      const ttl = this.indexTtl(k.oauthEvents, this.s.retention.oauth);
      this.out.push({ type: 'zadd', key: k.oauthEvents, members, gt: true, ttl });
    }
    // Inside the batch's transaction (or its slot's guarded script on a cluster), so a replay never pushes twice.
    const flowTtl: Ttl = { seconds: OAUTH_FLOW_TTL, mode: 'set' };
    for (const [session, steps] of b.flows) {
      this.out.push({ type: 'rpush', key: k.oauthFlow(session), values: steps, ttl: flowTtl });
    }
    if (b.paths.size > 0) {
      const members: number[] = [];
      for (const [mp, last] of b.paths) members.push(b.member(last.ts, mp));
      this.out.push({ type: 'zadd', key: k.idxPaths, members, gt: true, ttl: this.indexTtl(k.idxPaths, this.maxTtl) });
    }
  }

  /** Per hour: unique visitors per host; the hosts seen; per hour the request, error and event counters. */
  private stats(b: Batch): void {
    const k = this.k;
    const stats = this.s.retention.stats;
    for (const [hour, h] of b.hours) {
      for (const [host, ips] of h.ips) {
        const key = k.uniqueIps(host, hour);
        this.out.push({ type: 'pfadd', key, values: ips, ttl: this.indexTtl(key, stats) });
      }
    }
    if (b.hosts.size > 0) {
      this.out.push({ type: 'sadd', key: k.statsHosts, values: [...b.hosts], ttl: this.indexTtl(k.statsHosts, stats) });
    }
    const ttl: Ttl = { seconds: stats, mode: 'set' };
    for (const [hour, h] of b.hours) {
      if (h.requests.size > 0) this.out.push({ type: 'hincrby', key: k.statsRequests(hour), fields: h.requests, ttl });
      if (h.errors.size > 0) this.out.push({ type: 'hincrby', key: k.statsErrors(hour), fields: h.errors, ttl });
      if (h.events.size > 0) this.out.push({ type: 'hincrby', key: k.statsEvents(hour), fields: h.events, ttl });
    }
  }
}
