// What the Redis benchmarks read from redis-server itself: its CPU time and
// its per-command counters, so figures show the server's share of the work.
import type { Redis } from 'ioredis';

/** redis-server's user + system CPU seconds so far (INFO cpu). */
export async function redisCpuSeconds(info: Redis): Promise<number> {
  const text = await info.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(text)![1]) + Number(/used_cpu_sys:([\d.]+)/.exec(text)![1]);
}

/** Calls and µs so far per command (INFO commandstats; subcommands as `client|setname`). */
export async function commandStats(info: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const out = new Map<string, { calls: number; usec: number }>();
  for (const m of (await info.info('commandstats')).matchAll(/cmdstat_([\w|]+):calls=(\d+),usec=(\d+)/g)) {
    out.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return out;
}
