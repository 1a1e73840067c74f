// Configuration of the `debug` exporter, with the Collector debugexporter's keys.
import { bool, def, int, list, oneOf, opt, str } from '../../src/config/schema.js';

export const debugFields = {
  /** `basic`: one summary line per batch; `normal`: one line per record; `detailed`: every field. */
  verbosity: def(oneOf(['basic', 'normal', 'detailed'] as const), 'basic'),
  /** Entries with the same message logged in full within each second... */
  sampling_initial: def(int({ min: 0 }), 2),
  /** ...then only every Nth (`0`: none after the initial ones). */
  sampling_thereafter: def(int({ min: 0 }), 1),
  /** `true`: the collector's log on stderr, prefixed with time and level; `false`: `output_paths`, unprefixed. */
  use_internal_logger: def(bool(), true),
  /** With `use_internal_logger: false`: `stdout` (default), `stderr` or files to append to. */
  output_paths: opt(list(str({ nonEmpty: true }))),
};

export function checkDebug(
  c: { use_internal_logger: boolean; output_paths?: string[] },
  add: (key: string | null, msg: string) => void,
): void {
  if (c.use_internal_logger && c.output_paths !== undefined)
    add('output_paths', 'is not supported when use_internal_logger is true');
  if (!c.use_internal_logger && c.output_paths?.length === 0)
    add('output_paths', 'must not be empty when use_internal_logger is false');
}

export type Verbosity = 'basic' | 'normal' | 'detailed';
