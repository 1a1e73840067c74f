// A plain TCP relay in front of a real redis-server that can lose or delay
// traffic on cue, so tests can produce "Redis applied the batch but the
// reply never came back" and "an old attempt's EXEC arrives late" exactly,
// without timing races. Bytes are matched as the exporter sends them (RESP).
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** `EXEC` as a RESP command: the end of a transaction. */
export const EXEC = Buffer.from('*1\r\n$4\r\nEXEC\r\n');
/** `MULTI`: the start of one. */
export const MULTI = Buffer.from('*1\r\n$5\r\nMULTI\r\n');

interface Link {
  client: Socket;
  upstream: Socket;
  held: Buffer[] | null;
  muted: boolean;
}

export class Relay {
  private server?: Server;
  private readonly links = new Set<Link>();
  /** Armed: the next client write containing the pattern is delivered, and every reply after it is dropped. */
  private muteAfter: Buffer | null = null;
  /** Armed: the next client write containing the pattern, and all after it on that connection, are held back. */
  private holdFrom: Buffer | null = null;
  /** Armed: called once the next client write containing the pattern has been passed on to Redis. */
  private cue: { pattern: Buffer; fn: () => void } | null = null;
  /** Set once an armed cue has fired. */
  fired = false;
  /** Every client write, per connection in the order connections were made. */
  readonly sent: Buffer[][] = [];

  private constructor(private readonly target: number) {}

  static async start(targetPort: number): Promise<Relay> {
    const r = new Relay(targetPort);
    r.server = createServer((client) => r.link(client));
    await new Promise<void>((res) => r.server!.listen(0, '127.0.0.1', () => res()));
    return r;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** After the client sends `pattern` (delivered to Redis), no reply reaches it on that connection. */
  muteRepliesAfter(pattern: Buffer): void {
    this.muteAfter = pattern;
    this.fired = false;
  }

  /** From the client write containing `pattern` on, that connection's requests wait for `release()`. */
  holdRequestsFrom(pattern: Buffer): void {
    this.holdFrom = pattern;
    this.fired = false;
  }

  /** Runs `fn` right after the client write containing `pattern` has been passed on to Redis. */
  afterRequest(pattern: Buffer, fn: () => void): void {
    this.cue = { pattern, fn };
    this.fired = false;
  }

  /** Drops held requests unsent and closes those connections (Redis discards what it had of them). */
  drop(): void {
    for (const l of this.links) {
      if (l.held === null) continue;
      l.held = null;
      l.upstream.destroy();
    }
  }

  /** Delivers held requests to Redis (even if the client has gone), then closes those connections. */
  async release(): Promise<void> {
    for (const l of this.links) {
      if (l.held === null) continue;
      const bytes = Buffer.concat(l.held);
      l.held = null;
      await new Promise<void>((r) => l.upstream.write(bytes, () => r()));
      // Give Redis a moment to run them before the connection goes.
      await new Promise((r) => setTimeout(r, 100));
      l.upstream.end();
    }
  }

  async stop(): Promise<void> {
    for (const l of this.links) {
      l.client.destroy();
      l.upstream.destroy();
    }
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  private link(client: Socket): void {
    const upstream = connect(this.target, '127.0.0.1');
    const l: Link = { client, upstream, held: null, muted: false };
    this.links.add(l);
    const sent: Buffer[] = [];
    this.sent.push(sent);
    client.on('data', (d: Buffer) => {
      sent.push(d);
      if (l.held !== null) {
        l.held.push(d);
        return;
      }
      if (this.holdFrom && d.includes(this.holdFrom)) {
        this.holdFrom = null;
        this.fired = true;
        l.held = [d];
        return;
      }
      upstream.write(d);
      if (this.cue && d.includes(this.cue.pattern)) {
        const fn = this.cue.fn;
        this.cue = null;
        this.fired = true;
        fn();
      }
      if (this.muteAfter && d.includes(this.muteAfter)) {
        this.muteAfter = null;
        this.fired = true;
        l.muted = true;
      }
    });
    upstream.on('data', (d: Buffer) => {
      if (!l.muted) client.write(d);
    });
    // A held connection stays open upstream until release(): its requests must still arrive.
    client.on('close', () => {
      if (l.held === null) upstream.destroy();
    });
    upstream.on('close', () => {
      client.destroy();
      this.links.delete(l);
    });
    client.on('error', () => undefined);
    upstream.on('error', () => client.destroy());
  }
}
