// The Collector's processor item counts: records handed to each processor
// (otelcol_processor_incoming_items) and records it passes on
// (otelcol_processor_outgoing_items), counted once per batch around the processor.
import type { LogsConsumer } from '../component/types.js';
import { M, type Labels, type Telemetry } from './metrics.js';

/** `next`, counting the records that pass into it in `metric`. */
export function countingItems(next: LogsConsumer, telemetry: Telemetry, metric: string, labels: Labels): LogsConsumer {
  const count = telemetry.counter(metric, labels);
  return {
    consume(records, wireBytes) {
      count(records.length);
      return next.consume(records, wireBytes);
    },
  };
}

/** Labels of a processor's item counts, as the Collector's (`processor`, `otel_signal`). */
export const processorLabels = (id: string): Labels => ({ processor: id, otel_signal: 'logs' });

export const PROCESSOR_ITEMS = { incoming: M.processorIncoming, outgoing: M.processorOutgoing } as const;
