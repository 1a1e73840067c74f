// The Collector's exporterhelper keys, shared by every exporter:
// `sending_queue`, `retry_on_failure`, `timeout`.
import { bool, def, duration, int, num, obj, opt, str } from '../config/schema.js';

export const sendingQueueSpec = obj({
  enabled: def(bool(), true),
  /** Concurrent exports. Exporters that must keep order cap this themselves. */
  num_consumers: def(int({ min: 1 }), 10),
  /** Batches the queue holds before refusing more (the receiver then answers 503). */
  queue_size: def(int({ min: 1 }), 1000),
  /** Id of a `file_storage` extension: the queue is kept on disk and survives restarts. */
  storage: opt(str({ nonEmpty: true })),
});

export const retrySpec = obj({
  enabled: def(bool(), true),
  initial_interval: def(duration(), 5000),
  randomization_factor: def(num({ min: 0, max: 1 }), 0.5),
  multiplier: def(num({ min: 1 }), 1.5),
  max_interval: def(duration(), 30_000),
  /** Give up (drop and count) after this long; 0 retries forever. */
  max_elapsed_time: def(duration(), 300_000),
});

/** Spread into an exporter's `obj({...})` fields. */
export const exporterHelperFields = {
  sending_queue: def(sendingQueueSpec, () => sendingQueueSpec.parse({}, [], [])!),
  retry_on_failure: def(retrySpec, () => retrySpec.parse({}, [], [])!),
  timeout: def(duration({ min: 1 }), 5000),
};

export interface QueueSettings {
  enabled: boolean;
  num_consumers: number;
  queue_size: number;
  storage?: string;
}
export interface RetrySettings {
  enabled: boolean;
  initial_interval: number;
  randomization_factor: number;
  multiplier: number;
  max_interval: number;
  max_elapsed_time: number;
}
export interface ExporterHelperSettings {
  sending_queue: QueueSettings;
  retry_on_failure: RetrySettings;
  timeout: number;
}
