// Every component Auditline ships, listed explicitly. Adding a component means
// adding its factory here; nothing registers itself on import.
import { Registry } from './component/registry.js';
import type { Factory } from './component/types.js';
import { bearerTokenAuthExtensionFactory } from './extensions/bearertokenauth/factory.js';
import { fileStorageExtensionFactory } from './extensions/file-storage/factory.js';
import { healthCheckExtensionFactory } from './extensions/health-check/factory.js';
import { queryApiExtensionFactory } from './extensions/query-api/factory.js';
import { alertsExtensionFactory } from './extensions/alerts/factory.js';
import { pprofExtensionFactory, zpagesExtensionFactory } from './extensions/unsupported/factory.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';
import { filelogReceiverFactory } from './receivers/filelog/factory.js';
import { attributesProcessorFactory } from '../processors/attributes/factory.js';
import { batchProcessorFactory } from '../processors/batch/factory.js';
import { filterProcessorFactory } from '../processors/filter/factory.js';
import { memoryLimiterProcessorFactory } from '../processors/memory-limiter/factory.js';
import { redactionProcessorFactory } from '../processors/redaction/factory.js';
import { consoleExporterFactory } from '../exporters/console/factory.js';
import { debugExporterFactory } from '../exporters/debug/factory.js';
import { fileExporterFactory } from '../exporters/file/factory.js';
import { msgpackAuditExporterFactory } from '../exporters/msgpack-audit/factory.js';
import { otlpHttpExporterFactory } from '../exporters/otlp-http/factory.js';
import { redisExporterFactory } from '../exporters/redis/factory.js';
import { sqliteExporterFactory } from '../exporters/sqlite/factory.js';

export const factories: readonly Factory[] = [
  // receivers
  otlpReceiverFactory,
  filelogReceiverFactory,
  // processors
  memoryLimiterProcessorFactory,
  redactionProcessorFactory,
  attributesProcessorFactory,
  filterProcessorFactory,
  batchProcessorFactory,
  // exporters
  msgpackAuditExporterFactory,
  sqliteExporterFactory,
  redisExporterFactory,
  consoleExporterFactory,
  debugExporterFactory,
  fileExporterFactory,
  otlpHttpExporterFactory,
  // extensions
  queryApiExtensionFactory,
  healthCheckExtensionFactory,
  bearerTokenAuthExtensionFactory,
  fileStorageExtensionFactory,
  alertsExtensionFactory,
  pprofExtensionFactory,
  zpagesExtensionFactory,
];

export function defaultRegistry(): Registry {
  return new Registry(factories);
}
