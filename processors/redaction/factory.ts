import type { ProcessorFactory } from '../../src/component/types.js';
import { redactionConfigSpec, type RedactionConfig } from './config.js';
import { RedactionProcessor } from './redaction-processor.js';

export const redactionProcessorFactory: ProcessorFactory<RedactionConfig> = {
  kind: 'processor',
  type: 'redaction',
  description:
    'Removes and masks sensitive attributes and body values (OTel Collector redaction options plus a privacy profile on by default).',
  config: redactionConfigSpec,
  create: (settings, config, next) => new RedactionProcessor(settings, config, next),
};
