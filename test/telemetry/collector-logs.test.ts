// service.telemetry.logs of a real collector process: `encoding: json` writes
// one JSON object per line, `output_paths` sends them to stdout and to a file
// (appended, mode 0600), `initial_fields` are in every entry, `level` filters;
// an output path that cannot be opened stops the start with one line naming it
// (by its ${env:…} reference when it came from the environment).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCollector, tempDir, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';
import { createLogger } from '../../src/telemetry/logger.js';

function config(http: number, logs: string): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${http}" }
exporters:
  msgpack_audit: { directory: "{{dir}}/logs/" }
service:
  telemetry:
    metrics: { level: none }
    logs:
${logs}
  pipelines:
    logs: { receivers: [otlp], exporters: [msgpack_audit] }
`;
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('service.telemetry.logs', () => {
  let c: RunningCollector | undefined;
  afterEach(async () => {
    await c?.cleanup();
    c = undefined;
  });

  it('writes JSON lines with initial_fields to stdout and to a file given in output_paths', async () => {
    const dir = tempDir();
    const http = await freePort();
    c = await startCollector(
      config(
        http,
        `      encoding: json
      output_paths: [stdout, "{{dir}}/collector.log"]
      initial_fields: { deployment: edge, shard: 3 }`,
      ),
      { dir },
    );
    const provider = new LoggerProvider({
      processors: [
        new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${http}/v1/logs` }) }),
      ],
    });
    provider.getLogger('t').emit({ body: 'hello' });
    await provider.shutdown();
    expect(await c.stop()).toBe(0);

    const file = join(dir, 'collector.log');
    const entries = jsonLines(readFileSync(file, 'utf8'));
    expect(entries.map((e) => e['msg'])).toEqual(
      expect.arrayContaining(['Auditline is running.', 'Shutdown complete.']),
    );
    for (const e of entries) {
      expect(e).toMatchObject({ deployment: 'edge', shard: 3 });
      expect(['debug', 'info', 'warn', 'error']).toContain(e['level']);
      expect(new Date(e['ts'] as string).toISOString()).toBe(e['ts']);
      expect(typeof e['msg']).toBe('string');
    }
    expect(entries.find((e) => e['msg'] === 'OTLP/HTTP receiver is listening.')).toMatchObject({
      component: 'otlp',
      level: 'info',
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // stdout has the same entries, all JSON.
    expect(jsonLines(c.output()).map((e) => e['msg'])).toEqual(entries.map((e) => e['msg']));
  });

  it('console encoding writes the human line to every output path; level warn leaves out info', async () => {
    const dir = tempDir();
    const http = await freePort();
    c = await startCollector(config(http, '      output_paths: [stderr, "{{dir}}/human.log"]'), { dir });
    // One request first: a signal that arrives before the collector's handlers are set ends it at once.
    await fetch(`http://127.0.0.1:${http}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await c.stop()).toBe(0);
    const lines = readFileSync(join(dir, 'human.log'), 'utf8').trimEnd().split('\n');
    expect(
      lines.some((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[INFO\] auditline: Auditline is running\./.test(l)),
    ).toBe(true);
    expect(c.output()).toContain(lines[0]);

    const quiet: string[] = [];
    const log = createLogger('c', { level: 'warn', write: (l) => quiet.push(l) });
    log.info('Not shown.');
    log.warn('Shown.');
    expect(quiet).toHaveLength(1);
  });

  it('refuses to start when an output path cannot be opened, naming it by its ${env:…} reference', async () => {
    const dir = tempDir();
    const cfg = join(dir, 'c.yaml');
    writeFileSync(
      cfg,
      config(await freePort(), `      output_paths: ["\${env:LOG_DIR}/x.log"]`).replaceAll('{{dir}}', dir),
    );
    const r = await runCli(['--config', cfg], { env: { LOG_DIR: join(dir, 'no-such-dir-s3cr3t') } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Cannot open the log output ${env:LOG_DIR}/x.log: ENOENT.');
  });

  it('json encoding escapes what could act on a terminal, and keeps a field called msg apart', () => {
    const lines: string[] = [];
    const log = createLogger('c', { encoding: 'json', write: (l) => lines.push(l), fields: { region: 'eu' } });
    log.warn('Bad \u001b[31m input\u2028.', { msg: 'shadow', error: new Error('boom'), n: 10n });
    const e = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(e).toMatchObject({
      level: 'warn',
      component: 'c',
      msg: 'Bad \u001b[31m input\u2028.',
      'field.msg': 'shadow',
      error: 'boom',
      n: '10',
      region: 'eu',
    });
    expect(lines[0]).toContain('\\u001b');
  });
});
