// The `console` exporter factory: human-readable lines for development.
import { defineExporter } from '../../src/exporterhelper/define-exporter.js';
import { consoleFields } from './config.js';
import { ConsoleExporter } from './console-exporter.js';

export const CONSOLE_TYPE = 'console';

export const consoleExporterFactory = defineExporter({
  type: CONSOLE_TYPE,
  description: 'Prints one human-readable line per record (coloured by level on a TTY unless NO_COLOR is set).',
  fields: consoleFields,
  create(settings, config) {
    return new ConsoleExporter({ output: config.output, color: config.color }, { logger: settings.logger });
  },
});
