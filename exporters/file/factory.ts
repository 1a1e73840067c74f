import { defineExporter } from '../../src/exporterhelper/define-exporter.js';
import { checkFile, fileFields } from './config.js';
import { FileLogExporter } from './file-exporter.js';

export const fileExporterFactory = defineExporter({
  type: 'file',
  description: 'Writes records as JSON lines to a file rotated by size.',
  fields: fileFields,
  mainThreadOnly: 'it rotates its file, which only one writer may do',
  check: checkFile,
  create: (settings, config) => new FileLogExporter(config, { logger: settings.logger }),
});
