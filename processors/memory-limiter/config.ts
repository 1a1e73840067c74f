// Configuration of the `memory_limiter` processor, with the Collector's keys.
// Limits resolve to bytes at creation (see limits.ts); validation is pure.
import { def, duration, int, obj, opt, type SpecOutput } from '../../src/config/schema.js';

export const memoryLimiterConfigSpec = obj(
  {
    /** How often memory is sampled. The Collector requires it; 1s is its recommended value and our default. */
    check_interval: def(duration({ min: 1 }), 1000),
    /** Hard limit in MiB of resident memory. Takes precedence over limit_percentage. */
    limit_mib: def(int({ min: 0 }), 0),
    /** Headroom in MiB below the hard limit; the soft limit is limit − spike. 0 means 20% of the limit. */
    spike_limit_mib: def(int({ min: 0 }), 0),
    /** Hard limit as a percentage of total memory (the cgroup limit when one is set). */
    limit_percentage: def(int({ min: 0, max: 100 }), 0),
    /** Spike as a percentage of total memory; 0 means 20% of the limit. */
    spike_limit_percentage: def(int({ min: 0, max: 100 }), 0),
    /** Least time between forced GCs while above the soft limit. */
    min_gc_interval_when_soft_limited: def(duration(), 10_000),
    /** Least time between forced GCs while above the hard limit; 0 forces one at every check. */
    min_gc_interval_when_hard_limited: def(duration(), 0),
    /** Accepted for compatibility with newer Collectors; Auditline does not back off forced GCs. */
    max_gc_interval_when_soft_limited: opt(duration()),
    max_gc_interval_when_hard_limited: opt(duration()),
  },
  (c, add) => {
    if (c.min_gc_interval_when_soft_limited < c.min_gc_interval_when_hard_limited) {
      add('min_gc_interval_when_soft_limited', 'must be at least min_gc_interval_when_hard_limited');
    }
    if (c.limit_mib === 0 && c.limit_percentage === 0) {
      add(null, 'must set limit_mib or limit_percentage to a value greater than zero');
      return;
    }
    if (c.limit_mib > 0) {
      if (c.spike_limit_mib >= c.limit_mib) add('spike_limit_mib', 'must be smaller than limit_mib');
    } else if (c.spike_limit_percentage >= c.limit_percentage) {
      add('spike_limit_percentage', 'must be smaller than limit_percentage');
    }
  },
);

export type MemoryLimiterConfig = SpecOutput<typeof memoryLimiterConfigSpec>;
