// The Host allow-list of the query API and the health check, against DNS
// rebinding: a web page on an attacker's domain that re-points that domain at
// 127.0.0.1 can make the browser send requests here, but they carry the
// attacker's name in `Host`. Only this server's own names are accepted:
// localhost, 127.0.0.1, ::1, the endpoint's host, this machine's addresses when
// listening on every interface, and the names in `allowed_hosts` (`*.example.com`
// for any subdomain, `*` for anything). Others are answered 421.
import { networkInterfaces } from 'node:os';
import { list, str } from '../config/schema.js';
import type { Endpoint } from '../config/schema.js';

/** The `allowed_hosts` option: names accepted besides the defaults. */
export const allowedHostsSpec = () => list(str({ nonEmpty: true }));

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::', '[::]']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

export class AllowedHosts {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly any: boolean;

  constructor(endpoint: Endpoint, extra: readonly string[]) {
    for (const n of LOOPBACK_NAMES) this.exact.add(n);
    const own = normalise(endpoint.host);
    if (WILDCARD_HOSTS.has(endpoint.host)) {
      for (const addrs of Object.values(networkInterfaces()))
        for (const a of addrs ?? []) this.exact.add(normalise(a.address));
    } else {
      this.exact.add(own);
    }
    let any = false;
    for (const e of extra) {
      const n = normalise(e);
      if (n === '*') any = true;
      else if (n.startsWith('*.')) this.suffixes.push(n.slice(1));
      else this.exact.add(n);
    }
    this.any = any;
  }

  /**
   * True when the request's Host header names this server. A request without a Host header
   * (HTTP/1.0) is not from a browser and is accepted; Node refuses HTTP/1.1 without one.
   */
  allows(hostHeader: string | undefined): boolean {
    if (this.any || hostHeader === undefined) return true;
    const name = normalise(stripPort(hostHeader));
    if (this.exact.has(name)) return true;
    for (const s of this.suffixes) if (name.endsWith(s) && name.length > s.length) return true;
    return false;
  }
}

/** `name:port`, `[v6]:port`, `[v6]` or `name` → the name. */
function stripPort(host: string): string {
  const h = host.trim();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(1, end);
  }
  const colon = h.indexOf(':');
  // More than one colon without brackets is a bare IPv6 address (not valid in Host, but harmless).
  return colon < 0 || h.indexOf(':', colon + 1) >= 0 ? h : h.slice(0, colon);
}

/** Lower case, no brackets, no trailing dot (`LOCALHOST.` is `localhost`). */
function normalise(name: string): string {
  let n = name.trim().toLowerCase();
  if (n.startsWith('[') && n.endsWith(']')) n = n.slice(1, -1);
  if (n.endsWith('.') && n.length > 1) n = n.slice(0, -1);
  return n;
}

/** True for a loopback address or the name `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const n = normalise(host);
  return n === 'localhost' || n === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(n) || n === '::ffff:127.0.0.1';
}
