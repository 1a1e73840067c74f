// Reads over what the exporter wrote. Every entry query walks one or more
// sorted-set indexes newest first (ZREVRANGEBYSCORE … WITHSCORES LIMIT),
// fetches the hashes with one pipelined HGETALL per page, skips members whose
// hash has expired, applies any remaining filter, and returns at most `limit`
// entries oldest → newest. Index keys are built from the parameters by string
// concatenation only; no parameter ever reaches a KEYS or SCAN pattern.
import { LEVELS } from '../../src/model/log-record.js';
import type { Reply, Transport } from './connection.js';
import { normalizePath } from './field-mapping.js';
import { hoursBetween, type KeySchema } from './key-schema.js';
import type { Cmd } from './plan.js';
import type { EventStats, Metrics, PathPattern, PathPatterns } from '../../src/extensions/query-api/responses.js';

export type { EventStats, Metrics, PathPattern, PathPatterns } from '../../src/extensions/query-api/responses.js';

export type Entry = Record<string, unknown>;

export interface Window {
  /** How far back, in hours. */
  hours: number;
  limit: number;
}

export interface EntryFilter {
  event?: string;
  levels?: string[];
  hostname?: string;
  /** Case-insensitive substring of message, path, error or event. */
  q?: string;
  minResponseMs?: number;
  path?: Glob;
  /** Exact matches on entry fields (OAuth queries). */
  clientIp?: string;
  userId?: string;
  clientId?: string;
}

/** One OAuth flow (`oauth:flow:{session_id}`): its steps oldest first. */
export interface OauthFlow {
  session_id: string;
  client_id: string | null;
  user_id: string | null;
  client_ip: string | null;
  started: string;
  ended: string;
  /** `flow`: read from the session's `oauth:flow:` list (kept 1 h after its latest step); `entries`: rebuilt from the stored entries once the list has expired. */
  source: 'flow' | 'entries';
  steps: { step: string; timestamp: number; data: Record<string, unknown> }[];
}

/** One time bucket of `/logs/metrics/series`. */
export interface SeriesBucket {
  /** Bucket start, Unix seconds. */
  start: number;
  requests: number;
  requests_per_second: number;
  error_rate: number;
  p50_response_time: number | null;
  p95_response_time: number | null;
  p99_response_time: number | null;
  /** Distinct client addresses among the bucket's sampled requests. */
  unique_visitors: number;
}

export interface MetricsSeries {
  hours: number;
  bucket_seconds: number;
  hostname: string | null;
  /** Whether the rates and percentiles come from a sample (request counts are always exact). */
  sampled: boolean;
  buckets: SeriesBucket[];
}

/** OAuth event-type sets merged at most by one OAuth query (the most recently used). */
const MAX_OAUTH_TYPES = 100;
/** Candidates examined at most by a filtered query, as a multiple of its limit (and never fewer than 5,000). */
const SCAN_FACTOR = 50;
/** Response-time samples read for percentiles; larger windows are sampled evenly across time. */
const MAX_SAMPLES = 50_000;
const SAMPLE_SLICES = 20;
/** Path indexes merged at most by one `/logs/path` query (the most recently used ones). */
const MAX_PATH_SOURCES = 100;
/** Method:route pairs read from `idx:req:paths` (as `/logs/path` does), and counted at most by one `/logs/paths` query. */
const MAX_PATH_PAIRS = 10_000;
/** ZCOUNTs per round trip of `/logs/paths`. */
const COUNT_BATCH = 1000;

const NUMERIC = new Set(['status_code', 'response_time_ms', 'bytes_sent']);
const REQUEST_NULLS = [
  'client_ip',
  'client_hostname',
  'proxy_hostname',
  'method',
  'path',
  'status_code',
  'response_time_ms',
  'user_id',
  'user_agent',
  'referrer',
  'bytes_sent',
  'error',
];

interface Source {
  key: string;
  offset: number;
  buf: [string, number][];
  done: boolean;
}

export class RedisLogQueries {
  constructor(
    /** The reader, connected (rejects when Redis is unreachable). */
    private readonly transport: () => Promise<Transport>,
    private readonly keys: KeySchema,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {}

  ip(ip: string, w: Window, f: EntryFilter = {}): Promise<Entry[]> {
    return this.entries([this.keys.idxIp(ip)], w, f);
  }
  user(user: string, w: Window, f: EntryFilter = {}): Promise<Entry[]> {
    return this.entries([this.keys.idxUser(user)], w, f);
  }
  session(id: string, w: Window, f: EntryFilter = {}): Promise<Entry[]> {
    return this.entries([this.keys.idxSession(id)], w, f);
  }
  client(id: string, w: Window, f: EntryFilter = {}): Promise<Entry[]> {
    return this.entries([this.keys.idxClient(id)], w, f);
  }
  method(method: string, w: Window): Promise<Entry[]> {
    return this.entries([this.keys.idxMethod(method.toUpperCase())], w, {});
  }
  status(code: number, w: Window): Promise<Entry[]> {
    return this.entries([this.keys.idxStatus(code)], w, {});
  }

  /** By client FQDN (`client`), proxy hostname (`proxy`: requests and other logs), or either (`any`). */
  host(hostname: string, role: 'client' | 'proxy' | 'any', w: Window, f: EntryFilter = {}): Promise<Entry[]> {
    const k = this.keys;
    const sources =
      role === 'client'
        ? [k.idxFqdn(hostname)]
        : role === 'proxy'
          ? [k.idxHost(hostname), k.logHost(hostname)]
          : [k.idxFqdn(hostname), k.idxHost(hostname), k.logHost(hostname)];
    return this.entries(sources, w, f);
  }

  /** 4xx/5xx requests and ERROR/CRITICAL entries (and WARNING with `includeWarnings`). */
  errors(w: Window, includeWarnings = false): Promise<Entry[]> {
    const k = this.keys;
    const sources = [k.idxErrors, k.logLevel('ERROR'), k.logLevel('CRITICAL')];
    if (includeWarnings) sources.push(k.logLevel('WARNING'));
    return this.entries(sources, w, {});
  }

  /**
   * OAuth activity (records whose event name starts with `oauth` or that carry a client id):
   * the `idx:oauth:{event_type}` sets of the event types used in the window (from `oauth:events`,
   * at most MAX_OAUTH_TYPES, the most recently used), or the one of `f.event`, narrowed by client
   * address, user and client id.
   */
  async oauth(w: Window, f: EntryFilter = {}): Promise<Entry[]> {
    const sources = await this.oauthSources(w, f.event);
    if (sources.length === 0) return [];
    return this.entries(sources, w, f);
  }

  /**
   * OAuth flows in the window, newest first (at most `w.limit`): the sessions of the OAuth entries
   * matching `f` (client id, user), each with its steps from `oauth:flow:{session_id}` while that
   * list lives, else rebuilt from the session's OAuth entries in the window.
   */
  async oauthFlows(w: Window, f: EntryFilter = {}): Promise<OauthFlow[]> {
    const found = await this.oauth({ hours: w.hours, limit: Math.min(10_000, Math.max(1000, w.limit * 20)) }, f);
    const bySession = new Map<string, Entry[]>();
    for (let i = found.length - 1; i >= 0; i--) {
      const e = found[i]!;
      if (typeof e.session_id !== 'string') continue;
      const l = bySession.get(e.session_id);
      if (l === undefined) {
        if (bySession.size < w.limit) bySession.set(e.session_id, [e]);
      } else l.push(e);
    }
    if (bySession.size === 0) return [];
    const sessions = [...bySession.keys()];
    const t = await this.transport();
    const lists = await t.run(sessions.map((sid) => ['lrange', this.keys.oauthFlow(sid), '0', '-1']));
    const flows: OauthFlow[] = [];
    sessions.forEach((sid, i) => {
      const raw = ok(lists[i]!) as string[];
      let steps: OauthFlow['steps'] = [];
      for (const r of raw) {
        try {
          steps.push(JSON.parse(r) as OauthFlow['steps'][number]);
        } catch {
          /* not ours */
        }
      }
      const entries = bySession.get(sid)!.reverse();
      const source = steps.length > 0 ? 'flow' : 'entries';
      if (steps.length === 0) {
        steps = entries.map((e) => ({
          step: typeof e.event === 'string' ? e.event : typeof e.method === 'string' ? 'request' : 'log',
          timestamp: Date.parse(String(e.timestamp)) / 1000,
          data: flowDataOf(e),
        }));
      }
      const pick = (field: string): string | null => {
        for (const s of steps) if (typeof s.data[field] === 'string') return s.data[field] as string;
        return null;
      };
      const first = steps[0]!;
      const last = steps[steps.length - 1]!;
      flows.push({
        session_id: sid,
        client_id: pick('client_id'),
        user_id: pick('user_id'),
        client_ip: pick('client_ip'),
        started: new Date(first.timestamp * 1000).toISOString(),
        ended: new Date(last.timestamp * 1000).toISOString(),
        source,
        steps,
      });
    });
    return flows;
  }

  private async oauthSources(w: Window, event?: string): Promise<string[]> {
    if (event !== undefined) return [this.keys.idxOauth(event)];
    const from = String(this.now() - w.hours * 3600);
    const [reply] = await (
      await this.transport()
    ).run([['zrevrangebyscore', this.keys.oauthEvents, '+inf', from, 'LIMIT', '0', String(MAX_OAUTH_TYPES)]]);
    return (ok(reply!) as string[]).map((type) => this.keys.idxOauth(type));
  }

  /** Requests at or over the exporter's slow threshold, optionally only those at or over `thresholdMs`. */
  slow(w: Window, thresholdMs?: number): Promise<Entry[]> {
    return this.entries([this.keys.idxSlow], w, thresholdMs === undefined ? {} : { minResponseMs: thresholdMs });
  }

  /** Recent entries of any kind, narrowed by event, level, hostname and free text. */
  search(w: Window, f: EntryFilter): Promise<Entry[]> {
    const k = this.keys;
    let sources: string[];
    if (f.event !== undefined) sources = [k.logEvent(f.event)];
    else if (f.hostname !== undefined) sources = [k.idxHost(f.hostname), k.logHost(f.hostname)];
    else sources = (f.levels ?? LEVELS).map((l) => k.logLevel(l));
    return this.entries(sources, w, f);
  }

  /**
   * Requests whose path matches a glob (`*` matches anything, `/` included).
   * Candidate indexes come from `idx:req:paths` (method:route pairs seen),
   * matched in JavaScript against the glob and against its normalised form
   * (`/users/123` → `/users/:id`); entries are then matched on their real path.
   */
  async path(pattern: string, w: Window, method?: string): Promise<Entry[]> {
    const glob = compileGlob(pattern);
    const normal = compileGlob(normalizePath(pattern));
    const from = this.now() - w.hours * 3600;
    const [reply] = await (
      await this.transport()
    ).run([['zrevrangebyscore', this.keys.idxPaths, '+inf', String(from), 'LIMIT', '0', '10000']]);
    const pairs = ok(reply!) as string[];
    const sources: string[] = [];
    const m = method?.toUpperCase();
    for (const mp of pairs) {
      const i = mp.indexOf(':');
      const pm = mp.slice(0, i);
      const route = mp.slice(i + 1);
      if (m !== undefined && pm !== m) continue;
      if (!glob.test(route) && !normal.test(route)) continue;
      sources.push(this.keys.idxPath(pm, route));
      if (sources.length >= MAX_PATH_SOURCES) break;
    }
    if (sources.length === 0) return [];
    return this.entries(sources, w, { path: glob });
  }

  /**
   * The seed's analyze_path_patterns over the last `hours`: the most requested
   * normalised path patterns with their counts. Reads only what the path index
   * already holds: the method:route pairs used in the window from
   * `idx:req:paths` (at most MAX_PATH_PAIRS, the most recently used), then one
   * ZCOUNT per pair on its `idx:req:path:{method}:{route}` over the window. The
   * route is the normalised path (`/users/123` → `/users/:id`), or `http.route`
   * when the record had one; it is normalised again here so a route holding an
   * id still collapses, and pairs of the same pattern are summed across methods.
   */
  async paths(hours: number, limit: number): Promise<PathPatterns> {
    const t = await this.transport();
    const from = String(this.now() - hours * 3600);
    const [reply] = await t.run([
      ['zrevrangebyscore', this.keys.idxPaths, '+inf', from, 'LIMIT', '0', String(MAX_PATH_PAIRS)],
    ]);
    const pairs = ok(reply!) as string[];
    const byPattern = new Map<string, PathPattern>();
    let total = 0;
    for (let off = 0; off < pairs.length; off += COUNT_BATCH) {
      const part = pairs.slice(off, off + COUNT_BATCH);
      const counts = await t.run(
        part.map((mp) => {
          const i = mp.indexOf(':');
          return ['zcount', this.keys.idxPath(mp.slice(0, i), mp.slice(i + 1)), from, '+inf'];
        }),
      );
      part.forEach((mp, j) => {
        const n = Number(ok(counts[j]!));
        if (!(n > 0)) return;
        const i = mp.indexOf(':');
        const method = mp.slice(0, i);
        const pattern = normalizePath(mp.slice(i + 1));
        let p = byPattern.get(pattern);
        if (p === undefined) {
          p = { pattern, count: 0, methods: {} };
          byPattern.set(pattern, p);
        }
        p.count += n;
        p.methods[method] = (p.methods[method] ?? 0) + n;
        total += n;
      });
    }
    const patterns = [...byPattern.values()]
      .sort((a, b) => b.count - a.count || (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0))
      .slice(0, limit);
    return { hours, total, patterns, truncated: pairs.length >= MAX_PATH_PAIRS };
  }

  /** Counts per event name, request totals by status and error counts by code, summed over the hour buckets in the window. */
  async events(hours: number): Promise<EventStats> {
    const now = this.now();
    const hourKeys = hoursBetween(now - hours * 3600, now);
    const k = this.keys;
    const cmds: Cmd[] = [];
    for (const h of hourKeys)
      cmds.push(['hgetall', k.statsEvents(h)], ['hgetall', k.statsRequests(h)], ['hgetall', k.statsErrors(h)]);
    const replies = await (await this.transport()).run(cmds);
    const events = new Map<string, number>();
    const byStatus: Record<string, number> = {};
    const errors: Record<string, number> = {};
    let total = 0;
    let totalEvents = 0;
    for (let i = 0; i < replies.length; i += 3) {
      for (const [name, v] of Object.entries(asHash(ok(replies[i]!)))) {
        events.set(name, (events.get(name) ?? 0) + Number(v));
        totalEvents += Number(v);
      }
      for (const [field, v] of Object.entries(asHash(ok(replies[i + 1]!)))) {
        if (field === 'total') total += Number(v);
        else if (field.startsWith('status_')) byStatus[field.slice(7)] = (byStatus[field.slice(7)] ?? 0) + Number(v);
      }
      for (const [code, v] of Object.entries(asHash(ok(replies[i + 2]!))))
        errors[code] = (errors[code] ?? 0) + Number(v);
    }
    return {
      hours,
      total_events: totalEvents,
      events: [...events]
        .map(([event, count]) => ({ event, count }))
        .sort((a, b) => b.count - a.count || a.event.localeCompare(b.event)),
      requests: { total, by_status: byStatus },
      errors,
    };
  }

  /**
   * The seed's export_metrics over the last `hours`: requests per second,
   * error rate and p50/p95/p99 response time from the per-host response-time
   * sets (sampled evenly over time past MAX_SAMPLES), unique visitors from the
   * hourly HyperLogLogs (their union, so a visitor seen in two hours counts once).
   */
  async metrics(hours: number, hostname?: string): Promise<Metrics> {
    const t = await this.transport();
    const k = this.keys;
    const now = this.now();
    const from = now - hours * 3600;
    let hosts: string[];
    if (hostname !== undefined) hosts = [hostname];
    else hosts = ok((await t.run([['smembers', k.statsHosts]]))[0]!) as string[];
    hosts.sort();
    const rtKeys = hosts.map((h) => k.responseTimes(h));
    const counts = (await t.run(rtKeys.map((key) => ['zcount', key, String(from), '+inf']))).map((r) => Number(ok(r)));
    const requests = counts.reduce((a, b) => a + b, 0);
    const perHost = Math.max(1, Math.floor(MAX_SAMPLES / Math.max(1, hosts.length)));
    const reads: Cmd[] = [];
    rtKeys.forEach((key, i) => {
      const n = counts[i]!;
      if (n === 0) return;
      if (n <= perHost) {
        reads.push(['zrangebyscore', key, String(from), '+inf']);
        return;
      }
      const per = Math.max(1, Math.floor(perHost / SAMPLE_SLICES));
      for (let s = 0; s < SAMPLE_SLICES; s++) {
        reads.push([
          'zrangebyscore',
          key,
          String(from),
          '+inf',
          'LIMIT',
          String(Math.floor((s * n) / SAMPLE_SLICES)),
          String(per),
        ]);
      }
    });
    const times: number[] = [];
    let errorCount = 0;
    for (const r of await t.run(reads)) {
      for (const member of ok(r) as string[]) {
        const a = member.indexOf(':');
        const b = member.indexOf(':', a + 1);
        times.push(Number(member.slice(0, a)));
        if (Number(member.slice(a + 1, b)) >= 400) errorCount++;
      }
    }
    times.sort((x, y) => x - y);
    const hllKeys: string[] = [];
    for (const h of hoursBetween(from, now)) for (const host of hosts) hllKeys.push(k.uniqueIps(host, h));
    const visitors = await t.pfcountUnion(hllKeys, `${k.prefix}tmp:`);
    return {
      hours,
      hostname: hostname ?? null,
      requests,
      requests_per_second: round(requests / (hours * 3600), 4),
      error_rate: times.length === 0 ? 0 : round(errorCount / times.length, 4),
      p50_response_time: percentile(times, 50),
      p95_response_time: percentile(times, 95),
      p99_response_time: percentile(times, 99),
      unique_visitors: visitors,
      samples: times.length,
    };
  }

  /**
   * The metrics over time: `buckets` equal slices of the last `hours`, oldest
   * first. Request counts are exact (ZCOUNT per slice); error rate,
   * percentiles and unique visitors come from the response-time set members
   * (`{ms}:{status}:{entry key}`), read whole up to MAX_SAMPLES and otherwise
   * sampled evenly over time as metrics() does.
   */
  async series(hours: number, buckets: number, hostname?: string): Promise<MetricsSeries> {
    const t = await this.transport();
    const k = this.keys;
    const now = this.now();
    const width = (hours * 3600) / buckets;
    const from = now - hours * 3600;
    const hosts =
      hostname !== undefined ? [hostname] : (ok((await t.run([['smembers', k.statsHosts]]))[0]!) as string[]);
    const rtKeys = hosts.map((h) => k.responseTimes(h));
    const edges = Array.from({ length: buckets + 1 }, (_, i) => from + i * width);
    const countCmds: Cmd[] = [];
    for (const key of rtKeys) {
      for (let b = 0; b < buckets; b++) countCmds.push(['zcount', key, String(edges[b]), `(${edges[b + 1]}`]);
    }
    const counts = (await t.run(countCmds)).map((r) => Number(ok(r)));
    const perBucket = new Array<number>(buckets).fill(0);
    counts.forEach((n, i) => {
      perBucket[i % buckets]! += n;
    });
    const total = perBucket.reduce((a, b) => a + b, 0);
    const perHost = Math.max(1, Math.floor(MAX_SAMPLES / Math.max(1, hosts.length)));
    const reads: Cmd[] = rtKeys.map((key) => [
      'zrangebyscore',
      key,
      String(from),
      '+inf',
      'WITHSCORES',
      'LIMIT',
      '0',
      String(perHost),
    ]);
    const samples = Array.from({ length: buckets }, () => ({
      times: [] as number[],
      errors: 0,
      ips: new Set<string>(),
    }));
    for (const r of await t.run(reads)) {
      const flat = ok(r) as string[];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const b = Math.min(buckets - 1, Math.floor((Number(flat[i + 1]) - from) / width));
        if (b < 0) continue;
        const member = flat[i]!;
        const a = member.indexOf(':');
        const c = member.indexOf(':', a + 1);
        const s = samples[b]!;
        s.times.push(Number(member.slice(0, a)));
        if (Number(member.slice(a + 1, c)) >= 400) s.errors++;
        s.ips.add(clientOfKey(member.slice(c + 1)));
      }
    }
    const out: SeriesBucket[] = samples.map((s, b) => {
      s.times.sort((x, y) => x - y);
      return {
        start: round(edges[b]!, 3),
        requests: perBucket[b]!,
        requests_per_second: round(perBucket[b]! / width, 4),
        error_rate: s.times.length === 0 ? 0 : round(s.errors / s.times.length, 4),
        p50_response_time: percentile(s.times, 50),
        p95_response_time: percentile(s.times, 95),
        p99_response_time: percentile(s.times, 99),
        unique_visitors: s.ips.size,
      };
    });
    return {
      hours,
      bucket_seconds: round(width, 3),
      hostname: hostname ?? null,
      sampled: total > perHost,
      buckets: out,
    };
  }

  /** Deletes every key of this exporter's families (fixed SCAN patterns) and returns how many were removed. */
  async clear(): Promise<number> {
    const t = await this.transport();
    let deleted = 0;
    const unlink = async (keys: string[]) => {
      for (const [err, n] of await t.run(keys.map((key) => ['unlink', key]))) if (!err) deleted += Number(n);
    };
    for (const pattern of this.keys.families()) await t.scan(pattern, unlink);
    await unlink(this.keys.singles());
    return deleted;
  }

  /** Merges the sources newest first, fetches hashes page by page, filters, and returns oldest → newest. */
  private async entries(sourceKeys: string[], w: Window, f: EntryFilter): Promise<Entry[]> {
    const t = await this.transport();
    const min = String(this.now() - w.hours * 3600);
    const filtered =
      f.event !== undefined ||
      f.levels !== undefined ||
      f.hostname !== undefined ||
      f.q !== undefined ||
      f.minResponseMs !== undefined ||
      f.path !== undefined ||
      f.clientIp !== undefined ||
      f.userId !== undefined ||
      f.clientId !== undefined;
    const page = filtered || sourceKeys.length > 1 ? Math.min(1000, Math.max(100, w.limit * 2)) : w.limit;
    const cap = filtered ? Math.max(5000, w.limit * SCAN_FACTOR) : Infinity;
    const sources: Source[] = sourceKeys.map((key) => ({ key, offset: 0, buf: [], done: false }));
    const seen = new Set<string>();
    const out: Entry[] = [];
    const q = f.q?.toLowerCase();
    const reqPrefix = `${this.keys.prefix}req:`;
    let examined = 0;

    while (out.length < w.limit && examined < cap) {
      const refill = sources.filter((s) => !s.done && s.buf.length === 0);
      if (refill.length > 0) {
        const replies = await t.run(
          refill.map((s) => [
            'zrevrangebyscore',
            s.key,
            '+inf',
            min,
            'WITHSCORES',
            'LIMIT',
            String(s.offset),
            String(page),
          ]),
        );
        refill.forEach((s, i) => {
          const flat = ok(replies[i]!) as string[];
          for (let j = 0; j < flat.length; j += 2) s.buf.push([flat[j]!, Number(flat[j + 1])]);
          s.offset += flat.length / 2;
          if (flat.length / 2 < page) s.done = true;
        });
      }
      // Take members newest first while every open source still has a buffered head to compare against.
      const batch: string[] = [];
      const want = Math.min(page, w.limit - out.length + (filtered ? page : 0));
      while (batch.length < want) {
        let best: Source | undefined;
        let blocked = false;
        for (const s of sources) {
          if (s.buf.length === 0) {
            if (!s.done) blocked = true;
            continue;
          }
          if (best === undefined || s.buf[0]![1] > best.buf[0]![1]) best = s;
        }
        if (best === undefined || blocked) break;
        const [member] = best.buf.shift()!;
        if (!seen.has(member)) {
          seen.add(member);
          batch.push(member);
        }
      }
      if (batch.length === 0) {
        if (sources.every((s) => s.done && s.buf.length === 0)) break;
        continue;
      }
      examined += batch.length;
      const hashes = await t.run(batch.map((key) => ['hgetall', key]));
      for (let i = 0; i < batch.length && out.length < w.limit; i++) {
        const h = hashes[i]![0] ? undefined : asHash(hashes[i]![1]);
        if (!h || h.timestamp === undefined) continue; // expired hash, member not yet trimmed
        const e = toEntry(batch[i]!, h, batch[i]!.startsWith(reqPrefix));
        if (filtered && !accept(e, f, q)) continue;
        out.push(e);
      }
    }
    return out.reverse();
  }
}

function accept(e: Entry, f: EntryFilter, q: string | undefined): boolean {
  if (f.event !== undefined && e.event !== f.event) return false;
  if (f.levels !== undefined && !f.levels.includes(e.level as string)) return false;
  if (f.hostname !== undefined && e.proxy_hostname !== f.hostname && e.hostname !== f.hostname) return false;
  if (
    f.minResponseMs !== undefined &&
    !(typeof e.response_time_ms === 'number' && e.response_time_ms >= f.minResponseMs)
  )
    return false;
  if (f.path !== undefined && !(typeof e.path === 'string' && f.path.test(e.path))) return false;
  if (f.clientIp !== undefined && e.client_ip !== f.clientIp) return false;
  if (f.userId !== undefined && e.user_id !== f.userId) return false;
  if (f.clientId !== undefined && e.client_id !== f.clientId) return false;
  if (q !== undefined) {
    const hay = [e.message, e.path, e.error, e.event]
      .filter((v) => typeof v === 'string')
      .join('\n')
      .toLowerCase();
    if (!hay.includes(q)) return false;
  }
  return true;
}

/** The client address part of an entry key (`…req:{ts}:{ip}`; a rare `:{n}` collision suffix is kept). */
function clientOfKey(key: string): string {
  const m = /req:\d+\.\d+:(.*)$/.exec(key);
  return m ? m[1]! : key;
}

/** A flow step's `data` rebuilt from a stored entry (the fields entries.ts puts in `oauth:flow:` steps). */
function flowDataOf(e: Entry): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  for (const k of [
    'id',
    'level',
    'client_id',
    'user_id',
    'client_ip',
    'method',
    'path',
    'status_code',
    'error',
    'message',
  ]) {
    if (e[k] !== null && e[k] !== undefined) d[k] = e[k];
  }
  return d;
}

/** A hash as JSON: numbers as numbers, request fields absent from the hash as null (the seed's entry shape), attributes parsed. */
function toEntry(key: string, h: Record<string, string>, isRequest: boolean): Entry {
  const e: Entry = { id: key, timestamp: h.timestamp };
  if (isRequest) for (const f of REQUEST_NULLS) e[f] = null;
  for (const f in h) {
    const v = h[f]!;
    if (NUMERIC.has(f)) {
      const n = Number(v);
      e[f] = Number.isFinite(n) ? n : v;
    } else if (f === 'attributes') {
      try {
        e[f] = JSON.parse(v);
      } catch {
        e[f] = v;
      }
    } else e[f] = v;
  }
  return e;
}

/** HGETALL as an object: ioredis (cluster) gives one, the RESP pipeline gives the flat field/value array. */
function asHash(v: unknown): Record<string, string> {
  if (!Array.isArray(v)) return (v ?? {}) as Record<string, string>;
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < v.length; i += 2) o[v[i] as string] = v[i + 1] as string;
  return o;
}

function ok(r: Reply): unknown {
  if (r[0]) throw r[0];
  return r[1];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * A glob where `*` matches any run of characters (`/` included) and `?` one
 * UTF-16 code unit; everything else is literal. No regex: the pattern is cut
 * at its stars into fixed-length pieces, the first must start the text, the
 * last must end it, and the others are found left to right, each at its first
 * place after the one before (the leftmost place always leaves the most room,
 * so nothing is ever retried). Pieces without `?` are found with indexOf, so a
 * match reads the text about once whatever the pattern; a piece with `?` is
 * tried place by place, at most (text length × piece length). The regex this
 * replaces turned each `*` into `.*` and backtracked: 40 stars then `Z` froze
 * the collector.
 */
export class Glob {
  private readonly pieces: string[];
  private readonly starred: boolean;

  constructor(readonly source: string) {
    const parts = source.split('*');
    this.starred = parts.length > 1;
    // Runs of stars are one star: empty middle pieces match anywhere.
    this.pieces = parts.filter((x, i) => x !== '' || i === 0 || i === parts.length - 1);
  }

  test(s: string): boolean {
    const p = this.pieces;
    const head = p[0]!;
    if (!this.starred) return s.length === head.length && pieceAt(s, 0, head);
    const tail = p[p.length - 1]!;
    const end = s.length - tail.length;
    if (end < head.length || !pieceAt(s, 0, head) || !pieceAt(s, end, tail)) return false;
    let pos = head.length;
    for (let i = 1; i < p.length - 1; i++) {
      const at = findPiece(s, p[i]!, pos, end);
      if (at < 0) return false;
      pos = at + p[i]!.length;
    }
    return true;
  }
}

export function compileGlob(glob: string): Glob {
  return new Glob(glob);
}

/** Whether `piece` (where `?` is any one code unit) matches s at i. */
function pieceAt(s: string, i: number, piece: string): boolean {
  for (let j = 0; j < piece.length; j++) {
    const c = piece.charCodeAt(j);
    if (c !== 63 /* ? */ && c !== s.charCodeAt(i + j)) return false;
  }
  return true;
}

/** The first place at or after `from` where `piece` matches and ends by `limit`, or -1. */
function findPiece(s: string, piece: string, from: number, limit: number): number {
  const last = limit - piece.length;
  if (!piece.includes('?')) {
    const at = s.indexOf(piece, from);
    return at >= 0 && at <= last ? at : -1;
  }
  for (let i = from; i <= last; i++) if (pieceAt(s, i, piece)) return i;
  return -1;
}
