// Every component Auditline ships, listed explicitly. Adding a component means
// adding its factory here; nothing registers itself on import.
import { Registry } from './component/registry.js';
import type { Factory } from './component/types.js';
import { bearerTokenAuthExtensionFactory } from './extensions/bearertokenauth/factory.js';
import { healthCheckExtensionFactory } from './extensions/health-check/factory.js';
import { otlpReceiverFactory } from './receivers/otlp/factory.js';
import { batchProcessorFactory } from '../processors/batch/factory.js';

export const factories: readonly Factory[] = [
  // receivers
  otlpReceiverFactory,
  // processors
  batchProcessorFactory,
  // exporters
  // extensions
  healthCheckExtensionFactory,
  bearerTokenAuthExtensionFactory,
];

export function defaultRegistry(): Registry {
  return new Registry(factories);
}
