// Starts a real query API server on a free port for tests.
import { formatIssue, type ConfigIssue } from '../../../src/config/schema.js';
import { queryApiExtensionFactory } from '../../../src/extensions/query-api/factory.js';
import type { QueryApiConfig } from '../../../src/extensions/query-api/config.js';
import type { QueryApiServer } from '../../../src/extensions/query-api/server.js';
import { QUERY_API_TYPE } from '../../../src/extensions/query-api/routes.js';
import { captureLogger, testHost, type TestHost } from '../../exporters/sqlite/fixtures.js';

export function parseQueryApiConfig(raw: Record<string, unknown>): QueryApiConfig {
  const issues: ConfigIssue[] = [];
  const cfg = queryApiExtensionFactory.config.parse(raw, ['extensions', 'query_api'], issues);
  if (!cfg) throw new Error(issues.map(formatIssue).join('\n'));
  return cfg;
}

export interface RunningApi {
  api: QueryApiServer;
  host: TestHost;
  url: string;
  lines: string[];
  get(path: string, token?: string, init?: RequestInit): Promise<Response>;
}

/** Builds and starts the extension the way the collector does, registered on a host. */
export async function startApi(raw: Record<string, unknown> = {}): Promise<RunningApi> {
  const { logger, lines } = captureLogger();
  const host = testHost({ logger });
  const api = queryApiExtensionFactory.create(
    { id: 'query_api', logger, telemetry: host.telemetry },
    parseQueryApiConfig({ endpoint: '127.0.0.1:0', ...raw }),
  ) as QueryApiServer;
  host.extensions.set('query_api', { type: QUERY_API_TYPE, ext: api });
  await api.start(host);
  const url = api.url;
  return {
    api,
    host,
    url,
    lines,
    get: (path, token, init = {}) =>
      fetch(url + path, {
        ...init,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(init.headers as Record<string, string> | undefined),
        },
      }),
  };
}
