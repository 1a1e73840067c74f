// One batch's records, gathered by what they write (planner.ts turns this
// into a WritePlan): entry hashes, index members grouped by family and raw
// value, OAuth activity, latest use per route, hourly counters and stream
// entries. Grouping by raw value means no key string is built per record
// (building and hashing keys per record was a third of the planning time).
import { flowStep } from './entries.js';
import type { Mapped } from './field-mapping.js';
import { entryKey, type EntryWrite, type Members, type StreamData } from './plan.js';

/** Members of one index key (numbers into `Members`) and the longest TTL among them. */
export interface Group {
  members: number[];
  ttl: number;
}

/** The latest use of something (an OAuth event type, a route): ZADD GT keeps only the highest score anyway. */
export interface Latest {
  at: number;
  ts: string;
}

/** Counter increments and sketch inputs of one hour (`YYYYMMDD:HH`). */
export interface HourCounts {
  requests: Map<string, number>;
  errors: Map<string, number>;
  events: Map<string, number>;
  /** Client addresses per proxy hostname (its unique_ips HyperLogLog). */
  ips: Map<string, string[]>;
}

/** Index families in the order their writes go out. */
export interface Families {
  ip: Map<string, Group>;
  fqdn: Map<string, Group>;
  host: Map<string, Group>;
  user: Map<string, Group>;
  session: Map<string, Group>;
  client: Map<string, Group>;
  status: Map<number, Group>;
  method: Map<string, Group>;
  /** `METHOD:route`. */
  path: Map<string, Group>;
  /** Keys without a value part (`idx:req:errors`, `idx:req:slow`), by key. */
  single: Map<string, Group>;
  level: Map<string, Group>;
  event: Map<string, Group>;
  logHost: Map<string, Group>;
  /** `stats:response_times:{hostname}`, by hostname. */
  rt: Map<string, Group>;
  oauth: Map<string, Group>;
}

export class Batch {
  readonly entries: EntryWrite[] = [];
  readonly members: Members = { scores: [], members: [] };
  readonly f: Families = {
    ip: new Map(),
    fqdn: new Map(),
    host: new Map(),
    user: new Map(),
    session: new Map(),
    client: new Map(),
    status: new Map(),
    method: new Map(),
    path: new Map(),
    single: new Map(),
    level: new Map(),
    event: new Map(),
    logHost: new Map(),
    rt: new Map(),
    oauth: new Map(),
  };
  readonly oauthTypes = new Map<string, Latest>();
  /** Each session's OAuth flow steps, in record order. */
  readonly flows = new Map<string, string[]>();
  readonly paths = new Map<string, Latest>();
  readonly hosts = new Set<string>();
  readonly hours = new Map<string, HourCounts>();
  readonly requestStream: StreamData[] = [];
  readonly logStream: StreamData[] = [];
  readonly entryKeys: string[] = [];
  readonly entryN: number[] = [];
  private readonly seen = new Set<string>();
  private lastHour = '';
  private hc?: HourCounts;

  constructor(private readonly renames?: ReadonlyMap<string, string>) {}

  /** The batch's key for an entry wanting `base`: the first free of base, base:2, base:3, …, then renamed. */
  claim(base: string): string {
    let key = base;
    let n = 1;
    while (this.seen.has(key)) key = entryKey(base, ++n);
    this.seen.add(key);
    this.entryKeys.push(key);
    this.entryN.push(n);
    return this.renames === undefined ? key : (this.renames.get(key) ?? key);
  }

  /** A score/member pair; returns its number. */
  member(score: string, member: string): number {
    this.members.members.push(member);
    return this.members.scores.push(score) - 1;
  }

  /** The counters of `hour`, looked up once per hour rather than per record. */
  hour(hour: string): HourCounts {
    if (hour === this.lastHour && this.hc !== undefined) return this.hc;
    let hc = this.hours.get(hour);
    if (hc === undefined) {
      hc = { requests: new Map(), errors: new Map(), events: new Map(), ips: new Map() };
      this.hours.set(hour, hc);
    }
    this.lastHour = hour;
    this.hc = hc;
    return hc;
  }

  /** Records the OAuth activity of an entry: its index, the latest use of its type, its session's flow step. */
  oauthActivity(type: string, m: Mapped, ts: string, key: string, member: number, ttl: number): void {
    add(this.f.oauth, type, member, ttl);
    latest(this.oauthTypes, type, m.sec * 1e6 + m.micros, ts);
    const session = m.entry.session_id;
    if (session === undefined) return;
    const step = flowStep(type, ts, m.entry, key);
    const l = this.flows.get(session);
    if (l === undefined) this.flows.set(session, [step]);
    else l.push(step);
  }
}

/** Adds member `member` to the index of `value` in a family. */
export function add<V>(family: Map<V, Group>, value: V, member: number, ttl: number): void {
  const g = family.get(value);
  if (g === undefined) family.set(value, { members: [member], ttl });
  else {
    g.members.push(member);
    if (ttl > g.ttl) g.ttl = ttl;
  }
}

/** Keeps the latest `at` (Unix µs) of `name`. */
export function latest(m: Map<string, Latest>, name: string, at: number, ts: string): void {
  const last = m.get(name);
  if (last === undefined) m.set(name, { at, ts });
  else if (at > last.at) {
    last.at = at;
    last.ts = ts;
  }
}

export function bump(m: Map<string, number>, field: string): void {
  m.set(field, (m.get(field) ?? 0) + 1);
}
