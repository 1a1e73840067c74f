import type { ProcessorFactory } from '../../src/component/types.js';
import { BatchProcessor, batchSettingsOf } from './batch-processor.js';
import { batchConfigSpec, type BatchConfig } from './config.js';

export const batchProcessorFactory: ProcessorFactory<BatchConfig> = {
  kind: 'processor',
  type: 'batch',
  description: 'Groups records into batches by size and time before export.',
  config: batchConfigSpec,
  create: (settings, config, next) => new BatchProcessor(settings, config, next),
  batchSettings: batchSettingsOf,
};
