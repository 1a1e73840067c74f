import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on 127.0.0.1. With `withBus`, its
 * Redis Cluster bus port (+10000) is free too.
 */
export async function freePort(withBus = false): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await listenOnce(0);
    if (!withBus || (p < 55000 && (await isFree(p + 10000)))) return p;
  }
  throw new Error('No free port found.');
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function isFree(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch {
    return false;
  }
}
