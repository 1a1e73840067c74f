// The live stream's cap on open subscribers (issue #11 item 5): without it any
// client that may read the API could hold an unbounded number of streams open.
import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { STREAM_REFUSED_METRIC } from '../../../src/extensions/query-api/sse.js';
import { startApi, type RunningApi } from './helpers.js';

const TOKEN = 'cap-token';

interface Opened {
  req: ClientRequest;
  res: IncomingMessage;
  status: number;
  body: string;
}

/** Opens one stream and resolves once its status is known (and, for a 200, its first comment arrived). */
function open(url: string): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const req = get(
      `${url}/api/logs/stream`,
      { agent: false, headers: { authorization: `Bearer ${TOKEN}` } },
      (res) => {
        res.setEncoding('utf8');
        let body = '';
        res.on('data', (c: string) => {
          body += c;
          if (res.statusCode === 200 && body.includes(': connected')) resolve({ req, res, status: 200, body });
        });
        res.on('end', () => resolve({ req, res, status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
  });
}

describe('query API – stream subscriber cap', () => {
  let run: RunningApi | undefined;
  const streams: Opened[] = [];
  afterEach(async () => {
    for (const s of streams.splice(0)) s.req.destroy();
    await run?.api.shutdown();
    run = undefined;
  });

  it('accepts 64 streams by default, answers the 65th with 503 and Retry-After, counts and logs it', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] } });
    for (let i = 0; i < 64; i++) {
      const s = await open(run.url);
      streams.push(s);
      expect(s.status).toBe(200);
    }
    const refused: Opened[] = [];
    for (let i = 0; i < 3; i++) refused.push(await open(run.url));
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(Number(r.res.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(r.body).error).toMatch(/max_subscribers is 64/);
    }
    expect(run.host.telemetry.total(STREAM_REFUSED_METRIC)).toBe(3);
    // (The test logger has no burst window; the collector's logs one line per 10 s burst.)
    expect(run.lines.some((l) => l.includes('stream limit is reached'))).toBe(true);
    const metrics = await (await run.get('/metrics', TOKEN)).text();
    expect(metrics).toMatch(new RegExp(`^${STREAM_REFUSED_METRIC}(\\{[^}]*\\})? 3$`, 'm'));

    // A stream that goes away frees its place.
    streams.shift()!.req.destroy();
    await vi.waitFor(async () => {
      const again = await open(run!.url);
      streams.push(again);
      expect(again.status).toBe(200);
    });
  });

  it('takes its limit from stream.max_subscribers', async () => {
    run = await startApi({ auth: { tokens: [TOKEN] }, stream: { max_subscribers: 2 } });
    streams.push(await open(run.url), await open(run.url));
    expect(streams.map((s) => s.status)).toEqual([200, 200]);
    const third = await open(run.url);
    expect(third.status).toBe(503);
    expect(third.res.headers['retry-after']).toBeDefined();
  });
});
