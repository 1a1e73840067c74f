// `auditline read` like `tail -F` (issue #15, first steps): --follow waits for a
// file not yet created and follows it across rotation and recreation; -n N
// starts with the last N entries; times carry a zone marker.
import { spawn } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MsgpackAuditExporter } from '../../exporters/msgpack-audit/msgpack-audit-exporter.js';
import { runRead } from '../../src/cli/read.js';
import { CLI, tempDir } from '../helpers/collector.js';
import { exportRecords, record } from '../exporters/msgpack-audit/records.js';

function collector(): PassThrough & { text(): string } {
  const s = new PassThrough() as PassThrough & { text(): string };
  let out = '';
  s.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  s.text = () => out;
  return s;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 800 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`Gave up waiting for ${what}.`);
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir('auditline-read-f-');
  file = join(dir, 'audit.log');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function writeEntries(names: string[]): Promise<void> {
  const exporter = new MsgpackAuditExporter({ directory: dir });
  await exportRecords(
    exporter,
    names.map((eventName) => record({ eventName })),
  );
  await exporter.shutdown();
}

const actions = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).action as string);

describe('auditline read --follow like tail -F, and -n', () => {
  it('read --follow – waits for a file not yet created, then follows it through rotation and recreation', async () => {
    const stdout = collector();
    const stderr = collector();
    const stop = new AbortController();
    const done = runRead([file, '--follow', '--json'], { stdout, stderr, signal: stop.signal });
    await until(() => stderr.text().includes('waiting for'), 'the waiting notice');
    await writeEntries(['a1', 'a2']);
    await until(() => actions(stdout.text()).length === 2, 'the entries of the new file');

    renameSync(file, `${file}.1`); // logrotate: moved away, then a new file at the same path
    await writeEntries(['b1']);
    await until(() => actions(stdout.text()).includes('b1'), 'the entry of the recreated file');
    rmSync(file);
    await writeEntries(['c1']);
    await until(() => actions(stdout.text()).includes('c1'), 'the entry after deletion and recreation');

    stop.abort();
    expect(await done).toBe(0);
    expect(actions(stdout.text())).toEqual(['a1', 'a2', 'b1', 'c1']);
    expect(stderr.text()).toContain('was replaced; reading the new file from the start');
  });

  it('read -n N – prints only the last N entries; with --follow, then every new one', async () => {
    await writeEntries(['e1', 'e2', 'e3', 'e4']);
    const out = collector();
    expect(await runRead([file, '-n', '2', '--json'], { stdout: out, stderr: collector() })).toBe(0);
    expect(actions(out.text())).toEqual(['e3', 'e4']);
    const none = collector();
    expect(await runRead([file, '-n', '0', '--json'], { stdout: none, stderr: collector() })).toBe(0);
    expect(none.text()).toBe('');

    const stdout = collector();
    const stop = new AbortController();
    const done = runRead([file, '--follow', '--lines', '1', '--json'], {
      stdout,
      stderr: collector(),
      signal: stop.signal,
    });
    await until(() => actions(stdout.text()).length === 1, 'the last entry');
    await writeEntries(['e5']);
    await until(() => actions(stdout.text()).length === 2, 'the appended entry');
    stop.abort();
    expect(await done).toBe(0);
    expect(actions(stdout.text())).toEqual(['e4', 'e5']);

    const bad = collector();
    expect(await runRead([file, '-n', 'x'], { stdout: collector(), stderr: bad })).toBe(2);
    expect(bad.text()).toMatch(/-n must be a whole number/);
  });

  it('read – times end with Z (UTC), or with --local carry the local offset', async () => {
    const exporter = new MsgpackAuditExporter({ directory: dir });
    await exportRecords(exporter, [record({ timeMs: Date.UTC(2024, 0, 15, 10, 30, 45, 123), eventName: 'x' })]);
    await exporter.shutdown();
    const run = (args: string[]) =>
      new Promise<string>((resolve) => {
        const p = spawn(process.execPath, [CLI, 'read', file, ...args], {
          env: { ...process.env, TZ: 'Asia/Kolkata' },
        });
        let o = '';
        p.stdout.on('data', (c) => {
          o += c;
        });
        p.on('exit', () => resolve(o));
      });
    expect(await run([])).toMatch(/^2024-01-15 10:30:45\.123Z x /);
    expect(await run(['--local'])).toMatch(/^2024-01-15 16:00:45\.123\+05:30 x /);
  });
});
