// Where a request is acknowledged. One receiver's records run through each
// of its pipelines' processors (redaction first); the results are appended to
// every pipeline's delivery log together, or to none: a request is wholly
// accepted or wholly refused (503 + Retry-After), never half, so a sender's
// retry can never duplicate what one pipeline already took. The promise
// resolves only once every log holds the records (and, with fsync, on disk).
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BackpressureError, errorMessage } from '../component/errors.js';
import type { LogsConsumer } from '../component/types.js';
import { cloneRecord } from '../pipeline/fanout.js';
import { decodeAndConsume, type BodyFormat, type Ingested, type RequestConsumer } from '../pipeline/ingest.js';
import type { RecordTap } from '../pipeline/tap.js';
import type { InternalLogger } from '../telemetry/logger.js';
import { estimateBytes, type AppendTicket, type DeliveryLog } from './delivery-log.js';
import { Staging, withStaging } from './pipeline-tail.js';

/** One pipeline a receiver feeds; `index` is its place among all pipelines (its tail's staging slot). */
export interface IntakePipeline {
  name: string;
  head: LogsConsumer;
  log: DeliveryLog;
  index: number;
}

/** Records run through the processors between two turns of the event loop. */
const SLICE = 2048;
/** Seconds a sender is asked to wait when the logs are full. */
const FULL_RETRY_AFTER_S = 1;

export class RequestIntake implements RequestConsumer {
  constructor(
    private readonly pipelines: IntakePipeline[],
    private readonly totalPipelines: number,
    private readonly tap: RecordTap,
    private readonly logger: InternalLogger,
  ) {}

  /** A body decoded on this thread (without pipeline workers; in a worker, the body it was handed). */
  consumeEncoded(format: BodyFormat, body: Uint8Array): Promise<Ingested> {
    return decodeAndConsume(this, format, body);
  }

  async consume(records: ReadableLogRecord[], wireBytes = 0): Promise<void> {
    const ps = this.pipelines;
    const n = ps.length;
    for (let i = 0; i < n; i++) {
      if (ps[i]!.log.isClosed)
        throw new BackpressureError(
          'The collector is shutting down; retry against another instance or later.',
          FULL_RETRY_AFTER_S,
          503,
        );
    }
    const staging = new Staging(this.totalPipelines);
    // A large request goes through the processors in slices, giving other requests (and signals)
    // a turn in between, so one big body cannot stall the event loop for its whole length.
    for (let at = 0; at < records.length; at += SLICE) {
      if (at > 0) await new Promise((r) => setImmediate(r));
      const slice = records.length <= SLICE ? records : records.slice(at, at + SLICE);
      const outcomes = withStaging(staging, () => {
        const out: Promise<void>[] = [];
        // Processors may rewrite records, so every pipeline but the last gets its own copy.
        for (let i = 0; i < n; i++) out.push(ps[i]!.head.consume(i === n - 1 ? slice : slice.map(cloneRecord)));
        return out;
      });
      // A processor's refusal (memory_limiter) refuses the whole request before anything is appended.
      await (n === 1 ? outcomes[0] : Promise.all(outcomes));
    }
    const share = wireBytes / Math.max(1, records.length);
    for (let i = 0; i < n; i++) {
      const got = staging.staged[ps[i]!.index];
      if (!got || got.length === 0) continue;
      if (!ps[i]!.log.hasRoom(estimateBytes(got, share * got.length))) {
        const log = ps[i]!.log;
        this.logger.burst('warn', 'log-full', 'A delivery log is full; refusing requests until exporters catch up.', {
          pipeline: ps[i]!.name,
          durable: log.durable,
        });
        throw new BackpressureError(
          log.isClosed
            ? 'The collector is shutting down; retry later.'
            : `The delivery log of pipeline "${ps[i]!.name}" is full; exporters are behind. Retry later.`,
          FULL_RETRY_AFTER_S,
          503,
        );
      }
    }
    const tickets: AppendTicket[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const got = staging.staged[ps[i]!.index];
        if (got && got.length > 0) tickets.push(ps[i]!.log.append(got, share * got.length));
      }
    } catch (err) {
      for (let k = tickets.length - 1; k >= 0; k--) {
        try {
          tickets[k]!.log.unappend(tickets[k]!);
        } catch (e) {
          this.logger.error(
            'Could not take back a delivery log entry after a failed append; it will be delivered although the request was refused.',
            { error: errorMessage(e) },
          );
        }
      }
      this.logger.burst(
        'error',
        'log-append',
        'Could not append to a delivery log; refusing the request so the sender retries.',
        { error: errorMessage(err) },
      );
      throw new BackpressureError(`The delivery log could not store the request: ${errorMessage(err)}`, 5, 503);
    }
    if (tickets.length === 0) return;
    if (tickets.length === 1) await tickets[0]!.log.flush();
    else await Promise.all(tickets.map((t) => t.log.flush()));
    for (let i = 0; i < n; i++) {
      const got = staging.staged[ps[i]!.index];
      if (!got || got.length === 0) continue;
      ps[i]!.log.publish();
      if (this.tap.active) this.tap.publish(got, ps[i]!.name);
    }
  }
}
