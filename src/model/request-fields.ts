// The request fields of a log entry (client_ip, path, status_code, …) and the
// record attributes each is read from by default, first present wins; the
// defaults follow the OpenTelemetry semantic conventions. The Redis exporter
// maps records with them (its `mapping` option replaces a field's list), and
// the alerts extension reads status codes and response times the same way.

export const ENTRY_FIELDS = [
  'client_ip',
  'client_hostname',
  'proxy_hostname',
  'method',
  'path',
  'route',
  'status_code',
  'response_time_ms',
  'user_id',
  'user_agent',
  'referrer',
  'bytes_sent',
  'error',
  'session_id',
  'trace_id',
  'client_id',
  'event',
  'component',
] as const;
export type EntryField = (typeof ENTRY_FIELDS)[number];

/** Default attribute lookup per field, in precedence order. */
export const DEFAULT_MAPPING: Readonly<Record<EntryField, readonly string[]>> = {
  client_ip: ['client.address', 'http.client_ip', 'network.peer.address', 'client_ip'],
  client_hostname: ['client.hostname', 'client_hostname'],
  proxy_hostname: ['server.address', 'http.host', 'url.domain', 'proxy_hostname'],
  method: ['http.request.method', 'http.method', 'method'],
  path: ['url.path', 'http.target', 'http.route', 'path'],
  route: ['http.route'],
  status_code: ['http.response.status_code', 'http.status_code', 'status_code'],
  response_time_ms: [
    'http.server.request.duration',
    'http.client.request.duration',
    'duration_ms',
    'http.duration_ms',
    'response_time_ms',
  ],
  user_id: ['user.id', 'enduser.id', 'user_id'],
  user_agent: ['user_agent.original', 'http.user_agent', 'user_agent'],
  referrer: ['http.request.header.referer', 'http.referer', 'referrer'],
  bytes_sent: ['http.response.body.size', 'http.response_content_length', 'bytes_sent'],
  error: ['exception.message', 'error.message', 'error.type', 'error'],
  session_id: ['session.id', 'session_id'],
  trace_id: ['trace_id', 'trace.id'],
  client_id: ['oauth.client_id', 'oauth_client_id', 'client_id'],
  event: ['event.name', 'event', 'event_type'],
  component: ['component', 'code.namespace'],
};
