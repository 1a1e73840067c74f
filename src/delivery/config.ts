// `service.delivery`: how the pipelines' delivery logs are kept and bounded.
import { def, int, obj, opt, str } from '../config/schema.js';

export const deliveryConfigSpec = obj({
  /**
   * Bytes of acknowledged records held in memory, for all pipelines together (per pipeline worker:
   * this divided by `workers`). At the bound receivers refuse with 503 + Retry-After.
   */
  memory_limit_mib: def(int({ min: 1 }), 256),
  /** Id of a `file_storage` extension: durable mode, the logs are kept on disk and survive kill -9. */
  storage: opt(str({ nonEmpty: true })),
  /** Durable mode: bytes of log kept on disk per pipeline before receivers refuse. */
  disk_limit_mib: def(int({ min: 1 }), 4096),
});

export type DeliveryConfig = NonNullable<ReturnType<typeof deliveryConfigSpec.parse>>;

export const defaultDeliveryConfig = (): DeliveryConfig => deliveryConfigSpec.parse({}, [], [])!;
