// Records shaped like a reverse proxy's request logs and an app's event logs,
// built with the collector's own record class.
import type { AnyValue } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { LogRecordData } from '../../../src/model/log-record.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import type { Host } from '../../../src/component/types.js';

const resource = resourceFromAttributes({ 'service.name': 'proxy', 'host.name': 'edge-1' });
const scope = { name: 'proxy.access' };

export interface RequestOpts {
  /** Unix milliseconds. */
  time: number;
  ip?: string;
  host?: string;
  method?: string;
  path?: string;
  route?: string;
  status?: number;
  /** Seconds, as http.server.request.duration. */
  duration?: number;
  user?: string;
  session?: string;
  clientId?: string;
  clientHostname?: string;
  extra?: Record<string, AnyValue>;
  micros?: number;
}

export function request(o: RequestOpts): ReadableLogRecord {
  const r = new LogRecordData(resource, scope);
  r.hrTime = [Math.floor(o.time / 1000), (o.time % 1000) * 1e6 + (o.micros ?? 0) * 1000];
  r.hrTimeObserved = r.hrTime;
  r.severityNumber = 9;
  r.severityText = 'INFO';
  r.body = `${o.method ?? 'GET'} ${o.path ?? '/users'}`;
  const a: Record<string, AnyValue> = {
    'client.address': o.ip ?? '192.168.1.100',
    'server.address': o.host ?? 'api.example.com',
    'http.request.method': o.method ?? 'GET',
    'url.path': o.path ?? '/users',
    'http.response.status_code': o.status ?? 200,
    'http.server.request.duration': o.duration ?? 0.045,
    'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)',
    'http.request.header.referer': ['https://example.com'],
    'http.response.body.size': 1234,
  };
  if (o.route) a['http.route'] = o.route;
  if (o.user) a['user.id'] = o.user;
  if (o.session) a['session.id'] = o.session;
  if (o.clientId) a['oauth.client_id'] = o.clientId;
  if (o.clientHostname) a['client.hostname'] = o.clientHostname;
  r.attributes = { ...a, ...o.extra };
  return r;
}

export interface EventOpts {
  time: number;
  event?: string;
  level?: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';
  message?: string;
  attributes?: Record<string, AnyValue>;
}

const SEVERITY = { DEBUG: 5, INFO: 9, WARNING: 13, ERROR: 17, CRITICAL: 21 } as const;

export function event(o: EventOpts): ReadableLogRecord {
  const r = new LogRecordData(resource, { name: 'oauth_server' });
  r.hrTime = [Math.floor(o.time / 1000), (o.time % 1000) * 1e6];
  r.hrTimeObserved = r.hrTime;
  r.severityNumber = SEVERITY[o.level ?? 'INFO'];
  r.body = o.message ?? 'Something happened';
  r.eventName = o.event;
  r.attributes = { ...o.attributes };
  return r;
}

/** 2024-01-15T10:30:45.123Z, the seed's example time. */
export const SEED_TIME = Date.UTC(2024, 0, 15, 10, 30, 45, 123);

export function testHost(api?: unknown): Host {
  return {
    getExtension: () => undefined,
    findExtension: <T>(type: string) => (type === 'query_api' ? (api as T) : undefined),
    tap: new RecordTap(),
    logger: silentLogger,
    telemetry: new Telemetry(),
  };
}

/** Exports through the SDK interface and resolves with the result. */
export function exportAll(
  exp: { export(r: ReadableLogRecord[], cb: (res: { code: number; error?: Error }) => void): void },
  records: ReadableLogRecord[],
): Promise<void> {
  return new Promise((resolve, reject) =>
    exp.export(records, (res) => (res.code === 0 ? resolve() : reject(res.error ?? new Error('export failed')))),
  );
}
