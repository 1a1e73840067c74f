// Throwaway redis-server processes for tests: a single server or a
// three-node cluster on free ports, each in its own temp dir, with kill,
// restart and a redis-cli runner. Everything started here is stopped by
// `stop()`; tests call it in afterAll.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface RedisServerOptions {
  /** Keep data across restarts (`--appendonly yes --appendfsync always`). */
  persistent?: boolean;
  /** Start as a cluster node. */
  cluster?: boolean;
  /** Use this port instead of a free one. */
  port?: number;
  dir?: string;
  /** Sets requirepass; cli() authenticates with it. */
  password?: string;
  /** More redis-server arguments. */
  args?: string[];
}

export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** Runs `redis-cli -p PORT …args` and returns its trimmed stdout. */
  cli(...args: string[]): Promise<string>;
  /** Kills the process with a signal (default SIGKILL) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and dir; resolves once it answers PING. */
  restart(): Promise<void>;
  /** Kills the server and removes its temp dir. */
  stop(): Promise<void>;
}

export interface RedisCluster {
  readonly nodes: RedisServer[];
  /** `host:port` strings for the exporter's `cluster` option. */
  readonly addresses: string[];
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export { freePort };

/** Resolves once the server answers +PONG, or -NOAUTH when it has a password (not -LOADING). */
export async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingOnce(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING.`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG') || buf.startsWith('-NOAUTH'));
    });
  });
}

export function redisCli(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-p', String(port), ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout.trim());
    });
  });
}

export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePort(opts.cluster));
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'auditline-redis-'));
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    join(dir, 'redis.log'),
    ...(opts.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(opts.cluster
      ? [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '2000',
        ]
      : []),
    ...(opts.password ? ['--requirepass', opts.password] : []),
    ...(opts.args ?? []),
  ];

  const launch = async () => {
    const p = spawn('redis-server', args, { stdio: 'ignore' });
    proc = p;
    exited = new Promise((r) => p.once('exit', () => r()));
    await waitForPing(port);
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill(signal);
      await exited;
    }
  };
  await launch();

  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    cli: (...a) => redisCli(port, opts.password ? ['--no-auth-warning', '-a', opts.password, ...a] : a),
    kill,
    restart: launch,
    async stop() {
      await kill();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Three masters, no replicas, all slots assigned; resolves once every node reports cluster_state:ok. */
export async function startCluster(size = 3): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < size; i++) nodes.push(await startRedis({ cluster: true }));
    const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
    await redisCli(nodes[0]!.port, ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + 20_000;
    for (const n of nodes) {
      while (!(await n.cli('cluster', 'info')).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error('Cluster did not reach cluster_state:ok.');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return {
      nodes,
      addresses: addrs,
      cli: (...a) => redisCli(nodes[0]!.port, ['-c', ...a]),
      async stop() {
        for (const n of nodes) await n.stop();
      },
    };
  } catch (err) {
    for (const n of nodes) await n.stop();
    throw err;
  }
}
