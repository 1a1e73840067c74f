import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MsgpackAuditExporter } from '../../exporters/msgpack-audit/msgpack-audit-exporter.js';
import { runRead } from '../../src/cli/read.js';
import { CLI, tempDir } from '../helpers/collector.js';
import { exportRecords, record } from '../exporters/msgpack-audit/records.js';

const T = Date.UTC(2024, 0, 15, 10, 30, 45, 123);

function collector(): PassThrough & { text(): string } {
  const s = new PassThrough() as PassThrough & { text(): string };
  let out = '';
  s.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  s.text = () => out;
  return s;
}

async function read(args: string[], signal?: AbortSignal) {
  const stdout = collector();
  const stderr = collector();
  const code = await runRead(args, { stdout, stderr, signal });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`Gave up waiting for ${what}.`);
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir('auditline-read-');
  file = join(dir, 'audit.log');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function writeEntries(records: ReturnType<typeof record>[]): Promise<void> {
  const exporter = new MsgpackAuditExporter({ directory: dir });
  await exportRecords(exporter, records);
  await exporter.shutdown();
}

describe('auditline read', () => {
  it('read – prints one human line per entry: time, action, session, compact data', async () => {
    await writeEntries([
      record({
        timeMs: T,
        eventName: 'search_request',
        attributes: { 'session.id': 'abc123', n: 10, strategy: 'knn', raw: new Uint8Array([1, 2]) },
      }),
      record({ timeMs: T + 1, severityNumber: SeverityNumber.WARN, body: 'Slow.\nNext line' }),
    ]);
    const r = await read([file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      '2024-01-15 10:30:45.123Z search_request session=abc123 {"severity":"INFO","n":10,"strategy":"knn","raw":"0x0102"}\n' +
        '2024-01-15 10:30:45.124Z log {"body":"Slow.\\nNext line","severity":"WARNING"}\n',
    );
  });

  it('read --json – prints one JSON object per line with exactly the four keys', async () => {
    await writeEntries([
      record({
        timeMs: T,
        eventName: 'item_request',
        body: { ids: [1, 2] },
        spanContext: {
          traceId: '5b8efff798038103d269b633813fc60c',
          spanId: 'eee19b7ec3c1b174',
          traceFlags: TraceFlags.SAMPLED,
        },
        attributes: { 'session.id': 's', raw: new Uint8Array([1, 2, 3]), ratio: 0.25 },
      }),
    ]);
    const r = await read([file, '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const obj = JSON.parse(lines[0]!);
    expect(Object.keys(obj)).toEqual(['action', 'session', 'timestamp', 'data']);
    expect(obj).toEqual({
      action: 'item_request',
      session: 's',
      timestamp: T,
      data: {
        body: { ids: [1, 2] },
        severity: 'INFO',
        trace_id: '5b8efff798038103d269b633813fc60c',
        span_id: 'eee19b7ec3c1b174',
        raw: 'AQID',
        ratio: 0.25,
      },
    });
  });

  it('read – a missing file exits 1 and names the file', async () => {
    const r = await read([join(dir, 'nope', 'audit.log')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nope/audit.log');
    expect(r.stderr).toContain('no such file');
  });

  it('read – a corrupt byte after valid entries prints those entries, then exits 1 with the byte offset', async () => {
    await writeEntries([record({ eventName: 'a' }), record({ eventName: 'b' })]);
    const good = readFileSync(file).length;
    appendFileSync(file, Buffer.from([0xc1, 0x00]));
    const r = await read([file, '--json']);
    expect(r.code).toBe(1);
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).action),
    ).toEqual(['a', 'b']);
    expect(r.stderr).toContain(`at byte ${good}`);
    expect(r.stderr).toMatch(/corrupt/);
  });

  it('read – an entry that is not a map, or a map with an invalid byte inside, is reported at its offset', async () => {
    writeFileSync(file, Buffer.from([0x2a]));
    const notMap = await read([file]);
    expect(notMap.code).toBe(1);
    expect(notMap.stderr).toContain('Not an audit entry at byte 0');
    // fixmap(1) { fixstr "a": 0xc1 } — the scanner stops at byte 3.
    writeFileSync(file, Buffer.from([0x81, 0xa1, 0x61, 0xc1]));
    const bad = await read([file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('at byte 3');
  });

  it('read – a truncated last entry exits 1 with its offset', async () => {
    await writeEntries([record({ eventName: 'whole' })]);
    const whole = readFileSync(file).length;
    const second = join(dir, 'second');
    mkdirSync(second);
    const exporter = new MsgpackAuditExporter({ directory: second });
    await exportRecords(exporter, [record({ eventName: 'cut' })]);
    await exporter.shutdown();
    appendFileSync(file, readFileSync(join(second, 'audit.log')).subarray(0, 10));
    const r = await read([file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(' whole ');
    expect(r.stderr).toContain(`incomplete entry at byte ${whole}`);
  });

  it('read --follow – prints existing entries, then appended ones, waiting for a partly written entry, until stopped', async () => {
    await writeEntries([record({ eventName: 'first' })]);
    const stdout = collector();
    const stderr = collector();
    const stop = new AbortController();
    const done = runRead([file, '--follow', '--json'], { stdout, stderr, signal: stop.signal });
    await until(() => stdout.text().includes('"first"'), 'the existing entry');

    // A later entry, appended in two parts: nothing is printed for the first part alone.
    const other = join(dir, 'other');
    mkdirSync(other);
    const exporter = new MsgpackAuditExporter({ directory: other });
    await exportRecords(exporter, [
      record({ eventName: 'second', attributes: { 'session.id': 'late' } }),
      record({ eventName: 'third' }),
    ]);
    await exporter.shutdown();
    const bytes = readFileSync(join(other, 'audit.log'));
    appendFileSync(file, bytes.subarray(0, 7));
    await new Promise((r) => setTimeout(r, 300)); // several poll ticks with only the partial bytes

    expect(stdout.text()).not.toContain('"second"');
    appendFileSync(file, bytes.subarray(7));
    await until(() => stdout.text().includes('"third"'), 'the appended entries');

    stop.abort();
    expect(await done).toBe(0);
    expect(
      stdout
        .text()
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).action),
    ).toEqual(['first', 'second', 'third']);
    expect(stderr.text()).toBe('');
  });

  it('read – usage errors exit 2 and --help exits 0', async () => {
    expect((await read([])).code).toBe(2);
    expect((await read([file, 'other'])).code).toBe(2);
    const bad = await read([file, '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Usage: auditline read FILE');
    const help = await read(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--follow');
  });

  it('read – the built CLI prints --json entries, and --follow exits 0 on SIGINT', async () => {
    await writeEntries([record({ eventName: 'session_init', attributes: { 'session.id': 'cli' } })]);
    const run = (args: string[]) =>
      spawn(process.execPath, [CLI, 'read', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (p: ReturnType<typeof run>) => {
      const o = { stdout: '', stderr: '', code: new Promise<number | null>((r) => p.once('exit', (c) => r(c))) };
      p.stdout!.on('data', (c) => {
        o.stdout += c;
      });
      p.stderr!.on('data', (c) => {
        o.stderr += c;
      });
      return o;
    };
    const once = collect(run([file, '--json']));
    expect(await once.code).toBe(0);
    expect(JSON.parse(once.stdout)).toEqual({
      action: 'session_init',
      session: 'cli',
      timestamp: 1_705_314_645_123,
      data: { severity: 'INFO' },
    });

    const missing = collect(run([join(dir, 'missing.log')]));
    expect(await missing.code).toBe(1);
    expect(missing.stderr).toContain('missing.log');

    const proc = run([file, '--follow']);
    const follow = collect(proc);
    await until(() => follow.stdout.includes('session_init'), 'the followed entry');
    proc.kill('SIGINT');
    expect(await follow.code).toBe(0);
  });
});
