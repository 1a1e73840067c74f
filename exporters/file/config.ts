// Configuration of the `file` exporter: the Collector file exporter's keys
// where they make sense for JSON lines, with the documented rotation defaults
// (10 MB per file, 5 backups; docs/log-formats.md).
import { modeFields } from '../../src/config/file-mode.js';
import {
  bool,
  bytes,
  def,
  duration,
  int,
  obj,
  oneOf,
  opt,
  req,
  str,
  type Spec,
  type SpecOutput,
} from '../../src/config/schema.js';

const MIB = 1024 * 1024;

const rotationSpec = obj({
  /** Rotate when the file would grow past this many MiB; 0 disables rotation. */
  max_megabytes: def(int({ min: 0 }), 10),
  /** A byte size (`512KiB`, `10485760`) that overrides max_megabytes, as a logging config's usual `max_bytes`. */
  max_bytes: opt(bytes()),
  /** Delete backups older than this many days; 0 keeps them regardless of age. */
  max_days: def(int({ min: 0 }), 0),
  /** Number of backups kept; 0 keeps all. */
  max_backups: def(int({ min: 0 }), 5),
  /** Name backups with local time instead of UTC. */
  localtime: def(bool(), false),
});

/** A key the Collector accepts that Auditline refuses, with the reason. */
function refused(reason: string): Spec<never> {
  return {
    shape: 'refused',
    parse(_v, p, is) {
      is.push({ path: p, message: reason });
      return undefined;
    },
  };
}

export const fileFields = {
  /** The JSON lines file; its directory is created. */
  path: req(str({ nonEmpty: true })),
  rotation: def(rotationSpec, () => rotationSpec.parse({}, [], [])!),
  /** `json` (one object per line). The Collector's `proto` is refused. */
  format: def(oneOf(['json', 'proto'] as const), 'json'),
  /** Append to an existing file (default). `false` truncates it at start, as the Collector's default does. */
  append: def(bool(), true),
  /** Accepted for compatibility: every batch is written when it is exported. */
  flush_interval: opt(duration()),
  compression: opt(str()),
  encoding: opt(refused('encoding extensions are not supported; the file exporter writes JSON lines')),
  group_by: opt(
    obj({ enabled: def(bool(), false), resource_attribute: opt(str()), max_open_files: opt(int({ min: 1 })) }),
  ),
  /** Permissions of the file (backups keep them), its state file and the directories created: owner only unless set. */
  ...modeFields(),
};

export function checkFile(
  c: { format: string; compression?: string; group_by?: { enabled: boolean } },
  add: (key: string | null, msg: string) => void,
): void {
  if (c.format === 'proto') add('format', 'proto is not supported; the file exporter writes JSON lines (format: json)');
  if (c.compression !== undefined && c.compression !== '')
    add('compression', `"${c.compression}" is not supported; files are written uncompressed`);
  if (c.group_by?.enabled) add('group_by', 'grouping into several files by resource attribute is not supported');
}

export const fileConfigSpec = obj(fileFields, checkFile);
export type FileConfig = SpecOutput<typeof fileConfigSpec>;
export type RotationConfig = FileConfig['rotation'];

/** Bytes after which the file rotates, or Infinity. */
export function maxFileBytes(r: RotationConfig): number {
  if (r.max_bytes !== undefined) return r.max_bytes;
  return r.max_megabytes > 0 ? r.max_megabytes * MIB : Infinity;
}
