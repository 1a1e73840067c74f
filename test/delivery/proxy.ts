// A loopback HTTP forwarder between the official exporters and the collector,
// so a test can see what the exporters hide: each attempt's status and
// Retry-After. Attempts are tied to an export by the `x-conservation-export`
// header the lanes set (one export at a time per lane). An export is marked
// refused in the ledger when it failed and every attempt got a complete
// non-2xx answer; an attempt the proxy could not complete (the collector
// closed or reset the connection) leaves its outcome unknown.
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Ledger } from './workload.js';

export interface Attempt {
  seq: number;
  status: number | 'error';
  retryAfter?: string;
}

export class StatusProxy {
  readonly attempts: Attempt[] = [];
  private server: Server | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  port = 0;

  constructor(private readonly upstreamPort: number) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const seq = Number(req.headers['x-conservation-export'] ?? -1);
      const up = request(
        {
          host: '127.0.0.1',
          port: this.upstreamPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: this.agent,
        },
        (upRes) => {
          const chunks: Buffer[] = [];
          upRes.on('data', (c: Buffer) => chunks.push(c));
          upRes.on('end', () => {
            const status = upRes.statusCode ?? 0;
            const retryAfter = upRes.headers['retry-after'];
            this.attempts.push({
              seq,
              status,
              ...(retryAfter !== undefined ? { retryAfter: String(retryAfter) } : {}),
            });
            res.writeHead(status, upRes.headers);
            res.end(Buffer.concat(chunks));
          });
          upRes.on('error', () => {
            this.attempts.push({ seq, status: 'error' });
            res.destroy();
          });
        },
      );
      up.on('error', () => {
        this.attempts.push({ seq, status: 'error' });
        res.destroy();
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Marks in the ledger the failed exports that were refused on every attempt. */
  classify(ledger: Ledger): void {
    const bySeq = new Map<number, Attempt[]>();
    for (const a of this.attempts) {
      const l = bySeq.get(a.seq);
      if (l) l.push(a);
      else bySeq.set(a.seq, [a]);
    }
    for (const e of ledger.exports) {
      if (e.state !== 'failed') continue;
      const at = bySeq.get(e.seq);
      if (at && at.every((a) => a.status !== 'error' && (a.status < 200 || a.status > 299)))
        ledger.refusedSeqs.add(e.seq);
    }
  }

  statusCounts(): Record<string, number> {
    const c: Record<string, number> = {};
    for (const a of this.attempts) {
      const k = a.status === 'error' ? 'error' : `${a.status}${a.retryAfter !== undefined ? '+retry-after' : ''}`;
      c[k] = (c[k] ?? 0) + 1;
    }
    return c;
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((r) => this.server!.close(() => r()));
    }
  }
}
