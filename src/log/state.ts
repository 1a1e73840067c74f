// State shared by the logging functions and useAuditline: the provider they
// write to, and the one failure handler and counter.
import { logs, type Logger, type LoggerProvider as ApiLoggerProvider } from '@opentelemetry/api-logs';

/** Instrumentation scope of every record (the sqlite and redis exporters prefer the `component` attribute). */
export const SCOPE_NAME = 'auditline/log';

// ---- where records go -------------------------------------------------------

let configured: ApiLoggerProvider | undefined;
let cachedProvider: ApiLoggerProvider | undefined;
let cachedLogger: Logger | undefined;

/** Makes the functions write to `provider` (undefined: back to the global LoggerProvider). Used by useAuditline. */
export function setLogProvider(provider: ApiLoggerProvider | undefined): void {
  configured = provider;
  cachedProvider = cachedLogger = undefined;
}

/** The provider the functions write to now. */
export function currentLogProvider(): ApiLoggerProvider {
  return configured ?? logs.getLoggerProvider();
}

export function logger(): Logger {
  const p = configured ?? logs.getLoggerProvider();
  if (p !== cachedProvider || cachedLogger === undefined) {
    cachedLogger = p.getLogger(SCOPE_NAME);
    cachedProvider = p;
  }
  return cachedLogger;
}

/** Records below this OTel severity are not written (set by useAuditline's `level`; 0 writes everything). */
let minSeverity = 0;

export function setMinSeverity(n: number): void {
  minSeverity = n;
}

export function getMinSeverity(): number {
  return minSeverity;
}

// ---- failures: one handler, one counter -------------------------------------

let failures = 0;
let handler: ((error: Error) => void) | undefined;

/** The default handler: a line on stderr for the first failure, then for every 1,000th. */
function defaultHandler(error: Error): void {
  if (failures === 1 || failures % 1000 === 0) {
    process.stderr.write(
      `auditline/log: ${error.message} (${failures} logging failure${failures === 1 ? '' : 's'} so far)\n`,
    );
  }
}

/** Receives every failure inside a logging call (and, with useAuditline, every drop or failed export). Undefined restores the default. */
export function setLogErrorHandler(h: ((error: Error) => void) | undefined): void {
  handler = h;
}

/** Failures since the process started (or since resetLogFailureCount()). */
export function logFailureCount(): number {
  return failures;
}

export function resetLogFailureCount(): void {
  failures = 0;
}

/** Counts a failure and hands it to the handler; never throws. */
export function reportLogFailure(err: unknown): void {
  failures++;
  try {
    const e = err instanceof Error ? err : new Error(String(err));
    (handler ?? defaultHandler)(e);
  } catch {
    // A failing handler must not break the caller either.
  }
}
