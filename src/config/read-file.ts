// Reads a config file, refusing what cannot be one before reading much of it:
// anything but a regular file (a device such as /dev/zero would be read until
// memory ran out; a FIFO would block), files over MAX_CONFIG_BYTES, and
// binary or non-UTF-8 content.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';

/** The largest config file read (real ones are a few KiB). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Why the file cannot be a config; the message is one sentence without the file's contents. */
export class ConfigFileError extends Error {}

export function readConfigFile(file: string): string {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    throw new ConfigFileError(cannotRead(file, err));
  }
  refuseNonFile(st);
  let fd: number;
  try {
    // Non-blocking: if the path was swapped for a FIFO since the stat, opening it does not wait for a writer.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ConfigFileError(cannotRead(file, err));
  }
  let bytes: Buffer;
  try {
    refuseNonFile(fstatSync(fd));
    // Read at most one byte past the limit, whatever the size said (a file may grow, /proc files say 0).
    const buf = Buffer.allocUnsafe(MAX_CONFIG_BYTES + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > MAX_CONFIG_BYTES) throw new ConfigFileError(tooBig(n));
    }
    bytes = buf.subarray(0, n);
  } catch (err) {
    if (err instanceof ConfigFileError) throw err;
    throw new ConfigFileError(cannotRead(file, err));
  } finally {
    closeSync(fd);
  }
  if (bytes.includes(0)) throw new ConfigFileError('the file is binary (it holds NUL bytes), not YAML text');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigFileError('the file is not UTF-8 text');
  }
}

function refuseNonFile(st: Stats): void {
  if (!st.isFile()) throw new ConfigFileError(`not a regular file (it is ${kind(st)}); give the path of a YAML file`);
  if (st.size > MAX_CONFIG_BYTES) throw new ConfigFileError(tooBig(st.size));
}

function tooBig(size: number): string {
  return `the file is ${size > MAX_CONFIG_BYTES + 1 ? size.toLocaleString('en') : 'more than 4,194,304'} bytes; a config file may be at most ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`;
}

function kind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** `cannot read config file /abs/path: no such file (ENOENT)`: the absolute path, so a relative one is not misread. */
function cannotRead(file: string, err: unknown): string {
  return `cannot read config file ${resolve(file)}: ${reason(err)}`;
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  // The code and the operation only: Node's message repeats the path, which the caller already names.
  return e.code ? `${describeCode(e.code)} (${e.code})` : String(e.message ?? err);
}

function describeCode(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return 'system error';
  }
}
