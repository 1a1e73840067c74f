// The `query_api` extension factory.
import type { ExtensionFactory } from '../../component/types.js';
import { queryApiConfigSpec, type QueryApiConfig } from './config.js';
import { QUERY_API_TYPE } from './routes.js';
import { QueryApiServer } from './server.js';

export const queryApiExtensionFactory: ExtensionFactory<QueryApiConfig> = {
  kind: 'extension',
  type: QUERY_API_TYPE,
  description:
    'HTTP query API with bearer-token auth: routes registered by exporters, /metrics, /health and a live SSE stream.',
  config: queryApiConfigSpec,
  create(settings, config) {
    return new QueryApiServer(settings, config);
  },
};
