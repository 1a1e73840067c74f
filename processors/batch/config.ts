import { def, duration, int, list, obj, str } from '../../src/config/schema.js';

/** The Collector batch processor's keys and defaults. */
export const batchConfigSpec = obj(
  {
    /** A batch is sent as soon as it holds this many records. */
    send_batch_size: def(int({ min: 1 }), 8192),
    /** Upper bound on one batch; 0 means send_batch_size bounds it. */
    send_batch_max_size: def(int({ min: 0 }), 0),
    /** A non-empty batch is sent after this long even if not full; 0s sends what is there at once. */
    timeout: def(duration({ min: 0 }), 200),
    /** Accepted for compatibility; the delivery log's byte bound (service.delivery) now limits what is held. */
    max_pending: def(int({ min: 0 }), 0),
    /** Accepted for Collector compatibility (with a warning when set): Auditline batches all clients together. */
    metadata_keys: def(list(str()), []),
    metadata_cardinality_limit: def(int({ min: 0 }), 1000),
  },
  (c, add, warnAt) => {
    if (c.send_batch_max_size !== 0 && c.send_batch_max_size < c.send_batch_size) {
      add('send_batch_max_size', 'must be greater than or equal to send_batch_size');
    }
    if (c.metadata_keys.length > 0)
      warnAt('metadata_keys', 'ignored (Auditline batches records from all clients together)');
  },
);

export type BatchConfig = NonNullable<ReturnType<typeof batchConfigSpec.parse>>;
