// Real faults for file sinks: a small tmpfs that can be filled (ENOSPC), and a
// "crash" in the middle of a write: the write to a file under a directory
// stops after some of its bytes, and its callback never comes, as if the
// process had been killed there. Shared by the msgpack_audit and file tests.
import { execFileSync } from 'node:child_process';
import fs, { mkdirSync, readlinkSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** Fills the file system until only about `leave` bytes are free. */
  fill(leave: number): void;
  /** Removes the filler. */
  free(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `kib` KiB at `dir` (root only), or returns why it could not. */
export function mountTmpfs(dir: string, kib = 256): Tmpfs | string {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    return `cannot mount a tmpfs (needs root): ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    fill(leave) {
      const s = statfsSync(dir);
      const avail = Number(s.bavail) * Number(s.bsize);
      writeFileSync(filler, Buffer.alloc(Math.max(0, avail - leave)));
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      }
    },
  };
}

/**
 * From now on, a write to a file under `root` writes only `keep(length)` of its bytes and never calls
 * back: the writer is frozen there, as if killed. Returns a function that restores fs.
 */
export function freezeWritesUnder(root: string, keep: (length: number) => number): () => void {
  const write = fs.write;
  const writev = fs.writev;
  const ours = (fd: number) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(root + '/');
    } catch {
      return false;
    }
  };
  const stop = (fd: number, b: Buffer) => {
    fs.writeSync(fd, b, 0, keep(b.length));
  };
  fs.writev = ((fd: number, buffers: NodeJS.ArrayBufferView[], ...rest: unknown[]) => {
    if (!ours(fd)) return (writev as (...a: unknown[]) => void)(fd, buffers, ...rest);
    stop(fd, Buffer.concat(buffers as Uint8Array[]));
  }) as typeof fs.writev;
  fs.write = ((fd: number, buffer: Buffer, offset: number, length: number, ...rest: unknown[]) => {
    if (!ours(fd) || !Buffer.isBuffer(buffer))
      return (write as (...a: unknown[]) => void)(fd, buffer, offset, length, ...rest);
    stop(fd, buffer.subarray(offset, offset + length));
  }) as typeof fs.write;
  return () => {
    fs.write = write;
    fs.writev = writev;
  };
}

/** This process's open file descriptors on files under `root` (Linux /proc), as paths; position state files left out. */
export function openFilesUnder(root: string): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(root + '/') && !target.endsWith('.state')) out.push(target.slice(root.length + 1));
    } catch {
      /* closed meanwhile */
    }
  }
  return out.sort();
}
