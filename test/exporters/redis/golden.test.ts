// Golden files of the write path: every command the exporter sends for a fixed set of records
// (golden-records.ts), against a real single server (the bytes on the wire, decoded) and a real
// three-node cluster (each node's MONITOR, scripts' inner commands included). The key schema,
// values, TTLs and command order must not change by accident; after an intended change,
// regenerate with AUDITLINE_UPDATE_GOLDEN=1 and review the diff of test/exporters/redis/golden/.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogSpan } from '../../../src/exporterhelper/push-exporter.js';
import { RedisExporter } from '../../../exporters/redis/exporter.js';
import { ACQUIRE_LUA, APPLY_LUA, RELEASE_LUA } from '../../../exporters/redis/scripts.js';
import { startCluster, startRedis, type RedisCluster, type RedisServer } from '../../helpers/redis.js';
import { exportAll } from './fixtures.js';
import { bigBatch, firstBatch, OTHER_OPTIONS, secondBatch } from './golden-records.js';
import { Relay } from './relay.js';

const DIR = join(import.meta.dirname, 'golden');
const UPDATE = process.env.AUDITLINE_UPDATE_GOLDEN === '1';

function sendSpan(e: RedisExporter, records: ReadableLogRecord[], span: LogSpan): Promise<void> {
  return new Promise((resolve, reject) =>
    e.exportPrepared(records, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed'))), span),
  );
}

/** Compares with (or, updating, writes) a golden file. */
function golden(name: string, text: string): void {
  const path = join(DIR, name);
  if (UPDATE || !existsSync(path)) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path, text);
    return;
  }
  expect(text.split('\n')).toEqual(readFileSync(path, 'utf8').split('\n'));
}

/** A long run of lines as its digest, and (shortened) the commands it runs on keys other than entries and bookkeeping. */
function digest(lines: string[]): string[] {
  const sha = createHash('sha256').update(lines.join('\n')).digest('hex');
  const shown = lines.filter((l) => {
    if (l.startsWith('-- ')) return true;
    const t = l.startsWith('[')
      ? (JSON.parse(l) as string[])
      : (l.match(/"(?:[^"\\]|\\.)*"/g) ?? []).map((x) => x.slice(1, -1));
    if (/^(eval|xadd)/i.test(t[0] ?? '')) return false;
    return !/^(app:)?(req|log|auditline|idx:req:path):/.test(t[1] ?? '') && /^[a-z]/.test(t[0] ?? '');
  });
  return [
    `${lines.length} lines, sha256 ${sha}; the commands on keys other than entries, paths, streams and bookkeeping:`,
    ...shown.map((l) => (l.length > 160 ? `${l.slice(0, 160)}… (${l.length} chars)` : l)),
  ];
}

/** Random per exporter instance (lock token and writer id) and script bodies, made stable. */
function normalize(line: string): string {
  return line.replace(/"[0-9a-f]{16}(?=["|:])/g, '"<writer>').replace(/"[0-9a-f]{40}"/g, '"<sha>"');
}

const SCRIPTS: [string, string][] = [
  [ACQUIRE_LUA, '<ACQUIRE_LUA>'],
  [RELEASE_LUA, '<RELEASE_LUA>'],
  [APPLY_LUA, '<APPLY_LUA>'],
];

/** RESP arrays of bulk strings (what a client sends), as JSON lines. */
function decodeRequests(b: Buffer): string[] {
  const out: string[] = [];
  let p = 0;
  const int = (): number => {
    const e = b.indexOf(13, p);
    const n = Number(b.toString('latin1', p + 1, e));
    p = e + 2;
    return n;
  };
  while (p < b.length) {
    const argc = int();
    const args: string[] = [];
    for (let i = 0; i < argc; i++) {
      const len = int();
      const a = b.toString('utf8', p, p + len);
      args.push(SCRIPTS.find(([s]) => s === a)?.[1] ?? a);
      p += len + 2;
    }
    out.push(normalize(JSON.stringify(args)));
  }
  return out;
}

describe('redis exporter – golden files of every command written', () => {
  describe('single server', () => {
    let redis: RedisServer;
    let relay: Relay;
    const taken = new Map<number, number>();
    beforeAll(async () => {
      redis = await startRedis();
      relay = await Relay.start(redis.port);
    });
    afterAll(async () => {
      await relay?.stop();
      await redis?.stop();
    });

    /** What each connection sent since the last call, connections in order. */
    function sentSinceLast(): string[] {
      const out: string[] = [];
      relay.sent.forEach((chunks, i) => {
        const all = Buffer.concat(chunks);
        const from = taken.get(i) ?? 0;
        taken.set(i, all.length);
        if (all.length > from) out.push(`-- connection ${i}`, ...decodeRequests(all.subarray(from)));
      });
      return out;
    }

    it('sends the same commands, byte for byte, for the fixed records', async () => {
      const e = new RedisExporter({ endpoint: relay.url, cleanup_interval: '0s' }, { id: 'redis/golden' });
      const other = new RedisExporter(
        { endpoint: relay.url, cleanup_interval: '0s', ...OTHER_OPTIONS },
        { id: 'redis/other' },
      );
      try {
        const out: string[] = [];
        await sendSpan(e, firstBatch(), { log: 'logs', first: 0, end: 14 });
        out.push('## first batch (a span)', ...sentSinceLast());
        await sendSpan(e, secondBatch(), { log: 'logs', first: 14, end: 18 });
        out.push('## second batch (keys taken)', ...sentSinceLast());
        await exportAll(other, firstBatch());
        out.push('## first batch again, other options, without a span', ...sentSinceLast());
        golden('standalone.txt', `${out.join('\n')}\n`);
        await sendSpan(e, bigBatch(), { log: 'big', first: 0, end: 600 });
        golden('standalone-big.txt', `${digest(sentSinceLast()).join('\n')}\n`);
      } finally {
        await e.shutdown();
        await other.shutdown();
      }
    });
  });

  describe('cluster', () => {
    let cluster: RedisCluster;
    const monitors: { sock: Socket; text: string; used: number }[] = [];
    beforeAll(async () => {
      cluster = await startCluster(3);
      for (const n of cluster.nodes) {
        const m = { sock: connect(n.port, '127.0.0.1'), text: '', used: 0 };
        m.sock.setEncoding('utf8');
        m.sock.on('data', (d: string) => {
          m.text += d;
        });
        await new Promise<void>((r) => m.sock.once('connect', () => r()));
        m.sock.write('MONITOR\r\n');
        monitors.push(m);
      }
    }, 60_000);
    afterAll(async () => {
      for (const m of monitors) m.sock.destroy();
      await cluster?.stop();
    });

    let marks = 0;
    /** Each node's MONITOR lines since the last call (up to an ECHO sent now), noise left out. */
    async function monitored(): Promise<string[]> {
      const mark = `golden-mark-${++marks}`;
      const out: string[] = [];
      for (let i = 0; i < monitors.length; i++) {
        const m = monitors[i]!;
        await cluster.nodes[i]!.cli('echo', mark);
        const deadline = Date.now() + 20_000;
        while (!m.text.includes(`"${mark}"`, m.used)) {
          if (Date.now() > deadline) throw new Error('MONITOR did not show the mark.');
          await new Promise((r) => setTimeout(r, 20));
        }
        const end = m.text.indexOf(`"${mark}"`, m.used);
        const lines = m.text.slice(m.used, end).split('\r\n').slice(0, -1);
        m.used = m.text.indexOf('\r\n', end) + 2;
        out.push(`-- node ${i}`, ...blocks(lines));
      }
      return out;
    }

    it('sends the same script calls and inner commands to each node for the fixed records', async () => {
      const e = new RedisExporter({ cluster: cluster.addresses, cleanup_interval: '0s' }, { id: 'redis/golden' });
      const other = new RedisExporter(
        { cluster: cluster.addresses, cleanup_interval: '0s', ...OTHER_OPTIONS },
        { id: 'redis/other' },
      );
      try {
        const out: string[] = [];
        await sendSpan(e, firstBatch(), { log: 'logs', first: 0, end: 14 });
        out.push('## first batch (a span)', ...(await monitored()));
        await sendSpan(e, secondBatch(), { log: 'logs', first: 14, end: 18 });
        out.push('## second batch (keys taken)', ...(await monitored()));
        await exportAll(other, firstBatch());
        out.push('## first batch again, other options, without a span', ...(await monitored()));
        golden('cluster.txt', `${out.join('\n')}\n`);
        await sendSpan(e, bigBatch(), { log: 'big', first: 0, end: 600 });
        golden('cluster-big.txt', `${digest(await monitored()).join('\n')}\n`);
      } finally {
        await e.shutdown();
        await other.shutdown();
      }
    });
  });
});

/** Commands that say nothing about what is written (ioredis's cluster discovery, the marks). */
const NOISE = /^"(cluster|info|ping|echo|command|readonly|client|select|hello|auth|script)"/i;

/**
 * MONITOR lines without time and client address, scripts named, in blocks of one client command
 * and the commands its script ran; the blocks of a node sorted (calls to one node may go out in
 * more than one pipeline at once, so their order between slots is not fixed).
 */
function blocks(lines: string[]): string[] {
  const out: string[][] = [];
  for (const raw of lines) {
    const m = /^\+?\d+\.\d+ \[(\d+) ([^\]]+)\] (.*)$/.exec(raw);
    if (!m) continue;
    const cmd = m[3]!;
    if (NOISE.test(cmd)) continue;
    const line = normalize(
      scriptCall(
        cmd.replace(/"#!lua(?:[^"\\]|\\.)*"/g, (s) =>
          s.includes('unpack') ? '"<APPLY_LUA>"' : s.includes('PEXPIRE') ? '"<ACQUIRE_LUA>"' : '"<RELEASE_LUA>"',
        ),
      ),
    );
    if (m[2] === 'lua') out[out.length - 1]?.push(`  ${line}`) ?? out.push([`  ${line}`]);
    else out.push([line]);
  }
  return out
    .map((x) => x.join('\n'))
    .sort()
    .flatMap((x) => x.split('\n'));
}

/** A script call with its keys and the number of its arguments (the commands it ran follow it). */
function scriptCall(cmd: string): string {
  const t = cmd.match(/"(?:[^"\\]|\\.)*"/g) ?? [];
  if (!/^"eval(sha)?"$/i.test(t[0] ?? '')) return cmd;
  const keys = Number(JSON.parse(t[2] ?? '0'));
  return `${t.slice(0, 3 + keys).join(' ')} +${t.length - 3 - keys} args`;
}
