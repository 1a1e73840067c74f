// The real collector: filelog (json_parser, offsets in file_storage) → redaction → msgpack_audit.
// An app writes JSON lines, its log is rotated by copytruncate, the collector is restarted in
// between: every line reaches audit.log exactly once, redacted, with its event name as action.
import { appendFileSync, copyFileSync, existsSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCollector, tempDir, type RunningCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/ports.js';
import { sleep, waitFor } from './helpers.js';
import { auditEntries } from '../../helpers/audit-entries.js';

const running: RunningCollector[] = [];
afterAll(async () => {
  for (const c of running) await c.cleanup();
});

interface Entry {
  action: string;
  session: string;
  data: Record<string, unknown>;
}

describe('filelog receiver – in the collector', () => {
  it('every line of a rotated, restarted file reaches msgpack_audit once, parsed and redacted', async () => {
    const dir = tempDir('auditline-filelog-e2e-');
    const app = join(dir, 'app');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(app);
    const log = join(app, 'app.log');
    writeFileSync(log, '');
    const yaml = `
receivers:
  filelog:
    include: ["{{dir}}/app/app.log*"]
    start_at: beginning
    poll_interval: 50ms
    storage: file_storage
    operators:
      - type: json_parser
        severity: { parse_from: attributes.level }
processors:
  redaction: {}
exporters:
  msgpack_audit: { directory: "{{dir}}/audit" }
extensions:
  file_storage: { directory: "{{dir}}/storage" }
service:
  extensions: [file_storage]
  pipelines:
    logs: { receivers: [filelog], processors: [redaction], exporters: [msgpack_audit] }
`;
    let n = 0;
    const write = (count: number) => {
      let s = '';
      for (let i = 0; i < count; i++, n++) {
        s += `${JSON.stringify({ time: new Date().toISOString(), level: n % 10 === 0 ? 'ERROR' : 'INFO', 'event.name': 'order_placed', 'session.id': `s${n % 3}`, email: `buyer${n}@example.com`, id: n })}\n`;
      }
      appendFileSync(log, s);
    };
    const rotate = () => {
      if (existsSync(`${log}.1`)) renameSync(`${log}.1`, `${log}.2`);
      copyFileSync(log, `${log}.1`);
      truncateSync(log, 0);
    };
    const auditFile = join(dir, 'audit', 'audit.log');
    const entries = (): Entry[] => (existsSync(auditFile) ? auditEntries<Entry>(auditFile) : []);

    const first = await startCollector(yaml, { dir });
    running.push(first);
    for (let k = 0; k < 10; k++) {
      write(25);
      await sleep(20);
    }
    rotate();
    write(50);
    await waitFor(() => entries().length >= 300, '300 entries before the restart', 30_000);
    expect(await first.stop()).toBe(0);

    write(100); // while the collector is down
    const second = await startCollector(yaml, { dir });
    running.push(second);
    write(50);
    rotate();
    write(50);
    await waitFor(() => entries().length >= 500, '500 entries', 30_000).catch((err) => {
      throw new Error(`${(err as Error).message} (${entries().length})\n${second.output()}`);
    });
    await sleep(300);
    expect(await second.stop()).toBe(0);

    const got = entries();
    const count = new Map<number, number>();
    for (const e of got) count.set(e.data.id as number, (count.get(e.data.id as number) ?? 0) + 1);
    const repeated = [...count].filter(([, k]) => k > 1).map(([id]) => id);
    const missing = Array.from({ length: 500 }, (_, i) => i).filter((i) => !count.has(i));
    expect({ repeated, missing }).toEqual({ repeated: [], missing: [] });
    expect(got).toHaveLength(500);
    const e0 = got.find((e) => e.data.id === 0)!;
    expect(e0.action).toBe('order_placed');
    expect(e0.session).toBe('s0');
    expect(e0.data.severity).toBe('ERROR');
    expect(e0.data['log.file.name']).toMatch(/^app\.log/);
    expect(JSON.stringify(got)).not.toContain('@example.com');
  }, 90_000);
});

describe('filelog receiver – backpressure in the collector', () => {
  it('while the destination is down the delivery log fills and refuses (503); the receiver keeps its offsets and, once the destination is back, every line arrives once', async () => {
    const gatewayPort = await freePort();
    const dir = tempDir('auditline-filelog-bp-');
    const log = join(dir, 'app.log');
    const TOTAL = 3000;
    let text = '';
    for (let i = 0; i < TOTAL; i++)
      text += `${JSON.stringify({ 'event.name': 'bulk', id: i, pad: 'p'.repeat(900) })}\n`;
    writeFileSync(log, text); // about 2.8 MB, against a 1 MiB delivery log
    const sidecar = await startCollector(
      `
receivers:
  filelog:
    include: ["{{dir}}/app.log"]
    start_at: beginning
    poll_interval: 50ms
    operators: [{ type: json_parser }]
exporters:
  otlp_http:
    endpoint: http://127.0.0.1:${gatewayPort}
    timeout: 500ms
    retry_on_failure: { initial_interval: 100ms, max_interval: 300ms, max_elapsed_time: 0s }
service:
  delivery: { memory_limit_mib: 1 }
  pipelines:
    logs: { receivers: [filelog], exporters: [otlp_http] }
`,
      { dir },
    );
    running.push(sidecar);
    await waitFor(
      () => sidecar.output().includes('The pipeline refused lines; keeping the offset and retrying.'),
      'a refusal',
      15_000,
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${sidecar.output()}`);
    });

    const gateway = await startCollector(`
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${gatewayPort}" } } }
exporters:
  msgpack_audit: { directory: "{{dir}}/audit" }
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [msgpack_audit] }
`);
    running.push(gateway);
    const auditFile = join(gateway.dir, 'audit', 'audit.log');
    const entries = (): Entry[] => (existsSync(auditFile) ? auditEntries<Entry>(auditFile) : []);
    await waitFor(() => entries().length >= TOTAL, `${TOTAL} entries at the gateway`, 60_000).catch((err) => {
      throw new Error(`${(err as Error).message} (${entries().length})\n${sidecar.output()}`);
    });
    await sleep(500);
    expect(await sidecar.stop()).toBe(0);
    expect(await gateway.stop()).toBe(0);
    const got = entries();
    const count = new Map<number, number>();
    for (const e of got) count.set(e.data.id as number, (count.get(e.data.id as number) ?? 0) + 1);
    const repeated = [...count].filter(([, k]) => k > 1).map(([id]) => id);
    const missing = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => !count.has(i));
    expect({ repeated, missing }).toEqual({ repeated: [], missing: [] });
    expect(got).toHaveLength(TOTAL);
    expect(sidecar.output()).toContain('A delivery log is full');
  }, 120_000);
});
