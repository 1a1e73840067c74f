// `transport: unix`: a socket file left by a collector that did not shut down
// cleanly would make the next listen fail with EADDRINUSE, so it is removed
// first, but only when nothing answers on it (a live server keeps its socket
// and the listen reports the conflict). Anything that is not a socket is left alone.
import { lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';

export async function removeStaleSocket(path: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isSocket()) return;
  const live = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (!live) await unlink(path);
}
