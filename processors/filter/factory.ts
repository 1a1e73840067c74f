import type { ProcessorFactory } from '../../src/component/types.js';
import { filterConfigSpec, type FilterConfig } from './config.js';
import { FilterProcessor } from './filter-processor.js';

export const filterProcessorFactory: ProcessorFactory<FilterConfig> = {
  kind: 'processor',
  type: 'filter',
  description: 'Drops records that match OTTL conditions or include/exclude rules.',
  config: filterConfigSpec,
  create: (settings, config, next) => new FilterProcessor(settings, config, next),
};
