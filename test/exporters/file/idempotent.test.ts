// The file exporter is idempotent by delivery-log position and survives full
// disks, crashes mid-write, and files moved or deleted under it: no torn line,
// no duplicate, every record exactly once across the current file and backups.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileExporterFactory } from '../../../exporters/file/factory.js';
import { FileLogExporter } from '../../../exporters/file/file-exporter.js';
import type { FileConfig } from '../../../exporters/file/config.js';
import type { LogSpan } from '../../../src/exporterhelper/push-exporter.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { createLogger, silentLogger } from '../../../src/telemetry/logger.js';
import { tempDir } from '../../helpers/collector.js';
import { freezeWritesUnder, mountTmpfs, openFilesUnder, type Tmpfs } from '../msgpack-audit/faults.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('auditline-file-idem-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const res = resourceFromAttributes({ 'service.name': 'interview' });
/** Records for log positions [first, end), `seq` = position, padded so a batch has some size. */
function batch(first: number, end: number): LogRecordData[] {
  return Array.from({ length: end - first }, (_, i) => {
    const r = new LogRecordData(res, { name: 'session_manager' });
    r.hrTime = [1_705_314_645, 0];
    r.severityNumber = SeverityNumber.INFO;
    r.body = 'x'.repeat(150);
    r.attributes = { seq: first + i };
    return r;
  });
}
const span = (first: number, end: number, log = 'logs'): LogSpan => ({ log, first, end });
const sendRecords = (e: FileLogExporter, records: LogRecordData[], s: LogSpan) =>
  new Promise<ExportResult>((r) => e.exportPrepared(e.prepare(records), r, s));
const send = (e: FileLogExporter, s: LogSpan) => sendRecords(e, batch(s.first, s.end), s);
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

function config(file: string, raw: Record<string, unknown> = {}): FileConfig {
  return fileExporterFactory.config.parse({ path: file, ...raw }, [], []) as FileConfig;
}
function exporter(file: string, raw: Record<string, unknown> = {}, logger = silentLogger): FileLogExporter {
  return new FileLogExporter(config(file, raw), { logger });
}
/** `seq` of every line, read by Python's json module (a torn line fails the read). */
function seqsOf(file: string): number[] {
  const out = execFileSync(
    '/usr/bin/python3',
    ['-c', 'import json, sys\nprint(json.dumps([json.loads(l)["metadata"]["seq"] for l in open(sys.argv[1])]))', file],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as number[];
}
/** Every record of the current file and its backups, oldest backup first. */
function allSeqs(file: string): number[] {
  const d = join(file, '..');
  const backups = readdirSync(d)
    .filter((n) => /^audit-.*\.jsonl$/.test(n))
    .sort();
  return [...backups.map((n) => join(d, n)), file].flatMap(seqsOf);
}
const capture = () => {
  const lines: string[] = [];
  return { lines, logger: createLogger('file', { level: 'warn', write: (l) => lines.push(l) }) };
};

describe('file exporter – positions', () => {
  it('a span already applied is acknowledged without writing it again, also after a restart', async () => {
    const file = join(dir, 'audit.jsonl');
    const e = exporter(file);
    await e.start();
    expect(await e.appliedPosition('logs')).toBe(0);
    expect((await send(e, span(0, 3))).code).toBe(ExportResultCode.SUCCESS);
    expect((await send(e, span(0, 3))).code).toBe(ExportResultCode.SUCCESS);
    await e.shutdown();
    const again = exporter(file);
    await again.start();
    expect(await again.appliedPosition('logs')).toBe(3);
    expect((await send(again, span(0, 3))).code).toBe(ExportResultCode.SUCCESS);
    expect((await send(again, span(3, 5))).code).toBe(ExportResultCode.SUCCESS);
    await again.shutdown();
    expect(seqsOf(file)).toEqual(range(0, 5));
    expect(existsSync(`${file}.state`)).toBe(true);
  });

  it('positions are kept per delivery log name, and writes from several logs at once never interleave', async () => {
    const file = join(dir, 'audit.jsonl');
    const e = exporter(file);
    await e.start();
    const results = await Promise.all([
      send(e, span(0, 50, 'logs')),
      send(e, span(100, 150, 'logs#w1')),
      send(e, span(50, 60, 'logs')),
    ]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    await e.shutdown();
    const again = exporter(file);
    expect(await again.appliedPosition('logs')).toBe(60);
    expect(await again.appliedPosition('logs#w1')).toBe(150);
    expect(await again.appliedPosition('other')).toBe(0);
    await again.shutdown();
    expect(seqsOf(file)).toEqual([...range(0, 50), ...range(100, 150), ...range(50, 60)]);
  });
});

describe('file exporter – crash mid-write', () => {
  it('a line torn by a crash is cut back at restart, and the replay writes each record once', async () => {
    const file = join(dir, 'audit.jsonl');
    const crashed = exporter(file);
    await crashed.start();
    await send(crashed, span(0, 10));
    const before = statSync(file).size;
    const restore = freezeWritesUnder(dir, (n) => Math.floor(n / 2) + 1);
    try {
      void send(crashed, span(10, 20));
      await until(() => statSync(file).size > before);
    } finally {
      restore();
    }
    const restarted = exporter(file);
    await restarted.start();
    expect(statSync(file).size).toBe(before);
    const from = await restarted.appliedPosition('logs');
    expect(from).toBe(10);
    expect((await send(restarted, span(from, 20))).code).toBe(ExportResultCode.SUCCESS);
    await restarted.shutdown();
    expect(seqsOf(file)).toEqual(range(0, 20));
  });

  it('a write that landed before a crash took its confirmation counts as applied: the replay is skipped', async () => {
    const file = join(dir, 'audit.jsonl');
    const crashed = exporter(file);
    await crashed.start();
    await send(crashed, span(0, 10));
    const restore = freezeWritesUnder(dir, (n) => n);
    try {
      void send(crashed, span(10, 20));
      await until(() => readFileSync(file, 'utf8').split('\n').length === 21);
    } finally {
      restore();
    }
    const restarted = exporter(file);
    await restarted.start();
    expect(await restarted.appliedPosition('logs')).toBe(20);
    expect((await send(restarted, span(10, 20))).code).toBe(ExportResultCode.SUCCESS);
    await restarted.shutdown();
    expect(seqsOf(file)).toEqual(range(0, 20));
  });
});

describe('file exporter – files moved and deleted', () => {
  it('a file moved away and replaced (logrotate) is noticed once: the next lines go to the new file at the path', async () => {
    const file = join(dir, 'audit.jsonl');
    const { lines, logger } = capture();
    const e = exporter(file, {}, logger);
    await e.start();
    await send(e, span(0, 3));
    renameSync(file, join(dir, 'audit.jsonl.1'));
    writeFileSync(file, '');
    await send(e, span(3, 5));
    await send(e, span(5, 6));
    await e.shutdown();
    expect(seqsOf(join(dir, 'audit.jsonl.1'))).toEqual(range(0, 3));
    expect(seqsOf(file)).toEqual(range(3, 6));
    expect(lines.filter((l) => /moved or deleted/.test(l))).toHaveLength(1);
  });

  it('a deleted file is recreated at its path and the next lines land there', async () => {
    const file = join(dir, 'audit.jsonl');
    const e = exporter(file);
    await e.start();
    await send(e, span(0, 3));
    unlinkSync(file);
    await send(e, span(3, 5));
    await e.shutdown();
    expect(seqsOf(file)).toEqual(range(3, 5));
  });

  it('reopen() closes the file; the next write opens the file at its path again', async () => {
    const file = join(dir, 'audit.jsonl');
    const e = exporter(file);
    await e.start();
    await send(e, span(0, 2));
    expect(openFilesUnder(dir)).toEqual(['audit.jsonl']);
    await e.reopen();
    expect(openFilesUnder(dir)).toEqual([]);
    await send(e, span(2, 4));
    expect(openFilesUnder(dir)).toEqual(['audit.jsonl']);
    await e.shutdown();
    expect(seqsOf(file)).toEqual(range(0, 4));
  });
});

describe('file exporter – disk full', () => {
  let fsys: Tmpfs | undefined;
  let why = '';
  let parent = '';
  beforeAll(() => {
    parent = tempDir('auditline-file-tmpfs-');
    const m = mountTmpfs(join(parent, 'mnt'));
    if (typeof m === 'string') why = m;
    else fsys = m;
  });
  afterAll(() => {
    fsys?.unmount();
    rmSync(parent, { recursive: true, force: true });
  });
  afterEach(() => {
    if (fsys) rmSync(join(fsys.dir, 'logs'), { recursive: true, force: true });
    fsys?.free();
  });

  it('ENOSPC mid-write leaves no torn line; once space is freed the retry writes each record once', async (ctx) => {
    if (!fsys) return ctx.skip(why);
    const file = join(fsys.dir, 'logs', 'audit.jsonl');
    const e = exporter(file);
    await e.start();
    expect((await send(e, span(0, 20))).code).toBe(ExportResultCode.SUCCESS);
    const before = statSync(file).size;
    fsys.fill(16 * 1024);
    const records = batch(20, 220);
    const failed = await sendRecords(e, records, span(20, 220));
    expect(failed.code).toBe(ExportResultCode.FAILED);
    expect(failed.error?.message).toMatch(/ENOSPC/);
    expect(statSync(file).size).toBe(before);
    fsys.free();
    expect((await sendRecords(e, records, span(20, 220))).code).toBe(ExportResultCode.SUCCESS);
    await e.shutdown();
    expect(seqsOf(file)).toEqual(range(0, 220));
  });

  it('ENOSPC after a batch rotated: the part already in the backup is not written again by the retry', async (ctx) => {
    if (!fsys) return ctx.skip(why);
    const file = join(fsys.dir, 'logs', 'audit.jsonl');
    const e = exporter(file, { rotation: { max_bytes: 8192, max_backups: 0 } });
    await e.start();
    expect((await send(e, span(0, 20))).code).toBe(ExportResultCode.SUCCESS);
    fsys.fill(12 * 1024);
    // The first part fills audit.jsonl, which rotates; the rest does not fit.
    const records = batch(20, 220);
    expect((await sendRecords(e, records, span(20, 220))).code).toBe(ExportResultCode.FAILED);
    const landed = await e.appliedPosition('logs');
    expect(landed).toBeGreaterThan(20);
    expect(landed).toBeLessThan(220);
    expect(allSeqs(file)).toEqual(range(0, landed));
    fsys.free();
    expect((await sendRecords(e, records, span(20, 220))).code).toBe(ExportResultCode.SUCCESS);
    await e.shutdown();
    expect(allSeqs(file)).toEqual(range(0, 220));
  });

  it('without a span (in-process), a retried batch after ENOSPC still writes each record once', async (ctx) => {
    if (!fsys) return ctx.skip(why);
    const file = join(fsys.dir, 'logs', 'audit.jsonl');
    const e = exporter(file, { rotation: { max_bytes: 8192, max_backups: 0 } });
    await e.start();
    const exportRecords = (records: LogRecordData[]) => new Promise<ExportResult>((r) => e.export(records, r));
    expect((await exportRecords(batch(0, 20))).code).toBe(ExportResultCode.SUCCESS);
    fsys.fill(12 * 1024);
    const records = batch(20, 220);
    expect((await exportRecords(records)).code).toBe(ExportResultCode.FAILED);
    fsys.free();
    expect((await exportRecords(records)).code).toBe(ExportResultCode.SUCCESS);
    await e.shutdown();
    expect(allSeqs(file)).toEqual(range(0, 220));
  });
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('Condition not reached.');
}
