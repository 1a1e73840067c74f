// Turns the configured limits into byte thresholds, as the Collector does:
// absolute MiB win over percentages; the spike defaults to 20% of the limit.
import { totalmem } from 'node:os';
import type { MemoryLimiterConfig } from './config.js';

const MIB = 1024 * 1024;

export interface MemoryLimits {
  /** Above this, records are refused. */
  softBytes: number;
  /** Above this, a garbage collection is also forced (when `--expose-gc` is on). */
  hardBytes: number;
}

/**
 * Total memory available to this process: the cgroup limit when one is set
 * (libuv reads cgroup v1 and v2 for `process.constrainedMemory()`), else the
 * machine's memory. An unconstrained cgroup reports a huge number, hence the min.
 */
export function totalMemoryBytes(): number {
  const total = totalmem();
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  return constrained > 0 ? Math.min(constrained, total) : total;
}

export function resolveLimits(cfg: MemoryLimiterConfig, total: () => number = totalMemoryBytes): MemoryLimits {
  let hard: number;
  let spike: number;
  if (cfg.limit_mib > 0) {
    hard = cfg.limit_mib * MIB;
    spike = cfg.spike_limit_mib > 0 ? cfg.spike_limit_mib * MIB : hard * 0.2;
  } else {
    const t = total();
    hard = (t * cfg.limit_percentage) / 100;
    spike = cfg.spike_limit_percentage > 0 ? (t * cfg.spike_limit_percentage) / 100 : hard * 0.2;
  }
  return { hardBytes: Math.floor(hard), softBytes: Math.floor(hard - spike) };
}
