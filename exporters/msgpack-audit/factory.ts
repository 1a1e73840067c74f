// The `msgpack_audit` exporter factory: the append-only MessagePack
// audit log, with the shared sending queue, retry and timeout.
import { defineExporter } from '../../src/exporterhelper/define-exporter.js';
import { checkMsgpackAudit, msgpackAuditFields } from './config.js';
import { MsgpackAuditExporter } from './msgpack-audit-exporter.js';

export const MSGPACK_AUDIT_TYPE = 'msgpack_audit';

export const msgpackAuditExporterFactory = defineExporter({
  type: MSGPACK_AUDIT_TYPE,
  description:
    'Appends one MessagePack map per record (action, session, timestamp, data) to audit.log, optionally one file per attribute value.',
  fields: msgpackAuditFields,
  // One writer per file (a failed write is cut back, which two threads must never race): pipeline
  // workers only encode the entries (prepare) for the main thread's instance.
  singleWriter: true,
  check: checkMsgpackAudit,
  create(settings, config) {
    return new MsgpackAuditExporter(config, {
      logger: settings.logger,
      telemetry: settings.telemetry,
      id: settings.id,
    });
  },
});
