import type { ProcessorFactory } from '../../src/component/types.js';
import { AttributesProcessor } from './attributes-processor.js';
import { attributesConfigSpec, type AttributesConfig } from './config.js';

export const attributesProcessorFactory: ProcessorFactory<AttributesConfig> = {
  kind: 'processor',
  type: 'attributes',
  description: 'Inserts, updates, deletes, hashes, extracts and converts record attributes.',
  config: attributesConfigSpec,
  create: (settings, config, next) => new AttributesProcessor(settings, config, next),
};
