// The `sqlite` exporter factory for collector pipelines.
import { defineExporter } from '../../src/exporterhelper/define-exporter.js';
import { checkSqliteConfig, sqliteFields } from './config.js';
import { SqliteExporter } from './exporter.js';

export const SQLITE_TYPE = 'sqlite';

export const sqliteExporterFactory = defineExporter({
  type: SQLITE_TYPE,
  description: 'Writes audit_logs and job_logs tables to a WAL-mode SQLite database and serves them on the query API.',
  fields: sqliteFields,
  // One writer thread owns the database; with pipeline workers, they build the rows' bytes for it.
  singleWriter: true,
  check: checkSqliteConfig,
  create(settings, config) {
    return SqliteExporter.fromConfig(config, { id: settings.id, logger: settings.logger });
  },
});
