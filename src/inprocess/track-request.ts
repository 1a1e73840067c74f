// The `track_request` pattern (docs/sqlite-schema.md, request audit): wrap a request handler, and when it
// settles emit exactly one audit record with its duration, status and error
// type. The handler's input and output are never looked at, so prompt and
// response content cannot reach the audit log through this helper.
import { randomUUID } from 'node:crypto';
import { SeverityNumber, type AnyValue, type LogAttributes, type Logger } from '@opentelemetry/api-logs';

/** Mutable per-request context the handler may enrich (token counts, model, status). */
export interface RequestContext {
  readonly requestId: string;
  /** Adds an attribute to the audit record, e.g. `gen_ai.usage.input_tokens`. */
  set(key: string, value: AnyValue): void;
  /** Overrides the recorded status (default "success", or "error" when the handler throws). */
  status?: string | number;
}

export async function trackRequest<T>(
  logger: Logger,
  attributes: LogAttributes,
  fn: (ctx: RequestContext) => Promise<T> | T,
): Promise<T> {
  const extra: LogAttributes = {};
  const requestId = typeof attributes['request.id'] === 'string' ? attributes['request.id'] : randomUUID();
  const ctx: RequestContext = {
    requestId,
    set: (k, v) => {
      extra[k] = v;
    },
  };
  const start = performance.now();
  let failure: unknown;
  try {
    return await fn(ctx);
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    const duration = Math.round((performance.now() - start) * 1000) / 1000;
    const failed = failure !== undefined;
    const record: LogAttributes = {
      ...attributes,
      ...extra,
      'request.id': requestId,
      duration_ms: duration,
      status: ctx.status ?? (failed ? 'error' : 'success'),
    };
    if (failed) {
      record['error.type'] = failure instanceof Error ? failure.name || failure.constructor.name : typeof failure;
      // The message only, never the stack's locals or the handler's arguments.
      if (failure instanceof Error && failure.message) record['exception.message'] = failure.message;
    }
    const eventName = typeof attributes['event.name'] === 'string' ? attributes['event.name'] : 'request';
    try {
      logger.emit({
        eventName,
        severityNumber: failed ? SeverityNumber.ERROR : SeverityNumber.INFO,
        severityText: failed ? 'ERROR' : 'INFO',
        body: `${String(attributes['endpoint'] ?? attributes['http.route'] ?? eventName)} ${failed ? 'failed' : 'completed'}`,
        attributes: record,
      });
    } catch {
      // Logging never throws into the application.
    }
  }
}
