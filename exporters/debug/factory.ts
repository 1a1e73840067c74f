// The `debug` exporter factory: the Collector's standard troubleshooting exporter.
import { defineExporter } from '../../src/exporterhelper/define-exporter.js';
import { checkDebug, debugFields } from './config.js';
import { DebugExporter } from './debug-exporter.js';

export const debugExporterFactory = defineExporter({
  type: 'debug',
  description:
    "Prints each batch as the Collector's debug exporter does (verbosity basic, normal or detailed) to stderr.",
  fields: debugFields,
  check: checkDebug,
  create: (settings, config) => new DebugExporter({ id: settings.id, ...config }),
});
