import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BackpressureError } from '../../../src/component/errors.js';
import type { FilelogReceiver } from '../../../src/receivers/filelog/receiver.js';
import { M, Telemetry } from '../../../src/telemetry/metrics.js';
import { tempDir } from '../../helpers/collector.js';
import { Capture, cleanup, fileStorage, hostWith, ids, receiver, sleep, waitFor } from './helpers.js';

const dirs: string[] = [];
const running: FilelogReceiver[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.shutdown();
  cleanup(dirs);
});

function dir(): string {
  const d = tempDir('auditline-filelog-');
  dirs.push(d);
  return d;
}

async function start(
  raw: Record<string, unknown>,
  next: Capture,
  host = hostWith(),
  telemetry?: Telemetry,
): Promise<FilelogReceiver> {
  const r = receiver(raw, next, telemetry);
  running.push(r);
  await r.start(host);
  return r;
}

const lines = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `line id=${from + i}\n`).join('');

describe('filelog receiver – reading files', () => {
  it('start_at: end skips what the file held at start and sends lines appended later', async () => {
    const d = dir();
    const file = join(d, 'app.log');
    writeFileSync(file, lines(0, 3));
    const c = new Capture();
    await start({ include: [join(d, '*.log')], start_at: 'end' }, c);
    appendFileSync(file, lines(3, 5));
    await waitFor(() => c.records.length >= 2, 'two appended lines');
    appendFileSync(file, lines(5, 6));
    await waitFor(() => c.records.length >= 3, 'the marker line');
    expect(c.bodies()).toEqual(['line id=3', 'line id=4', 'line id=5']);
  });

  it('start_at: beginning sends existing lines then appended ones, with log.file.name and log.file.path', async () => {
    const d = dir();
    const file = join(d, 'app.log');
    writeFileSync(file, lines(0, 3));
    const c = new Capture();
    await start({ include: [join(d, '*.log')], start_at: 'beginning', include_file_path: true }, c);
    await waitFor(() => c.records.length >= 3, 'existing lines');
    appendFileSync(file, lines(3, 4));
    await waitFor(() => c.records.length >= 4, 'appended line');
    expect(c.bodies()).toEqual(['line id=0', 'line id=1', 'line id=2', 'line id=3']);
    expect(c.records[0]!.attributes).toEqual({ 'log.file.name': 'app.log', 'log.file.path': file });
    expect(c.records[0]!.hrTimeObserved[0]).toBeGreaterThan(0);
  });

  it('a file created after start is read from its beginning; exclude leaves files out', async () => {
    const d = dir();
    const c = new Capture();
    await start({ include: [join(d, '**', '*.log')], exclude: [join(d, '**', 'debug*.log')] }, c);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(d, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(d, 'sub', 'deeper', 'debug-1.log'), 'excluded id=99\n');
    writeFileSync(join(d, 'sub', 'deeper', 'new.log'), lines(0, 2));
    writeFileSync(join(d, 'top.log'), lines(2, 3));
    await waitFor(() => c.records.length >= 3, 'lines of the new files');
    await sleep(100);
    expect(new Set(c.bodies())).toEqual(new Set(['line id=0', 'line id=1', 'line id=2']));
  });

  it('keeps a partial last line until its newline arrives', async () => {
    const d = dir();
    const file = join(d, 'app.log');
    writeFileSync(file, '');
    const c = new Capture();
    await start({ include: [file], start_at: 'beginning' }, c);
    appendFileSync(file, 'first id=1\nsecond half');
    await waitFor(() => c.records.length >= 1, 'the complete line');
    await sleep(150); // several polls with the partial line on disk
    expect(c.bodies()).toEqual(['first id=1']);
    appendFileSync(file, ' done id=2\r\n');
    await waitFor(() => c.records.length >= 2, 'the completed line');
    expect(c.bodies()).toEqual(['first id=1', 'second half done id=2']);
  });

  it('multiline.line_start_pattern joins continuation lines; the last entry is sent after force_flush_period', async () => {
    const d = dir();
    const file = join(d, 'app.log');
    writeFileSync(file, '');
    const c = new Capture();
    await start(
      {
        include: [file],
        start_at: 'beginning',
        force_flush_period: '100ms',
        multiline: { line_start_pattern: '^\\d{4}-\\d{2}-\\d{2} ' },
      },
      c,
    );
    appendFileSync(
      file,
      [
        '2026-12-03 10:00:00 ERROR boom',
        'Traceback (most recent call last):',
        '  File "app.py", line 1',
        '2026-12-03 10:00:01 INFO fine',
        '2026-12-03 10:00:02 ERROR again',
        '    at frame (x.js:1:1)',
        '',
      ].join('\n'),
    );
    await waitFor(() => c.records.length >= 3, 'three entries');
    expect(c.bodies()).toEqual([
      '2026-12-03 10:00:00 ERROR boom\nTraceback (most recent call last):\n  File "app.py", line 1',
      '2026-12-03 10:00:01 INFO fine',
      '2026-12-03 10:00:02 ERROR again\n    at frame (x.js:1:1)',
    ]);
  });

  it('a pipeline that refuses twice (503 backpressure) gets every line once: the offset stays until consume resolves', async () => {
    const d = dir();
    const file = join(d, 'app.log');
    writeFileSync(file, lines(0, 50));
    const c = new Capture((n) => (n <= 2 ? new BackpressureError('The delivery log is full.', 0.05, 503) : undefined));
    const telemetry = new Telemetry();
    await start({ include: [file], start_at: 'beginning' }, c, hostWith(), telemetry);
    await waitFor(() => c.records.length >= 50, '50 lines');
    appendFileSync(file, lines(50, 60));
    await waitFor(() => c.records.length >= 60, '60 lines');
    await sleep(100);
    const { all, unique } = ids(c);
    expect(c.calls).toBeGreaterThanOrEqual(3);
    expect(all.length).toBe(60);
    expect(unique.size).toBe(60);
    expect(telemetry.value(M.receiverRefused, { receiver: 'filelog', transport: 'file' })).toBe(100);
    expect(telemetry.value(M.receiverAccepted, { receiver: 'filelog', transport: 'file' })).toBe(60);
  });

  it('with storage: file_storage, a restart resumes after the last line taken (no repeats, nothing lost); offsets are 0600', async () => {
    const d = dir();
    const file = join(d, 'app.log');
    const storage = fileStorage(join(d, 'storage'));
    writeFileSync(file, lines(0, 20));
    const c = new Capture();
    const r1 = await start(
      { include: [file], start_at: 'beginning', storage: 'file_storage' },
      c,
      hostWith({ file_storage: storage }),
    );
    await waitFor(() => c.records.length >= 20, 'the first 20 lines');
    await r1.shutdown();
    appendFileSync(file, lines(20, 35)); // written while the receiver is down
    // start_at: end would skip these for a new file; the saved offset wins for a known one.
    const r2 = await start(
      { include: [file], start_at: 'end', storage: 'file_storage' },
      c,
      hostWith({ file_storage: storage }),
    );
    await waitFor(() => c.records.length >= 35, '35 lines');
    appendFileSync(file, lines(35, 40));
    await waitFor(() => c.records.length >= 40, '40 lines');
    await r2.shutdown();
    const { all, unique } = ids(c);
    expect(all.length).toBe(40);
    expect(unique.size).toBe(40);
    const offsets = join(d, 'storage', 'receiver_filelog', 'offsets.json');
    expect(existsSync(offsets)).toBe(true);
    expect(statSync(offsets).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(offsets, 'utf8')).files[0].offset).toBe(statSync(file).size);
  });

  it('refuses to start when storage names an extension that is not enabled', async () => {
    const d = dir();
    const r = receiver({ include: [join(d, '*.log')], storage: 'file_storage/missing' }, new Capture());
    await expect(r.start(hostWith())).rejects.toThrow(/file_storage\/missing/);
    await r.shutdown();
  });

  it('shuts down without start, and twice', async () => {
    const r = receiver({ include: ['/nonexistent/*.log'] }, new Capture());
    await r.shutdown();
    await r.shutdown();
  });
});
