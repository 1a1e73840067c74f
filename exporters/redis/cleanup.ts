// Periodic trimming of what TTLs cannot reach: an index that keeps receiving
// members never expires as a whole, so members older than the longest
// retention class are removed by score, and the response-time samples are
// cut to their window. Keys are found with SCAN over fixed patterns (never a
// pattern built from user input), in small batches that never stall Redis.
import { errorMessage } from '../../src/component/errors.js';
import type { InternalLogger } from '../../src/telemetry/logger.js';
import type { Transport } from './connection.js';
import type { KeySchema } from './key-schema.js';

export interface CleanupResult {
  keys: number;
  removed: number;
}

export class Cleanup {
  private timer?: NodeJS.Timeout;
  private running?: Promise<CleanupResult>;

  constructor(
    private readonly transport: () => Transport,
    private readonly keys: KeySchema,
    private readonly maxRetentionSec: number,
    private readonly responseWindowSec: number,
    private readonly intervalMs: number,
    private readonly logger: InternalLogger,
  ) {}

  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.run().catch((err) =>
        this.logger.warn('Trimming old Redis index members failed; will try again.', { error: errorMessage(err) }),
      );
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass now; concurrent calls share the pass in progress. */
  run(nowSec = Date.now() / 1000): Promise<CleanupResult> {
    this.running ??= this.pass(nowSec).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(nowSec: number): Promise<CleanupResult> {
    const t = this.transport();
    const total: CleanupResult = { keys: 0, removed: 0 };
    const trim = (cutoff: number) => async (keys: string[]) => {
      const replies = await t.run(keys.map((k) => ['zremrangebyscore', k, '-inf', `(${cutoff}`]));
      total.keys += keys.length;
      for (const [err, n] of replies) if (!err && typeof n === 'number') total.removed += n;
    };
    const p = this.keys.prefix;
    await t.scan(`${p}idx:*`, trim(nowSec - this.maxRetentionSec));
    await t.scan(`${p}stats:response_times:*`, trim(nowSec - this.responseWindowSec));
    if (total.removed > 0)
      this.logger.debug('Trimmed old Redis index members.', { keys: total.keys, removed: total.removed });
    return total;
  }
}
