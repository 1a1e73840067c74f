import { defineExporter } from '../../src/exporterhelper/define-exporter.js';
import { checkOtlpHttp, otlpHttpFields } from './config.js';
import { OtlpHttpLogExporter } from './otlp-http-exporter.js';

export const otlpHttpExporterFactory = defineExporter({
  type: 'otlp_http',
  aliases: ['otlphttp'],
  description: 'Forwards records to another collector or gateway over OTLP/HTTP (protobuf or JSON).',
  fields: otlpHttpFields,
  check: checkOtlpHttp,
  create: (settings, config) => new OtlpHttpLogExporter(config, settings.logger),
});
