// Durable delivery logs of pipeline workers are folders named after the log
// (`logs#w2`). When `service.workers` shrinks, the folders of the workers no
// longer started would hold acknowledged records nobody reads: the main thread
// finds them here and drains them (see Service).
import { readdirSync } from 'node:fs';

/** The folder a log's segments live in, under the storage's `delivery/` directory. */
export function logFolder(log: string): string {
  return log.replace(/[^A-Za-z0-9_.#-]/g, '_');
}

/** Logs `<pipeline>#w<k>` with a folder under `deliveryDir` and `k` above `workers`, by log name. */
export function orphanedWorkerLogs(deliveryDir: string, pipeline: string, workers: number): string[] {
  let names: string[];
  try {
    names = readdirSync(deliveryDir);
  } catch {
    return [];
  }
  const prefix = logFolder(`${pipeline}#w`);
  const out: string[] = [];
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const k = n.slice(prefix.length);
    if (/^[1-9]\d*$/.test(k) && Number(k) > workers) out.push(`${pipeline}#w${k}`);
  }
  return out.sort();
}
