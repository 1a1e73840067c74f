// The end of a pipeline's processor chain. It does not store anything: it
// stages the processed records for the request being taken (see
// request-intake.ts), which appends them to every pipeline's delivery log at
// once. Processors call their next consumer synchronously (every processor
// here does), so the staging slot of the request in progress is known.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { LogsConsumer } from '../component/types.js';

/** Records each pipeline of the request in progress produced, by pipeline index. */
export class Staging {
  readonly staged: (ReadableLogRecord[] | undefined)[];
  constructor(pipelines: number) {
    this.staged = new Array(pipelines);
  }
}

let current: Staging | undefined;

/** Runs `fn` with `s` as the staging slot of the request in progress. */
export function withStaging<T>(s: Staging, fn: () => T): T {
  const prev = current;
  current = s;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

export class PipelineTail implements LogsConsumer {
  constructor(private readonly index: number) {}

  consume(records: ReadableLogRecord[]): Promise<void> {
    const s = current;
    if (!s) {
      return Promise.reject(
        new Error(
          'A processor passed records on after its consume() returned; processors must call the next consumer synchronously.',
        ),
      );
    }
    const had = s.staged[this.index];
    if (had) {
      for (const r of records) had.push(r);
    } else s.staged[this.index] = records;
    return Promise.resolve();
  }
}
