import { get, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { M } from '../../../src/telemetry/metrics.js';
import { record, SEV } from '../../exporters/sqlite/fixtures.js';
import { startApi, type RunningApi } from './helpers.js';

const TOKEN = 'stream-token';

interface SseEvent {
  event: string;
  data: string;
}

/** A raw SSE client that parses events as they arrive and can stop reading. */
class SseClient {
  events: SseEvent[] = [];
  logCount = 0;
  connected = false;
  ended = false;
  status = 0;
  res?: IncomingMessage;
  private buf = '';
  private keepLogs: boolean;

  constructor(url: string, query = '', opts: { keepLogs?: boolean; stall?: boolean } = {}) {
    this.keepLogs = opts.keepLogs ?? true;
    get(`${url}/api/logs/stream${query}`, { headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      this.res = res;
      this.status = res.statusCode!;
      if (opts.stall) {
        res.pause();
        this.connected = true;
        return;
      }
      this.read(res);
    }).on('error', () => {
      this.ended = true;
    });
  }

  /** Starts (or resumes) reading. */
  read(res = this.res!): void {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.feed(chunk));
    res.on('end', () => {
      this.ended = true;
    });
    res.on('close', () => {
      this.ended = true;
    });
    res.resume();
  }

  private feed(chunk: string): void {
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      if (block.startsWith(': connected')) {
        this.connected = true;
        continue;
      }
      if (block.startsWith(':')) continue;
      const ev: SseEvent = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) ev.event = line.slice(7);
        else if (line.startsWith('data: ')) ev.data += line.slice(6);
      }
      if (ev.event === 'log') this.logCount++;
      if (ev.event !== 'log' || this.keepLogs) this.events.push(ev);
    }
  }

  logs(): Record<string, unknown>[] {
    return this.events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data) as Record<string, unknown>);
  }
}

describe('query API – live stream (SSE)', () => {
  let run: RunningApi | undefined;
  const clients: SseClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.res?.destroy();
    await run?.api.shutdown();
    run = undefined;
  });
  const client = (query = '', opts: { keepLogs?: boolean; stall?: boolean } = {}) => {
    const c = new SseClient(run!.url, query, opts);
    clients.push(c);
    return c;
  };

  it('delivers records leaving the pipeline to two subscribers, each with its own filter', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    const all = client();
    const errors = client('?level=ERROR,CRITICAL&session_id=abc123');
    await vi.waitFor(() => expect(all.connected && errors.connected).toBe(true));
    const batch = [
      record({
        body: 'Session created',
        attrs: { component: 'session_manager', 'session.id': 'abc123', 'user.id': 'u1' },
      }),
      record({
        severity: SEV.ERROR,
        body: 'Model timed out',
        attrs: { 'session.id': 'abc123', prompt: 'never streamed' },
      }),
      record({ severity: SEV.ERROR, body: 'Other session failed', attrs: { 'session.id': 'zzz' } }),
      record({ severity: SEV.CRITICAL, body: 'Disk full', attrs: { 'session.id': 'abc123' }, event: 'disk.full' }),
    ];
    run.host.tap.publish(batch, 'logs');
    await vi.waitFor(() => expect(all.logs()).toHaveLength(4));
    await vi.waitFor(() => expect(errors.logs()).toHaveLength(2));
    expect(all.logs().map((l) => l.message)).toEqual([
      'Session created',
      'Model timed out',
      'Other session failed',
      'Disk full',
    ]);
    expect(all.logs()[0]).toMatchObject({
      level: 'INFO',
      component: 'session_manager',
      session_id: 'abc123',
      user_id: 'u1',
    });
    expect(errors.logs().map((l) => [l.level, l.message, l.event])).toEqual([
      ['ERROR', 'Model timed out', null],
      ['CRITICAL', 'Disk full', 'disk.full'],
    ]);
    expect(JSON.stringify(all.events)).not.toContain('never streamed');
  });

  it('refuses bad filter parameters with 400 naming the parameter', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    const loud = await run.get('/api/logs/stream?level=LOUD', TOKEN);
    expect(loud.status).toBe(400);
    expect((await loud.json()).error).toMatch(/parameter "level"/);
    const unknown = await run.get('/api/logs/stream?colour=red', TOKEN);
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatch(/unknown parameter "colour"/);
    expect((await fetch(run.url + '/api/logs/stream')).status).toBe(401);
  });

  it('drops a subscriber that stops reading with a final "dropped" event and counts it, while others keep receiving', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] }, stream: { buffer_size: 50, drop_grace: '60s' } });
    const reader = client('', { keepLogs: false });
    const stalled = client('', { stall: true });
    await vi.waitFor(() => expect(reader.connected && stalled.connected).toBe(true));

    // 4 KiB records, 20 per turn, each turn only after the reading client caught up, so it can never
    // fall 50 events behind; the stalled one fills its socket buffers and then its 50-event buffer.
    const pad = 'x'.repeat(4096);
    let published = 0;
    while (run.host.telemetry.total(M.streamDropped) === 0) {
      if (published >= 100_000) throw new Error('The stalled subscriber was never dropped.');
      run.host.tap.publish(
        Array.from({ length: 20 }, (_, i) => record({ body: pad, attrs: { n: published + i } })),
        'logs',
      );
      published += 20;
      await vi.waitFor(() => expect(reader.logCount).toBe(published), { timeout: 10_000, interval: 1 });
    }
    expect(run.host.telemetry.total(M.streamDropped)).toBe(1);
    expect(reader.ended).toBe(false);

    // The stalled client, reading again, finds the stream ended by a final `dropped` event.
    stalled.read();
    await vi.waitFor(() => expect(stalled.ended).toBe(true), { timeout: 20_000 });
    const last = stalled.events[stalled.events.length - 1]!;
    expect(last.event).toBe('dropped');
    expect(JSON.parse(last.data)).toMatchObject({ buffered_events: 50 });
    expect(stalled.logCount).toBeLessThan(published);

    // The surviving subscriber still gets new records.
    run.host.tap.publish([record({ body: 'after the drop' })], 'logs');
    await vi.waitFor(() => expect(reader.logCount).toBe(published + 1));
  });

  it('ends open streams with a "shutdown" event when the extension shuts down', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    const c = client();
    await vi.waitFor(() => expect(c.connected).toBe(true));
    await run.api.shutdown();
    await vi.waitFor(() => expect(c.ended).toBe(true));
    expect(c.events.map((e) => e.event)).toEqual(['shutdown']);
  });
});
