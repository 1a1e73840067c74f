// Runs the real `auditline` CLI as a child process on a YAML config written to
// a temp dir, and waits until it says it is running. Requires `npm run build`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'bin', 'auditline');

export interface RunningCollector {
  dir: string;
  proc: ChildProcess;
  /** Everything the collector wrote to stderr so far. */
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops (if running) and removes the temp dir. */
  cleanup(): Promise<void>;
}

export function tempDir(prefix = 'auditline-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** `yaml` may use `{{dir}}` for the temp dir. */
export async function startCollector(
  yaml: string,
  opts: { dir?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunningCollector> {
  const dir = opts.dir ?? tempDir();
  const file = join(dir, 'collector.yaml');
  writeFileSync(file, yaml.replaceAll('{{dir}}', dir));
  const proc = spawn(process.execPath, [CLI, '--config', file], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c) => {
    out += c;
  });
  proc.stderr!.on('data', (c) => {
    out += c;
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));

  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Collector did not start in time. Output:\n${out}`)),
      opts.timeoutMs ?? 20_000,
    );
    const check = () => {
      if (out.includes('Auditline is running.')) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    proc.stderr!.on('data', check);
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Collector exited with ${code} before it was ready. Output:\n${out}`));
    });
  });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    proc.kill(signal);
    return exited;
  };
  return {
    dir,
    proc,
    output: () => out,
    stop,
    cleanup: async () => {
      await stop('SIGKILL');
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the CLI to completion. */
export function runCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const proc = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c) => {
      stdout += c;
    });
    proc.stderr.on('data', (c) => {
      stderr += c;
    });
    if (opts.input !== undefined) proc.stdin.end(opts.input);
    else proc.stdin.end();
    proc.on('exit', (code) => resolveRun({ code, stdout, stderr }));
  });
}
