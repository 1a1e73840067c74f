// A signal that arrives while the collector is still starting (extensions up, an exporter slow to
// answer) must shut it down the normal way once start finishes: drain and exit 0, never the default
// action of a signal nobody handles (which ends the process at once and drops acknowledged records).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, tempDir } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';

describe('collector – a signal during start', () => {
  const sockets: Socket[] = [];
  let silent: Server | undefined;
  afterAll(() => {
    for (const s of sockets) s.destroy();
    silent?.close();
  });

  it('SIGTERM while an exporter is still answering at start: the collector finishes starting, drains and exits 0', async () => {
    // A TCP server that accepts and never answers: the redis exporter's start-up position read waits on it.
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', r));
    const redisPort = (silent.address() as { port: number }).port;
    const dir = tempDir('auditline-signal-start-');
    const [http, api] = [await freePort(), await freePort()];
    writeFileSync(
      join(dir, 'collector.yaml'),
      `receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${http}" } } }
exporters:
  redis: { endpoint: "redis://127.0.0.1:${redisPort}", timeout: 2s }
extensions:
  query_api: { endpoint: "127.0.0.1:${api}" }
service:
  extensions: [query_api]
  telemetry: { metrics: { level: none } }
  pipelines:
    logs: { receivers: [otlp], exporters: [redis] }
`,
    );
    const proc = spawn(process.execPath, [CLI, '--config', join(dir, 'collector.yaml')], { cwd: dir });
    let out = '';
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      proc.on('exit', (code, signal) => r({ code, signal })),
    );
    // The query API is up before the exporters have answered: the collector is mid-start.
    const deadline = Date.now() + 30_000;
    while (!out.includes('The query API is listening') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(out).toContain('The query API is listening');
    expect(out).not.toContain('Auditline is running');
    proc.kill('SIGTERM');
    const { code, signal } = await exit;
    expect({ code, signal }, out).toEqual({ code: 0, signal: null });
    expect(out).toContain('Shutting down; flushing records in flight.');
    expect(out).toContain('Shutdown complete.');
  }, 60_000);
});
