// `auditline/log`: fire-and-forget logging functions (log_info,
// log_error, log_trace, log_request, log_response, log_event, log_operation)
// on top of the OpenTelemetry logs API. There are no logger objects: each call
// names its component, so one component's name can never leak into another's
// records. A call emits one record synchronously (the SDK's processors queue
// it; nothing waits for I/O) and never throws: every failure inside goes to
// one handler (setLogErrorHandler) and a counter (logFailureCount).
//
// Without setup, records go to the global LoggerProvider (a no-op until the
// application registers one). `useAuditline({ exporters })` builds a
// LoggerProvider with Auditline's redaction processor and one
// AuditlineBatchProcessor per exporter, and the functions write through it.
import { type LogAttributes, type LoggerProvider as ApiLoggerProvider } from '@opentelemetry/api-logs';
import { SEVERITY, levelOf, type Level } from './levels.js';
import { REQUEST_ALIASES, copyFields, errorAttributes } from './fields.js';
import { currentLogProvider, getMinSeverity, logger, reportLogFailure } from './state.js';

export { SEVERITY, levelOf, type Level } from './levels.js';
export { useAuditline, type UseAuditlineOptions, type AuditlineLogging } from './setup.js';
export {
  setLogProvider,
  currentLogProvider,
  setLogErrorHandler,
  logFailureCount,
  resetLogFailureCount,
  reportLogFailure,
  SCOPE_NAME,
} from './state.js';

/**
 * A call's fields: `component` (required, per call) and any others. The conventional names `session_id`,
 * `user_id` and `request_id` are written as `session.id`, `user.id`, `request.id`; `error` (any
 * thrown value) as `exception.type`, `exception.message`, `exception.stacktrace`; `metadata` (a map)
 * as documented in docs/log-formats.md. Values are copied when the call is made.
 */
export interface LogFields {
  component: string;
  error?: unknown;
  [key: string]: unknown;
}

export interface OperationFields extends LogFields {
  operation: string;
  /** Level of the record (default INFO; a failed operation is at least ERROR). */
  level?: Level;
}

export interface EventFields extends LogFields {
  /** The record's body (default: the event name). */
  message?: string;
  level?: Level;
}

export interface RequestFields extends LogFields {
  client_ip?: string;
  proxy_hostname?: string;
  user_id?: string;
  user_agent?: string;
  trace_id?: string;
}

export interface ResponseFields extends LogFields {
  method?: string;
  path?: string;
  client_ip?: string;
  proxy_hostname?: string;
  trace_id?: string;
}

// ---- the core --------------------------------------------------------------

const NO_SKIP: ReadonlySet<string> = new Set(['component']);
const OPERATION_SKIP: ReadonlySet<string> = new Set(['component', 'level']);
const EVENT_SKIP: ReadonlySet<string> = new Set(['component', 'level', 'message']);
const NO_ALIASES: Readonly<Record<string, string>> = {
  session_id: 'session.id',
  user_id: 'user.id',
  request_id: 'request.id',
};

/** The component of a call; a missing one is a failure (reported) and recorded as "unknown". */
function componentOf(fields: unknown, fn: string): string {
  let c: unknown;
  try {
    c = fields !== null && typeof fields === 'object' ? (fields as LogFields).component : undefined;
  } catch (e) {
    reportLogFailure(e);
  }
  if (typeof c === 'string' && c !== '') return c;
  reportLogFailure(
    new Error(`${fn}() was called without a component; the record is written with component "unknown".`),
  );
  return 'unknown';
}

interface Emit {
  level: Level;
  body: string;
  fields: unknown;
  fn: string;
  skip?: ReadonlySet<string>;
  aliases?: Readonly<Record<string, string>>;
  /** Attributes set by the function itself; fields do not override them. */
  own?: LogAttributes;
  eventName?: string;
}

function emit(e: Emit): void {
  if (SEVERITY[e.level] < getMinSeverity()) return;
  try {
    const attributes: LogAttributes = {};
    const f = e.fields;
    if (f !== null && typeof f === 'object')
      copyFields(f, attributes, e.skip ?? NO_SKIP, e.aliases ?? NO_ALIASES, reportLogFailure);
    if (e.own) Object.assign(attributes, e.own);
    attributes['component'] = componentOf(f, e.fn);
    const record = {
      severityNumber: SEVERITY[e.level],
      severityText: e.level,
      body: e.body,
      attributes,
      ...(e.eventName ? { eventName: e.eventName } : {}),
    };
    logger().emit(record);
  } catch (err) {
    reportLogFailure(err);
  }
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return String(v);
  } catch {
    return '[unreadable message]';
  }
}

// ---- the functions -----------------------------------------------------------

/** A record at any level: `log('INFO', 'Server started', { component: 'api_server' })`. */
export function log(level: Level, message: string, fields: LogFields): void {
  emit({ level: levelOf(level, 'INFO'), body: text(message), fields, fn: 'log' });
}

/** TRACE (OTel severity 1): very verbose debugging, below DEBUG. */
export function logTrace(message: string, fields: LogFields): void {
  emit({ level: 'TRACE', body: text(message), fields, fn: 'logTrace' });
}
export function logDebug(message: string, fields: LogFields): void {
  emit({ level: 'DEBUG', body: text(message), fields, fn: 'logDebug' });
}
export function logInfo(message: string, fields: LogFields): void {
  emit({ level: 'INFO', body: text(message), fields, fn: 'logInfo' });
}
export function logWarning(message: string, fields: LogFields): void {
  emit({ level: 'WARNING', body: text(message), fields, fn: 'logWarning' });
}
/** ERROR; pass the thrown value as `error` to record its type, message and stack. */
export function logError(message: string, fields: LogFields): void {
  emit({ level: 'ERROR', body: text(message), fields, fn: 'logError' });
}
export function logCritical(message: string, fields: LogFields): void {
  emit({ level: 'CRITICAL', body: text(message), fields, fn: 'logCritical' });
}

/** log_request(method, path, client_ip, proxy_hostname): an incoming request, as `http.request.method` and `url.path`. */
export function logRequest(method: string, path: string, fields: RequestFields): void {
  const m = text(method).toUpperCase();
  const p = text(path);
  emit({
    level: 'INFO',
    body: `${m} ${p}`,
    fields,
    fn: 'logRequest',
    aliases: REQUEST_ALIASES,
    own: { 'http.request.method': m, 'url.path': p },
  });
}

/**
 * log_response(status, response_time_ms): a response, as `http.response.status_code`
 * and `duration_ms`. Level WARNING for 4xx, ERROR for 5xx. With `method` and `path` in the fields
 * the redis exporter indexes it as a request.
 */
export function logResponse(status: number, responseTimeMs: number, fields: ResponseFields): void {
  const s = typeof status === 'number' ? status : Number(status);
  const ms = typeof responseTimeMs === 'number' ? responseTimeMs : Number(responseTimeMs);
  let prefix = '';
  let method: string | undefined;
  try {
    if (fields && typeof fields === 'object' && typeof fields.method === 'string') {
      method = fields.method.toUpperCase();
      prefix = `${method} ${typeof fields.path === 'string' ? fields.path + ' ' : ''}`;
    }
  } catch (e) {
    reportLogFailure(e);
  }
  emit({
    level: s >= 500 ? 'ERROR' : s >= 400 ? 'WARNING' : 'INFO',
    body: `${prefix}${s} in ${ms} ms`,
    fields,
    fn: 'logResponse',
    aliases: REQUEST_ALIASES,
    own: {
      'http.response.status_code': s,
      duration_ms: ms,
      ...(method !== undefined ? { 'http.request.method': method } : {}),
    },
  });
}

/** log_event(name, data): a record with OTel event name `name`; the body is `message`, else the name. */
export function logEvent(name: string, fields: EventFields): void {
  const n = text(name);
  let body = n;
  let level: Level = 'INFO';
  try {
    if (fields && typeof fields === 'object') {
      if (typeof fields.message === 'string') body = fields.message;
      level = levelOf(fields.level, 'INFO');
    }
  } catch (e) {
    reportLogFailure(e);
  }
  emit({ level, body, fields, fn: 'logEvent', skip: EVENT_SKIP, eventName: n });
}

/**
 * log_operation(level, component, operation, message, ...). With `fn`, runs it and
 * records its outcome: `duration_ms`, `status` "success" or "error" (with the error's type, message
 * and stack; level at least ERROR), and returns what `fn` returns (a promise settles as `fn`'s
 * does; `fn`'s own error is rethrown to the caller, the only error that ever leaves this module).
 */
export function logOperation(message: string, fields: OperationFields): void;
export function logOperation<T>(message: string, fields: OperationFields, fn: () => T): T;
export function logOperation<T>(message: string, fields: OperationFields, fn?: () => T): T | void {
  let level: Level = 'INFO';
  try {
    if (fields && typeof fields === 'object') level = levelOf(fields.level, 'INFO');
  } catch (e) {
    reportLogFailure(e);
  }
  const body = text(message);
  if (typeof fn !== 'function') {
    if (fn !== undefined)
      reportLogFailure(
        new Error('logOperation(): the third argument is not a function; the operation is logged without timing.'),
      );
    emit({ level, body, fields, fn: 'logOperation', skip: OPERATION_SKIP });
    return;
  }
  const start = performance.now();
  const done = (failed: boolean, err?: unknown): void => {
    try {
      const own: LogAttributes = {
        duration_ms: Math.round((performance.now() - start) * 1000) / 1000,
        status: failed ? 'error' : 'success',
      };
      if (failed) errorAttributes(err, own, reportLogFailure);
      const lvl = failed && SEVERITY[level] < SEVERITY.ERROR ? 'ERROR' : level;
      emit({ level: lvl, body, fields, fn: 'logOperation', skip: OPERATION_SKIP, own });
    } catch (e) {
      reportLogFailure(e);
    }
  };
  let result: T;
  try {
    result = fn();
  } catch (err) {
    done(true, err);
    throw err;
  }
  let thenable = false;
  try {
    thenable =
      result !== null &&
      (typeof result === 'object' || typeof result === 'function') &&
      typeof (result as { then?: unknown }).then === 'function';
  } catch (e) {
    reportLogFailure(e);
  }
  if (!thenable) {
    done(false);
    return result;
  }
  return (result as unknown as PromiseLike<unknown>).then(
    (v) => {
      done(false);
      return v;
    },
    (err: unknown) => {
      done(true, err);
      throw err;
    },
  ) as unknown as T;
}

/** Waits until every record written so far is exported (when the provider can flush; the no-op global cannot). Never rejects. */
export async function flushLogs(): Promise<void> {
  try {
    const p = currentLogProvider() as ApiLoggerProvider & { forceFlush?: () => Promise<void> };
    if (typeof p.forceFlush === 'function') await p.forceFlush();
  } catch (err) {
    reportLogFailure(err);
  }
}
