// Error classes the pipeline understands. A permanent error is dropped and
// counted, never retried; a backpressure error means "try again later" and
// surfaces at the receiver as 429/503 with Retry-After.

export class PermanentError extends Error {
  override name = 'PermanentError';
}

export class BackpressureError extends Error {
  override name = 'BackpressureError';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    readonly status: 429 | 503 = 503,
  ) {
    super(message);
  }
}

export function isPermanent(err: unknown): boolean {
  return (
    err instanceof PermanentError ||
    (typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true)
  );
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
