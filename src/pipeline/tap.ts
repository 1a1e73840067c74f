// A live view of records leaving the pipelines (after processors, so after
// redaction), for the query API's stream. Publishing costs one length check
// when nobody listens; listeners must never block, they buffer or drop.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

export type TapListener = (records: readonly ReadableLogRecord[], pipeline: string) => void;

export class RecordTap {
  private listeners: TapListener[] = [];
  private watchers: ((active: boolean) => void)[] = [];

  subscribe(fn: TapListener): () => void {
    this.listeners = [...this.listeners, fn];
    if (this.listeners.length === 1) this.notify(true);
    return () => {
      const before = this.listeners.length;
      this.listeners = this.listeners.filter((l) => l !== fn);
      if (before > 0 && this.listeners.length === 0) this.notify(false);
    };
  }

  /** Calls `fn` whenever the tap gains its first listener or loses its last (pipeline workers forward only then). */
  watch(fn: (active: boolean) => void): void {
    this.watchers.push(fn);
  }

  private notify(active: boolean): void {
    for (const w of this.watchers) w(active);
  }

  get active(): boolean {
    return this.listeners.length > 0;
  }

  publish(records: readonly ReadableLogRecord[], pipeline: string): void {
    for (const l of this.listeners) {
      try {
        l(records, pipeline);
      } catch {
        /* a listener's failure never reaches the pipeline */
      }
    }
  }
}
