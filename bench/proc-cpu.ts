// CPU time from Linux /proc stat files (a process's or one thread's), which the
// benchmarks print beside wall time: it moves far less when other work shares
// the machine. Linux only; callers treat a missing file as "not available".
import { readFileSync } from 'node:fs';

/** Clock ticks per second of the utime/stime fields (USER_HZ; sysconf is not reachable from Node). */
export const USER_HZ = 100;

/** The fields of a /proc stat file after the parenthesised command name: state is [0], ppid [1]. */
export function statFields(path: string): string[] {
  const s = readFileSync(path, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime, in clock ticks, from `statFields`. */
export function cpuTicks(fields: string[]): number {
  return Number(fields[11]) + Number(fields[12]);
}
