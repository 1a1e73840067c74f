// The seed's Redis key schema, verbatim, behind one optional prefix:
//
//   req:{timestamp}:{client_ip}                 request/response hash
//   idx:req:ip|fqdn|host|user|status:{value}    sorted sets, score = request time (Unix s), member = req key
//   idx:req:errors  idx:req:slow  idx:req:path:{method}:{path}
//   stream:requests                              live stream (XADD data=<JSON entry>)
//   stats:requests:{YYYYMMDD:HH}  stats:errors:{YYYYMMDD:HH}   hourly HINCRBY hashes
//   stats:unique_ips:{hostname}:{YYYYMMDD:HH}   HyperLogLog of client IPs
//   stats:response_times:{hostname}              sorted set for sliding-window percentiles
//
// and the families Auditline adds so every seed command has an index:
// idx:req:session|method|client:{value}, idx:req:paths (known method:route
// pairs), log:{timestamp}:{seq} hashes with idx:log:event|level|host:{value}
// and stream:logs for records that are not HTTP requests, stats:events:{hour},
// stats:hosts, OAuth activity (idx:oauth:{event_type}, oauth:flow:{session_id}
// lists with a 1 h TTL, oauth:events naming the event types seen), and the bookkeeping of at-most-once delivery under
// auditline:* (positions, batch markers, the writers' lock; see once.ts).
//
// `{timestamp}` is Unix seconds with six decimals (`1705314645.123456`), the
// same number as the sorted-set scores, so a key sorts and reads as its time.
// A second entry whose key is taken (same microsecond and address, in this
// batch or already stored) gets `:{n}` appended, n = 2, 3, …: every request
// keeps a hash of its own and the indexes point at it.

export class KeySchema {
  readonly streamRequests: string;
  readonly streamLogs: string;
  readonly idxErrors: string;
  readonly idxSlow: string;
  readonly idxPaths: string;
  readonly statsHosts: string;
  /** The OAuth event types seen, scored by last use (which `idx:oauth:{event_type}` sets a query merges). */
  readonly oauthEvents: string;

  constructor(readonly prefix: string) {
    this.streamRequests = `${prefix}stream:requests`;
    this.streamLogs = `${prefix}stream:logs`;
    this.idxErrors = `${prefix}idx:req:errors`;
    this.idxSlow = `${prefix}idx:req:slow`;
    this.idxPaths = `${prefix}idx:req:paths`;
    this.statsHosts = `${prefix}stats:hosts`;
    this.oauthEvents = `${prefix}oauth:events`;
  }

  req(ts: string, ip: string): string {
    return `${this.prefix}req:${ts}:${ip}`;
  }
  log(ts: string, seq: string): string {
    return `${this.prefix}log:${ts}:${seq}`;
  }

  idxIp(ip: string): string {
    return `${this.prefix}idx:req:ip:${ip}`;
  }
  idxFqdn(fqdn: string): string {
    return `${this.prefix}idx:req:fqdn:${fqdn}`;
  }
  idxHost(host: string): string {
    return `${this.prefix}idx:req:host:${host}`;
  }
  idxUser(user: string): string {
    return `${this.prefix}idx:req:user:${user}`;
  }
  idxSession(id: string): string {
    return `${this.prefix}idx:req:session:${id}`;
  }
  idxClient(id: string): string {
    return `${this.prefix}idx:req:client:${id}`;
  }
  idxStatus(code: number | string): string {
    return `${this.prefix}idx:req:status:${code}`;
  }
  idxMethod(method: string): string {
    return `${this.prefix}idx:req:method:${method}`;
  }
  idxPath(method: string, path: string): string {
    return `${this.prefix}idx:req:path:${method}:${path}`;
  }

  logEvent(event: string): string {
    return `${this.prefix}idx:log:event:${event}`;
  }
  logLevel(level: string): string {
    return `${this.prefix}idx:log:level:${level}`;
  }
  logHost(host: string): string {
    return `${this.prefix}idx:log:host:${host}`;
  }

  /** OAuth activity (the seed's log_oauth_activity): entries by event type, and the flow of a session (1 h TTL). */
  idxOauth(eventType: string): string {
    return `${this.prefix}idx:oauth:${eventType}`;
  }
  oauthFlow(sessionId: string): string {
    return `${this.prefix}oauth:flow:${sessionId}`;
  }

  statsRequests(hour: string): string {
    return `${this.prefix}stats:requests:${hour}`;
  }
  statsErrors(hour: string): string {
    return `${this.prefix}stats:errors:${hour}`;
  }
  statsEvents(hour: string): string {
    return `${this.prefix}stats:events:${hour}`;
  }
  uniqueIps(host: string, hour: string): string {
    return `${this.prefix}stats:unique_ips:${host}:${hour}`;
  }
  responseTimes(host: string): string {
    return `${this.prefix}stats:response_times:${host}`;
  }

  /**
   * Where a writer records how far into delivery log `log` it has applied (the `end` of the last
   * span, set in the same transaction as the span's data). `tag` (a Redis Cluster hash tag, see
   * cluster.ts) places one such key on each node; it comes before the id and log so that a brace
   * in either cannot become the key's hash tag.
   */
  position(exporter: string, log: string, tag?: string): string {
    return tag === undefined
      ? `${this.prefix}auditline:pos:${exporter}:${log}`
      : `${this.prefix}auditline:pos:{${tag}}:${exporter}:${log}`;
  }

  /** Redis Cluster: the entry keys chosen for the batch of `log` in progress, kept for its retries (cluster.ts). */
  allocation(exporter: string, log: string): string {
    return `${this.prefix}auditline:alloc:${exporter}:${log}`;
  }

  /** A batch applied without a log position (in-process use): marked by its content hash for `dedup_window`. */
  batchMarker(batch: string, tag?: string): string {
    return tag === undefined
      ? `${this.prefix}auditline:batch:${batch}`
      : `${this.prefix}auditline:batch:{${tag}}:${batch}`;
  }

  /** The lock every writer of this key space holds while it checks and applies a batch, and the next writer in line. */
  lock(tag?: string): [lock: string, next: string] {
    const t = tag === undefined ? '' : `:{${tag}}`;
    return [`${this.prefix}auditline:lock${t}`, `${this.prefix}auditline:next${t}`];
  }

  /** SCAN patterns, fixed strings, covering every family this exporter writes (for `clear`). */
  families(): string[] {
    const p = this.prefix;
    return [
      `${p}req:*`,
      `${p}log:*`,
      `${p}idx:req:*`,
      `${p}idx:log:*`,
      `${p}idx:oauth:*`,
      `${p}oauth:flow:*`,
      `${p}stats:requests:*`,
      `${p}stats:errors:*`,
      `${p}stats:events:*`,
      `${p}stats:unique_ips:*`,
      `${p}stats:response_times:*`,
      // Positions, batch markers and the lock: once the data is gone they describe nothing (a batch
      // replayed afterwards is simply written again).
      `${p}auditline:*`,
      // Markers of versions before at-most-once transactions; they expire on their own.
      `${p}dedup:*`,
    ];
  }

  /** Single keys (not found by the family patterns). */
  singles(): string[] {
    return [this.streamRequests, this.streamLogs, this.statsHosts, this.oauthEvents];
  }
}

/** `1705314645.123456`: Unix seconds with microseconds, exact (no float formatting). */
export function tsString(sec: number, micros: number): string {
  const m = String(micros);
  return `${sec}.${'000000'.slice(m.length)}${m}`;
}

let hourSec = -1;
let hourStr = '';

/** `YYYYMMDD:HH` (UTC) of a Unix time; cached per hour because records arrive in time order. */
export function hourKey(sec: number): string {
  const h = sec - (sec % 3600);
  if (h !== hourSec) {
    const d = new Date(h * 1000);
    hourStr = `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}:${pad2(d.getUTCHours())}`;
    hourSec = h;
  }
  return hourStr;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The hour keys covering `[fromSec, toSec]`, oldest first. */
export function hoursBetween(fromSec: number, toSec: number): string[] {
  const out: string[] = [];
  for (let h = fromSec - (fromSec % 3600); h <= toSec; h += 3600) out.push(hourKey(h));
  return out;
}
