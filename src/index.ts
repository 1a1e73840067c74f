// Auditline's public API. In-process use: register the redaction processor
// first, then AuditlineBatchProcessor (which, unlike the SDK's
// BatchLogRecordProcessor, does not drop a burst) around any Auditline exporter:
//
//   new LoggerProvider({ processors: [
//     createRedactionProcessor(),
//     new AuditlineBatchProcessor({ exporter: new MsgpackAuditExporter({ directory: './logs' }) }),
//   ] })

// In-process processors and helpers
export { RedactionLogRecordProcessor, createRedactionProcessor } from '../processors/redaction/redaction-processor.js';
export type { RedactionOptions } from '../processors/redaction/config.js';
export { trackRequest, type RequestContext } from './inprocess/track-request.js';
export {
  AuditlineBatchProcessor,
  type AuditlineBatchProcessorOptions,
  type AuditlineBatchProcessorStats,
} from './inprocess/batch-processor.js';

// Exporters (SDK LogRecordExporters; also collector components)
export { MsgpackAuditExporter } from '../exporters/msgpack-audit/msgpack-audit-exporter.js';
export type { MsgpackAuditOptions } from '../exporters/msgpack-audit/config.js';
export { SqliteExporter } from '../exporters/sqlite/exporter.js';
export type { SqliteExporterOptions } from '../exporters/sqlite/config.js';
export { RedisExporter } from '../exporters/redis/exporter.js';
export type { RedisExporterOptions } from '../exporters/redis/config.js';
export { ConsoleExporter, type ConsoleExporterOptions } from '../exporters/console/console-exporter.js';
export { FileLogExporter } from '../exporters/file/file-exporter.js';

// The collector, embeddable
export { Service, type ServiceOptions } from './pipeline/service.js';
export { loadConfigFile, loadConfigText, ConfigError, type ServiceConfig } from './config/load.js';
export { factories, defaultRegistry } from './components.js';
export { QueryApiServer } from './extensions/query-api/server.js';

// For writing components
export { defineExporter } from './exporterhelper/define-exporter.js';
export type { PushExporter } from './exporterhelper/push-exporter.js';
export { PermanentError, BackpressureError } from './component/errors.js';
export type * from './component/types.js';
export { LogRecordData, recordTimeMillis, recordEventName, severityLevel } from './model/log-record.js';
