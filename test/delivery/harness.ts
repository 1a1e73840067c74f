// The collector under test as a real process, for the conservation suite:
// one YAML per scenario (otlp http+grpc → redaction, batch → msgpack_audit,
// sqlite, file in one pipeline and redis in a second, so the all-or-nothing
// acknowledgement across pipelines is always exercised), start, signals,
// kill -9 and restart on the same directories, and the peak RSS of the
// process (worker threads included) sampled from /proc while it runs.
//
// Uses the compiled dist/ (`npx tsc -p tsconfig.json`). AUDITLINE_CLI points
// the suite at another build, e.g. a checkout of an older commit.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ROOT } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';

export const CLI = process.env['AUDITLINE_CLI'] ?? join(ROOT, 'bin', 'auditline');

export interface Ports {
  http: number;
  grpc: number;
}

export interface CollectorSetup {
  /** Everything the collector writes lives under here (unless a sink dir is given). */
  dir: string;
  ports: Ports;
  redisPort: number;
  workers: 0 | 2;
  /** Add the `file` exporter. */
  file?: boolean;
  /** Durable delivery log: file_storage + service.delivery.storage. */
  durable?: boolean;
  /** service.delivery.memory_limit_mib; absent leaves the collector's default. */
  memoryLimitMib?: number;
  /** Directory of the msgpack_audit files (default dir/audit); `{collection}` is appended. */
  auditDir?: string;
  /** Path of the file exporter's output (default dir/file/out.jsonl). */
  filePath?: string;
  /**
   * Put a memory_limiter that refuses every request (limit_mib: 1) first in the redis pipeline only,
   * so each request is refused by one pipeline while the other could take it.
   */
  refuseRequests?: boolean;
  /** Per-exporter `timeout` (default 2s). */
  timeouts?: Partial<Record<'msgpack_audit' | 'sqlite' | 'redis' | 'file', string>>;
}

/** The collector default the brief names; the RSS bound of a scenario without its own limit. */
export const DEFAULT_MEMORY_LIMIT_MIB = 256;

export async function freePorts(): Promise<Ports> {
  return { http: await freePort(), grpc: await freePort() };
}

export function paths(s: CollectorSetup) {
  return {
    auditDir: s.auditDir ?? join(s.dir, 'audit'),
    sqlite: join(s.dir, 'data', 'audit.db'),
    file: s.filePath ?? join(s.dir, 'file', 'out.jsonl'),
    storage: join(s.dir, 'state'),
  };
}

export function collectorYaml(s: CollectorSetup): string {
  const p = paths(s);
  const t = { msgpack_audit: '2s', sqlite: '2s', redis: '2s', file: '2s', ...s.timeouts };
  // Fast retries so a sink that comes back catches up within the test; max_elapsed_time stays within
  // the redis exporter's dedup_window (checked at start).
  const retry = '{ initial_interval: 100ms, max_interval: 1s, max_elapsed_time: 600s }';
  const delivery: string[] = [];
  if (s.durable && process.env['CONSERVATION_OMIT_DELIVERY'] !== '1') delivery.push('storage: file_storage');
  if (s.memoryLimitMib !== undefined && process.env['CONSERVATION_OMIT_DELIVERY'] !== '1')
    delivery.push(`memory_limit_mib: ${s.memoryLimitMib}`);
  const auditExporters = ['msgpack_audit', 'sqlite', ...(s.file ? ['file'] : [])];
  return `# Written by test/delivery/harness.ts
receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:${s.ports.http}" }
      grpc: { endpoint: "127.0.0.1:${s.ports.grpc}" }
processors:
  redaction: {}
  batch: { timeout: 50ms, send_batch_size: 512 }
${s.refuseRequests ? '  memory_limiter: { check_interval: 2s, limit_mib: 1 }\n' : ''}exporters:
  msgpack_audit:
    directory: "${p.auditDir}/{collection}/"
    timeout: ${t.msgpack_audit}
    retry_on_failure: ${retry}
  sqlite:
    path: "${p.sqlite}"
    timeout: ${t.sqlite}
    retry_on_failure: ${retry}
  redis:
    endpoint: "redis://127.0.0.1:${s.redisPort}"
    stream: { max_length: 10000000 }
    timeout: ${t.redis}
    retry_on_failure: ${retry}
${
  s.file
    ? `  file:
    path: "${p.file}"
    rotation: { max_megabytes: 0 }
    timeout: ${t.file}
    retry_on_failure: ${retry}
`
    : ''
}${
    s.durable
      ? `extensions:
  file_storage: { directory: "${p.storage}", fsync: false }
`
      : ''
  }service:
  workers: ${s.workers}
${s.durable ? '  extensions: [file_storage]\n' : ''}${delivery.length ? `  delivery: { ${delivery.join(', ')} }\n` : ''}  pipelines:
    logs/audit:
      receivers: [otlp]
      processors: [redaction, batch]
      exporters: [${auditExporters.join(', ')}]
    logs/requests:
      receivers: [otlp]
      processors: [${s.refuseRequests ? 'memory_limiter, ' : ''}redaction, batch]
      exporters: [redis]
`;
}

/** VmRSS and VmHWM (peak) of a live process, in MiB; undefined once it is gone. */
export function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/**
 * One collector process at a time on one setup; `start()` again after an exit (kill -9, SIGTERM)
 * runs the same config on the same directories. The output of every run goes to dir/collector.log.
 */
export class Collector {
  readonly configFile: string;
  proc: ChildProcess | undefined;
  private out = '';
  private log: WriteStream;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({
    code: null,
    signal: null,
  });
  private sampler: NodeJS.Timeout | undefined;
  /** Highest VmHWM seen over every run, MiB. */
  peakRssMib = 0;
  runs = 0;

  constructor(readonly setup: CollectorSetup) {
    mkdirSync(setup.dir, { recursive: true });
    this.configFile = join(setup.dir, 'collector.yaml');
    writeFileSync(this.configFile, collectorYaml(setup));
    this.log = createWriteStream(join(setup.dir, 'collector.log'), { flags: 'a' });
  }

  /** Output of the current (or last) run. */
  output(): string {
    return this.out;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  alive(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    this.runs++;
    this.out = '';
    const proc = spawn(process.execPath, [CLI, '--config', this.configFile], {
      cwd: this.setup.dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    const onData = (c: Buffer) => {
      this.out += c;
      this.log.write(c);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    this.exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    this.log.write(`\n===== run ${this.runs}: ${CLI} =====\n`);
    this.sampler = setInterval(() => this.sample(), 100);
    this.sampler.unref();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The collector did not start in ${timeoutMs} ms. Output:\n${this.out}`)),
        timeoutMs,
      );
      const check = () => {
        if (this.out.includes('Auditline is running.')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout!.on('data', check);
      proc.stderr!.on('data', check);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(
          new Error(`The collector exited (code ${code}, signal ${signal}) before it was ready. Output:\n${this.out}`),
        );
      });
    });
  }

  private sample(): void {
    if (!this.proc?.pid) return;
    const m = memoryOf(this.proc.pid);
    if (m && m.hwm > this.peakRssMib) this.peakRssMib = m.hwm;
  }

  signal(sig: NodeJS.Signals): void {
    this.sample();
    if (this.alive()) this.proc!.kill(sig);
  }

  /** Waits for the current run to end (bounded); rejects with the output if it does not. */
  async waitExit(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      this.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`The collector did not exit within ${timeoutMs} ms. Output:\n${tail(this.out)}`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    clearInterval(this.sampler);
    return r;
  }

  /** Sends a signal and waits for the exit. */
  async stop(sig: NodeJS.Signals = 'SIGTERM', timeoutMs = 60_000) {
    this.signal(sig);
    return this.waitExit(timeoutMs);
  }

  /** Always safe: kills a run still going. */
  async cleanup(): Promise<void> {
    clearInterval(this.sampler);
    if (this.alive()) {
      this.proc!.kill('SIGKILL');
      await this.exited;
    }
    await new Promise<void>((r) => this.log.end(() => r()));
  }
}

export function tail(s: string, lines = 40): string {
  return s.split('\n').slice(-lines).join('\n');
}

/** Resolves once a fresh TCP connection to the port is refused (the listener is closed). */
export async function untilRefused(port: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
    if (refused) return true;
    await sleep(20);
  }
  return false;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` until it holds or `timeoutMs` passes; returns whether it held. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 250,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await sleep(everyMs);
  }
}
