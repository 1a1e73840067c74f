import { defineExporter } from '../../src/exporterhelper/define-exporter.js';
import { checkFile, fileFields } from './config.js';
import { FileLogExporter } from './file-exporter.js';

export const fileExporterFactory = defineExporter({
  type: 'file',
  description: 'Writes records as JSON lines to a file rotated by size.',
  fields: fileFields,
  // One writer rotates the file: with pipeline workers, they build the lines for the main thread's instance.
  singleWriter: true,
  check: checkFile,
  create: (settings, config) => new FileLogExporter(config, { logger: settings.logger }),
});
