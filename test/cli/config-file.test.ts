// `--config F` refuses what cannot be a config file with one line, before
// reading much of it, and the collector's messages never show a `${env:…}`
// value (issue #11 item 4). Runs the built CLI (`npm run build`).
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, tempDir } from '../helpers/collector.js';

const dir = tempDir('auditline-cli-config-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'tok-9f2c41d7e3b8a6';

/**
 * Runs the CLI with a deadline. Under a 6 GB address-space limit: before the fix, `--config /dev/zero`
 * read until memory ran out, and this keeps that from taking the machine with it.
 */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  deadlineMs = 20_000,
): Promise<{ code: number | null; stderr: string; stdout: string; killed: boolean }> {
  return new Promise((resolve) => {
    const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    const proc = spawn('/bin/sh', ['-c', `ulimit -v 6000000; exec ${quoted}`], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    proc.stdout.on('data', (c) => {
      stdout += c;
    });
    proc.stderr.on('data', (c) => {
      stderr += c;
    });
    const timer = setTimeout(() => {
      killed = true;
      proc.kill('SIGKILL');
    }, deadlineMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

/** The refusal is exactly one line naming the file and the reason. */
async function expectOneLine(file: string, reason: RegExp): Promise<void> {
  for (const args of [
    ['validate', '--config', file],
    ['--config', file],
  ]) {
    const r = await cli(args);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Invalid configuration in ${file}: `);
    expect(lines[0]).toMatch(reason);
  }
}

describe('auditline --config: files that cannot be a config', () => {
  it('refuses a character device such as /dev/zero (instead of reading until memory runs out)', async () => {
    await expectOneLine('/dev/zero', /not a regular file \(it is a character device\)/);
  }, 60_000);

  it('refuses a FIFO without waiting for a writer, and a directory', async () => {
    const fifo = join(dir, 'config.fifo');
    execFileSync('mkfifo', [fifo]);
    await expectOneLine(fifo, /not a regular file \(it is a FIFO\)/);
    const sub = join(dir, 'conf.d');
    mkdirSync(sub);
    await expectOneLine(sub, /not a regular file \(it is a directory\)/);
  }, 60_000);

  it('refuses a file over 4 MiB, a binary file and one that is not UTF-8, without echoing their contents', async () => {
    const huge = join(dir, 'huge.yaml');
    writeFileSync(huge, `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    await expectOneLine(huge, /is 5,242,883 bytes; a config file may be at most 4 MiB/);
    const binary = join(dir, 'binary.yaml');
    writeFileSync(
      binary,
      Buffer.concat([Buffer.from('receivers: SECRETBYTES\n'), Buffer.alloc(16), Buffer.from('\u001b[2J')]),
    );
    await expectOneLine(binary, /the file is binary \(it holds NUL bytes\), not YAML text$/);
    const latin1 = join(dir, 'latin1.yaml');
    writeFileSync(latin1, Buffer.from('receivers: caf\xe9\n', 'latin1'));
    await expectOneLine(latin1, /the file is not UTF-8 text$/);
    const r = await cli(['validate', '--config', binary]);
    expect(r.stderr).not.toContain('SECRETBYTES');
  }, 60_000);
});

describe('auditline --config: environment values stay out of messages', () => {
  const env = { AUDITLINE_TOKEN: TOKEN };

  it('validate shows ${env:AUDITLINE_TOKEN}, never the token, and escapes control characters', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:0" }
exporters:
  file:
    path: ./out.jsonl
    compression: "\${env:AUDITLINE_TOKEN}\\e]0;title\\a"
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [file] }
`,
    );
    const r = await cli(['validate', '--config', file], env);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).toContain(
      'exporters::file::compression: "${env:AUDITLINE_TOKEN}\\x1b]0;title\\x07" is not supported',
    );
  }, 30_000);

  it('a token given by mistake as a file path is not echoed when the collector cannot start', async () => {
    const file = join(dir, 'token-as-path.yaml');
    writeFileSync(
      file,
      `receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:0", auth: { authenticator: bearertokenauth } }
exporters:
  file:
    path: ./out.jsonl
extensions:
  bearertokenauth:
    filename: \${env:AUDITLINE_TOKEN}
  query_api:
    endpoint: 127.0.0.1:0
    auth: { tokens_file: "\${env:AUDITLINE_TOKEN}" }
service:
  extensions: [bearertokenauth, query_api]
  pipelines:
    logs: { receivers: [otlp], exporters: [file] }
`,
    );
    const r = await cli(['--config', file], env);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('could not start');
    expect(r.stderr).toContain('${env:AUDITLINE_TOKEN}');
    expect(r.stderr).not.toContain(TOKEN);
  }, 30_000);
});
