// The Collector's command-line conventions (issue #15 item 5): repeated
// --config merged in order, --set, config URIs, --config -, -c, --json on
// validate and components, print-config with credentials elided, and a closed
// stdout ending a command quietly.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, ROOT, runCli, tempDir } from '../helpers/collector.js';

const dir = tempDir('auditline-cli-conv-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = join(dir, 'base.yaml');
writeFileSync(
  base,
  `receivers:
  otlp:
    protocols:
      http: { endpoint: localhost:4318 }
processors:
  batch: { timeout: 200ms, send_batch_size: 100 }
exporters:
  sqlite: { path: ./a.db }
  msgpack_audit: { directory: ./logs }
extensions:
  bearertokenauth: { token: "literal-secret-token" }
  query_api:
    endpoint: localhost:0
    auth: { tokens: ["\${env:AUDITLINE_TOKEN:-}"] }
service:
  extensions: [query_api]
  pipelines:
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [sqlite, msgpack_audit]
`,
);
const over = join(dir, 'over.yaml');
writeFileSync(
  over,
  `processors:
  batch: { timeout: 1s }
service:
  pipelines:
    logs:
      exporters: [sqlite]
`,
);

async function printed(args: string[], opts: Parameters<typeof runCli>[1] = {}) {
  const r = await runCli(['print-config', ...args, '--json'], { cwd: dir, ...opts });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, Record<string, Record<string, unknown>>>;
}

describe('collector command-line conventions', () => {
  it('a second --config is merged over the first: maps deep-merged, lists replaced', async () => {
    const c = await printed(['--config', base, '--config', over]);
    expect(c.processors!.batch).toEqual({ timeout: '1s', send_batch_size: 100 });
    expect(c.service!.pipelines).toEqual({
      logs: { receivers: ['otlp'], processors: ['batch'], exporters: ['sqlite'] },
    });
    expect(c.exporters!.msgpack_audit).toEqual({ directory: './logs' });
  });

  it('--set takes :: or dotted keys and YAML-typed values, applied after every --config', async () => {
    const c = await printed([
      '-c',
      base,
      '--set',
      'processors::batch::send_batch_size=7',
      '--set',
      'processors.batch.timeout=5s',
      '--set',
      'service::pipelines::logs::processors=[]',
      '-c',
      over,
    ]);
    expect(c.processors!.batch).toEqual({ timeout: '5s', send_batch_size: 7 });
    expect((c.service!.pipelines as Record<string, Record<string, unknown>>).logs!.processors).toEqual([]);
    const bad = await runCli(['validate', '-c', base, '--set', 'processors::batch::send_batch_size=-1'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/processors::batch::send_batch_size: /);
    const noEq = await runCli(['validate', '-c', base, '--set', 'processors::batch'], { cwd: dir });
    expect(noEq.code).toBe(1);
    expect(noEq.stderr).toMatch(/expected key=value/);
  });

  it('config URIs: file:, env: and yaml:, and --config - reads stdin', async () => {
    const env = { BASE_YAML: readFileSync(base, 'utf8') };
    const c = await printed(
      ['--config', 'env:BASE_YAML', '--config', `file:${over}`, '--config', 'yaml:exporters::sqlite::path: ./b.db'],
      { env },
    );
    expect(c.exporters!.sqlite).toEqual({ path: './b.db' });
    expect(c.processors!.batch).toEqual({ timeout: '1s', send_batch_size: 100 });
    const stdin = await runCli(['validate', '--config', '-'], { cwd: dir, input: readFileSync(base, 'utf8') });
    expect(stdin.stderr).toBe('');
    expect(stdin.stdout).toMatch(/^<stdin>: valid \(1 pipeline: logs\)/);
    const unset = await runCli(['validate', '--config', 'env:AUDITLINE_NOT_SET_ANYWHERE'], { cwd: dir });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(/environment variable "AUDITLINE_NOT_SET_ANYWHERE" is not set/);
    const scheme = await runCli(['validate', '--config', 'https://example.invalid/c.yaml'], { cwd: dir });
    expect(scheme.code).toBe(1);
    expect(scheme.stderr).toMatch(/unsupported config URI scheme "https"/);
  });

  it('-c is short for --config, also to run the collector', async () => {
    const r = await runCli(['validate', '-c', base], { cwd: dir });
    expect(r.code).toBe(0);
    const run = await runCli(['-c', join(dir, 'missing.yaml')], { cwd: dir });
    expect(run.stderr).not.toMatch(/unknown command/);
    expect(run.stderr).toMatch(/missing\.yaml: cannot read config file/);
    expect(run.code).toBe(1);
  });

  it('validate --json reports validity, pipelines and every problem with its path and line', async () => {
    const ok = await runCli(['validate', '--json', '-c', base, '-c', over], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({
      valid: true,
      config: `${base} + ${over}`,
      pipelines: [{ name: 'logs', receivers: ['otlp'], processors: ['batch'], exporters: ['sqlite'] }],
      warnings: [],
    });
    const bad = await runCli(['validate', '--json', '-c', over], { cwd: dir });
    expect(bad.code).toBe(1);
    const body = JSON.parse(bad.stdout);
    expect(body.valid).toBe(false);
    expect(body.errors).toContainEqual({
      path: 'service::pipelines::logs::exporters::0',
      message: 'references exporter "sqlite" which is not configured',
      line: 6,
    });
  });

  it('components --json lists every type, and every option of one type', async () => {
    const all = await runCli(['components', '--json']);
    expect(all.code).toBe(0);
    const list = JSON.parse(all.stdout) as { kind: string; type: string }[];
    expect(list).toContainEqual(expect.objectContaining({ kind: 'exporter', type: 'sqlite' }));
    const one = await runCli(['components', 'batch', '--json']);
    const [batch] = JSON.parse(one.stdout) as { options: { key: string; default: string }[] }[];
    expect(batch!.options).toContainEqual(expect.objectContaining({ key: 'timeout' }));
  });

  it('print-config shows environment references as written and elides literal credentials', async () => {
    const r = await runCli(['print-config', '-c', base, '--set', 'exporters::sqlite::path=./c.db'], {
      cwd: dir,
      env: { AUDITLINE_TOKEN: 'tok-from-env-123' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('literal-secret-token');
    expect(r.stdout).not.toContain('tok-from-env-123');
    const c = parse(r.stdout);
    expect(c.extensions.bearertokenauth.token).toBe('[REDACTED]');
    expect(c.extensions.query_api.auth.tokens).toEqual(['${env:AUDITLINE_TOKEN:-}']);
    expect(c.exporters.sqlite.path).toBe('./c.db');
    const bad = await runCli(['print-config', '-c', over], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
  });

  it('a closed stdout (components TYPE | head -1) ends the command quietly, status 0', async () => {
    for (const args of [['components', 'otlp'], ['components', '--markdown'], ['--help']]) {
      const proc = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      proc.stdout.destroy(); // the reader is gone before the first write
      let stderr = '';
      proc.stderr.on('data', (c) => {
        stderr += c;
      });
      const code = await new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
      expect(stderr).toBe('');
      expect(code).toBe(0);
    }
  });
});
