// The names the audit table gives record attributes (docs/sqlite-schema.md):
// the sqlite exporter stores each in its column, and `auditline logs follow`
// shows live records under the same names as `auditline logs audit`.

/**
 * Attribute → column, in precedence order: when several attributes map to one
 * column, the first present wins and the others stay in `metadata`. Names come
 * from the OpenTelemetry semantic conventions and the columns of docs/sqlite-schema.md.
 */
export const AUDIT_ATTRIBUTE_COLUMNS = [
  ['component', 'component'],
  ['operation', 'operation'],
  ['event.name', 'event'],
  ['event_type', 'event'],
  ['event', 'event'],
  ['session.id', 'session_id'],
  ['session_id', 'session_id'],
  ['user.id', 'user_id'],
  ['user_id', 'user_id'],
  ['enduser.id', 'user_id'],
  ['request.id', 'request_id'],
  ['request_id', 'request_id'],
  ['endpoint', 'endpoint'],
  ['http.route', 'endpoint'],
  ['url.path', 'endpoint'],
  ['gen_ai.request.model', 'model'],
  ['model', 'model'],
  ['duration_ms', 'duration_ms'],
  ['status', 'status'],
  ['http.response.status_code', 'status_code'],
  ['status_code', 'status_code'],
  ['gen_ai.usage.input_tokens', 'prompt_tokens'],
  ['prompt_tokens', 'prompt_tokens'],
  ['gen_ai.usage.output_tokens', 'completion_tokens'],
  ['completion_tokens', 'completion_tokens'],
  ['gen_ai.usage.total_tokens', 'total_tokens'],
  ['total_tokens', 'total_tokens'],
  ['error.type', 'error_type'],
  ['exception.type', 'error_type'],
  ['error_type', 'error_type'],
  ['exception.message', 'error_message'],
  ['error.message', 'error_message'],
  ['error_message', 'error_message'],
  ['exception.stacktrace', 'error_stack'],
  ['error_stack', 'error_stack'],
  ['job.id', 'job_id'],
  ['job_id', 'job_id'],
  ['job.progress.current', 'progress_current'],
  ['job.progress.total', 'progress_total'],
] as const;
