import type { ProcessorFactory } from '../../src/component/types.js';
import { memoryLimiterConfigSpec, type MemoryLimiterConfig } from './config.js';
import { MemoryLimiterProcessor } from './memory-limiter.js';

export const memoryLimiterProcessorFactory: ProcessorFactory<MemoryLimiterConfig> = {
  kind: 'processor',
  type: 'memory_limiter',
  description: 'Refuses records (429 at the receiver) while process memory is above a limit.',
  config: memoryLimiterConfigSpec,
  create: (settings, config, next) => new MemoryLimiterProcessor(settings, config, next),
};
