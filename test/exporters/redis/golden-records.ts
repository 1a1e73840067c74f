// A fixed set of records for the write path's golden files (golden.test.ts): every index family,
// both retention classes, OAuth flows, two hours, non-ASCII values, attributes only a log entry
// keeps, entry keys taken within a batch and in Redis, and batches large enough to split commands.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { event, request } from './fixtures.js';

/** Two seconds before 09:00 UTC, so a batch spans two hours. */
export const T = Date.UTC(2031, 5, 1, 8, 59, 58);

export function firstBatch(): ReadableLogRecord[] {
  return [
    request({ time: T, ip: '10.0.0.1', user: 'u1', session: 's1', path: '/users/42' }),
    request({ time: T, ip: '10.0.0.1', user: 'u1', session: 's1', path: '/users/43' }),
    request({
      time: T + 1000,
      ip: '10.0.0.2',
      method: 'post',
      path: '/api/items?q=1',
      route: '/api/items',
      status: 500,
      extra: { 'error.message': 'boom', 'http.server.request.duration': 0.1234567 },
    }),
    request({ time: T + 2000, ip: '10.0.0.3', status: 404, duration: 2.5, path: '/slow/9f1c2b3a4d5e6f70', micros: 7 }),
    request({
      time: T + 3000,
      ip: '10.0.0.1',
      clientId: 'app-1',
      session: 's-oauth',
      extra: { 'event.name': 'oauth.authorize' },
    }),
    request({
      time: T + 4000,
      ip: '10.0.0.4',
      host: 'ünï.example:8443',
      user: 'zoë',
      path: '/café/☕',
      clientHostname: 'client.example.net',
    }),
    request({ time: T + 5000, extra: { 'client.address': null, 'http.server.request.duration': null } }),
    request({
      time: T + 6000,
      ip: '10.0.0.5',
      status: 503,
      extra: { trace_id: '0af7651916cd43dd8448eb211c80319c', 'user_agent.original': 'Bot/1 “quoted”' },
    }),
    event({
      time: T,
      event: 'proxy_created',
      level: 'ERROR',
      message: 'Proxy created',
      attributes: { foo: 'bar', nested: { a: 1, b: [1, 'x'] }, raw: new Uint8Array([1, 2, 3]) },
    }),
    event({
      time: T,
      event: 'proxy_created',
      level: 'ERROR',
      message: 'Proxy created',
      attributes: { foo: 'bar', nested: { a: 1, b: [1, 'x'] }, raw: new Uint8Array([1, 2, 3]) },
    }),
    event({
      time: T + 1000,
      event: 'oauth.token_issued',
      attributes: { 'session.id': 's-oauth', 'oauth.client_id': 'app-1', 'user.id': 'u1' },
    }),
    event({
      time: T + 2000,
      event: 'oauth.login_failed',
      level: 'WARNING',
      message: 'échec ☕',
      attributes: { 'session.id': 's-oauth', 'client.address': '10.0.0.9' },
    }),
    event({
      time: T + 3000,
      message: 'plain log',
      attributes: { 'host.name': 'worker-7', component: 'jobs', count: 3, ok: true },
    }),
    event({
      time: T + 4000,
      level: 'DEBUG',
      attributes: { 'client.hostname': 'c.example', 'user.id': 'u2', 'http.request.method': 'GET' },
    }),
  ];
}

/** Follows the first: entry keys already stored (renamed to the next free `:{n}`), indexes whose TTL is already set, a third hour. */
export function secondBatch(): ReadableLogRecord[] {
  const first = firstBatch();
  return [
    request({ time: T, ip: '10.0.0.1', user: 'u1', session: 's1', path: '/users/44' }),
    first[8]!,
    request({ time: T + 3600_000, ip: '10.0.0.1', status: 200, path: '/users/42' }),
    event({
      time: T + 3600_000,
      event: 'oauth.authorize',
      attributes: { 'session.id': 's-oauth', 'oauth.client_id': 'app-2' },
    }),
  ];
}

/** Exporter options of the third scenario: a prefix, some indexes off, other retentions and stream cap. */
export const OTHER_OPTIONS = {
  key_prefix: 'app:',
  indexes: ['ip', 'status', 'errors', 'event', 'oauth'],
  slow_threshold: '10ms',
  retention: { requests: '2d', errors: '3d', oauth: '1d', stats: '30d' },
  stream: { max_length: 50 },
};

/** 600 requests of one session, client and host: every multi-member command is split in parts. */
export function bigBatch(): ReadableLogRecord[] {
  return Array.from({ length: 600 }, (_, i) =>
    request({
      time: T + 10_000 + i * 3,
      ip: `10.9.0.${i % 4}`,
      session: 's-big',
      clientId: 'app-big',
      path: `/p${i}/x`,
      status: i % 9 === 0 ? 500 : 200,
      user: `u${i % 7}`,
      extra: { 'event.name': i % 2 ? 'oauth.token' : 'oauth.refresh' },
    }),
  );
}
