// auditline/log: the seeds' log_info / log_error / log_operation functions.
// One line of setup sends them through redaction and AuditlineBatchProcessor
// to a SQLite file and a MessagePack audit file; every call names its
// component and never throws into the app.
import { MsgpackAuditExporter, SqliteExporter } from 'auditline';
import {
  logError,
  logEvent,
  logInfo,
  logOperation,
  logRequest,
  logResponse,
  logTrace,
  useAuditline,
} from 'auditline/log';

const logging = useAuditline({
  serviceName: 'search-api',
  exporters: [new SqliteExporter({ path: './logs/app.db' }), new MsgpackAuditExporter({ directory: './logs/app/' })],
});

logInfo('Server started', { component: 'api_server', port: 8080 });
logTrace('Cache probe', { component: 'cache', key: 'user:42' });
logRequest('GET', '/api/health', { component: 'api', client_ip: '192.168.1.1', proxy_hostname: 'api.example.com' });
logResponse(200, 45.3, { component: 'api', method: 'GET', path: '/api/health', client_ip: '192.168.1.1' });
logEvent('proxy_created', { component: 'proxy_manager', hostname: 'example.com', owner: 'alice@example.com' }); // email masked

await logOperation(
  'Session created',
  { component: 'session_manager', operation: 'create_session', session_id: 'abc123' },
  async () => new Promise((r) => setTimeout(r, 20)),
);
try {
  JSON.parse('{not json');
} catch (e) {
  logError('Config unreadable', { component: 'config', operation: 'load', error: e, session_id: 'abc123' });
}

await logging.shutdown();
