// A live view of records leaving the pipelines (after processors, so after
// redaction), for the query API's stream. Publishing costs one length check
// when nobody listens; listeners must never block, they buffer or drop.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

export type TapListener = (records: readonly ReadableLogRecord[], pipeline: string) => void;

export class RecordTap {
  private listeners: TapListener[] = [];

  subscribe(fn: TapListener): () => void {
    this.listeners = [...this.listeners, fn];
    return () => { this.listeners = this.listeners.filter((l) => l !== fn); };
  }

  get active(): boolean { return this.listeners.length > 0; }

  publish(records: readonly ReadableLogRecord[], pipeline: string): void {
    for (const l of this.listeners) {
      try { l(records, pipeline); } catch { /* a listener's failure never reaches the pipeline */ }
    }
  }
}
