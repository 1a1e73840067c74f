// GET /api/logs/system/stream against a real collector process: filelog (two temp files) and
// otlp → redaction → msgpack_audit, with the query API. Lines appended to the files arrive on the
// system stream after redaction; other records (otlp) do not; `file` and `level` filter; a bad
// parameter is a 400; the stream shares /api/logs/stream's subscriber cap (issue #13 item 1).
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, tempDir, type RunningCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/ports.js';
import { streamText } from '../../helpers/sse.js';

const TOKEN = 'system-stream-token';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('GET /api/logs/system/stream – real collector with a filelog receiver', () => {
  let c: RunningCollector;
  let api: string;
  let otlp: string;

  beforeAll(async () => {
    const ports = { api: await freePort(), http: await freePort() };
    api = `http://127.0.0.1:${ports.api}`;
    otlp = `http://127.0.0.1:${ports.http}/v1/logs`;
    const dir = tempDir('auditline-system-stream-');
    writeFileSync(join(dir, 'a.log'), '');
    writeFileSync(join(dir, 'b.log'), '');
    c = await startCollector(
      `
receivers:
  filelog:
    include: ["{{dir}}/*.log"]
    start_at: beginning
    poll_interval: 50ms
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${ports.http}" }
processors:
  redaction: {}
exporters:
  msgpack_audit: { directory: "{{dir}}/audit" }
extensions:
  query_api:
    endpoint: "127.0.0.1:${ports.api}"
    auth: { tokens: ["${TOKEN}"] }
    stream: { max_subscribers: 3 }
service:
  extensions: [query_api]
  pipelines:
    logs/system: { receivers: [filelog], processors: [redaction], exporters: [msgpack_audit] }
    logs: { receivers: [otlp], processors: [redaction], exporters: [msgpack_audit] }
`,
      { dir },
    );
  });
  afterAll(async () => {
    await c?.cleanup();
  });

  const open = (query = '') => fetch(`${api}/api/logs/system/stream${query}`, { headers: auth });
  const append = (name: string, text: string) => appendFileSync(join(c.dir, name), text);

  it('streams appended lines redacted, only filelog records, filtered by file', async () => {
    const all = await fetch(`${api}/api/logs/stream`, { headers: auth });
    const allText = streamText(all);
    await allText.readUntil(': connected');
    const system = await open();
    expect(system.status).toBe(200);
    expect(system.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const sys = streamText(system);
    await sys.readUntil(': connected');
    const onlyB = streamText(await open('?file=b.log'));
    await onlyB.readUntil(': connected');

    // A record from another receiver reaches the general stream but not the system one.
    const res = await fetch(otlp, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceLogs: [
          {
            resource: {},
            scopeLogs: [
              { scope: { name: 'app' }, logRecords: [{ body: { stringValue: 'from otlp, not a file line' } }] },
            ],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await allText.readUntil('from otlp, not a file line');

    append('a.log', 'line a1 signed in as alice@example.com\nline a2 plain\n');
    append('b.log', 'line b1 mail bob@example.org now\n');
    await sys.readUntil('line b1');
    await sys.readUntil('line a2');
    await onlyB.readUntil('line b1');
    append('b.log', 'line b2 last\n');
    await onlyB.readUntil('line b2');
    await sys.readUntil('line b2');
    await Promise.all([sys.cancel(), onlyB.cancel(), allText.cancel()]);

    const events = sys
      .text()
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map(
        (l) => JSON.parse(l.slice(6)) as { message: string; component: string; attributes: Record<string, unknown> },
      );
    expect(events.map((e) => e.message.split(' ').slice(0, 2).join(' ')).sort()).toEqual([
      'line a1',
      'line a2',
      'line b1',
      'line b2',
    ]);
    for (const e of events) {
      expect(e.component).toBe('auditline/filelog');
      expect(['a.log', 'b.log']).toContain(e.attributes['log.file.name']);
    }
    expect(sys.text()).not.toContain('alice@example.com');
    expect(sys.text()).not.toContain('bob@example.org');
    expect(sys.text()).not.toContain('from otlp');
    expect(onlyB.text()).toContain('line b1');
    expect(onlyB.text()).not.toContain('line a');
  });

  it('filters by level and refuses unknown or bad parameters with 400', async () => {
    const errors = streamText(await open('?level=ERROR'));
    await errors.readUntil(': connected');
    const info = streamText(await open('?level=info&file=a.log'));
    await info.readUntil(': connected');
    append('a.log', 'line a3 for info\n');
    await info.readUntil('line a3');
    await Promise.all([errors.cancel(), info.cancel()]);
    expect(errors.text()).not.toContain('line a3');

    const unknown = await open('?user_id=u1');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/unknown parameter "user_id"/);
    const level = await open('?level=LOUD');
    expect(level.status).toBe(400);
    await level.body?.cancel();
    const noAuth = await fetch(`${api}/api/logs/system/stream`);
    expect(noAuth.status).toBe(401);
    await noAuth.body?.cancel();
  });

  it('shares the subscriber cap of /api/logs/stream', async () => {
    // Streams cancelled by the tests above free their places once the server sees them close.
    const openOk = async (f: () => Promise<Response>) => {
      for (;;) {
        const r = await f();
        if (r.status === 200) return streamText(r);
        await r.body?.cancel();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const opened = [
      await openOk(() => fetch(`${api}/api/logs/stream`, { headers: auth })),
      await openOk(() => open()),
      await openOk(() => open()),
    ];
    for (const s of opened) await s.readUntil(': connected');
    const refused = await open();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10');
    await refused.body?.cancel();
    for (const s of opened) await s.cancel();
  });
});
