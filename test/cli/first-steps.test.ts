// First-steps messages (issue #15): shutdown says what it waits for, and a
// SQLite file that cannot be opened is named.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCollector, tempDir, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';

let collector: RunningCollector | undefined;
afterEach(async () => {
  await collector?.cleanup();
  collector = undefined;
});

async function until(cond: () => boolean, what: string, output: () => string): Promise<void> {
  for (let i = 0; i < 1200 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!cond()) throw new Error(`Gave up waiting for ${what}. Output:\n${output()}`);
}

describe('first steps', () => {
  it('shutdown logs each exporter it is draining with the records left, and repeats while it waits', async () => {
    const [port, dead] = [await freePort(), await freePort()];
    collector = await startCollector(`receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${port} } } }
exporters:
  otlp_http:
    endpoint: http://127.0.0.1:${dead}
    retry_on_failure: { max_elapsed_time: 120s }
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    logs: { receivers: [otlp], exporters: [otlp_http] }
`);
    const logRecords = Array.from({ length: 5 }, (_, i) => ({ body: { stringValue: `r${i}` } }));
    const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords }] }] }),
    });
    expect(res.status).toBe(200);
    collector.proc.kill('SIGTERM');
    const out = () => collector!.output();
    await until(
      () =>
        /Shutdown is draining records to an exporter\. \(exporter=otlp_http, pipeline=logs, records=5\)/.test(out()),
      'the drain line',
      out,
    );
    await until(
      () =>
        /Shutdown is still draining records to an exporter\. \(exporter=otlp_http, pipeline=logs, records=5\)/.test(
          out(),
        ),
      'the progress line',
      out,
    );
  }, 90_000);

  it('a SQLite file that cannot be opened is named in the start-up error', async () => {
    const dir = tempDir('auditline-sqlite-open-');
    const db = join(dir, 'not-a-db.db');
    writeFileSync(
      db,
      'this is not a SQLite database, just text that is long enough to fill a header page......\n'.repeat(10),
    );
    writeFileSync(
      join(dir, 'c.yaml'),
      `receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:0 } } }
exporters:
  sqlite: { path: ${db} }
service:
  telemetry: { metrics: { level: none } }
  pipelines:
    logs: { receivers: [otlp], exporters: [sqlite] }
`,
    );
    const r = await runCli(['--config', join(dir, 'c.yaml')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot open the SQLite database "${db}": file is not a database`);
  }, 60_000);
});
