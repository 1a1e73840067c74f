// msgpack_audit is idempotent by delivery-log position and survives full
// disks, crashes mid-write, and files moved or deleted under it: whatever
// happens, Python's msgpack reads every entry exactly once.
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { msgpackAuditExporterFactory } from '../../../exporters/msgpack-audit/factory.js';
import { MsgpackAuditExporter, type AuditPayload } from '../../../exporters/msgpack-audit/msgpack-audit-exporter.js';
import type { LogSpan } from '../../../src/exporterhelper/push-exporter.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { tempDir } from '../../helpers/collector.js';
import { freezeWritesUnder, mountTmpfs, openFilesUnder, type Tmpfs } from './faults.js';
import { readWithPython } from './python-reader.js';
import { record } from './records.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('auditline-msgpack-idem-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const span = (first: number, end: number, log = 'logs'): LogSpan => ({ log, first, end });
/** Records n.. with `seq` = their log position, padded so a batch has some size. */
const batch = (first: number, end: number, extra: Record<string, string> = {}) =>
  Array.from({ length: end - first }, (_, i) =>
    record({ attributes: { seq: first + i, pad: 'p'.repeat(150), ...extra } }),
  );
const sendPayload = (e: MsgpackAuditExporter, p: unknown, s?: LogSpan) =>
  new Promise<ExportResult>((res) => e.exportPrepared(p, res, s));
const send = (e: MsgpackAuditExporter, s: LogSpan, extra: Record<string, string> = {}) =>
  sendPayload(e, e.prepare(batch(s.first, s.end, extra)), s);
const seqs = (file: string) => readWithPython(file).map((r) => r.entry.data.seq as number);
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const capture = () => {
  const lines: string[] = [];
  return { lines, logger: createLogger('msgpack_audit', { level: 'warn', write: (l) => lines.push(l) }) };
};

describe('msgpack_audit – positions', () => {
  it('msgpack_audit – a span already applied is acknowledged without writing it again, also after a restart', async () => {
    const file = join(dir, 'audit.log');
    const first = new MsgpackAuditExporter({ directory: dir });
    await first.start();
    expect(await first.appliedPosition('logs')).toBe(0);
    expect((await send(first, span(0, 3))).code).toBe(ExportResultCode.SUCCESS);
    // The retry of an attempt that timed out after it landed: a new payload of the same span.
    expect((await send(first, span(0, 3))).code).toBe(ExportResultCode.SUCCESS);
    expect(await first.appliedPosition('logs')).toBe(3);
    await first.shutdown();

    const second = new MsgpackAuditExporter({ directory: dir });
    await second.start();
    expect(await second.appliedPosition('logs')).toBe(3);
    // A replay from an older committed position.
    expect((await send(second, span(0, 3))).code).toBe(ExportResultCode.SUCCESS);
    expect((await send(second, span(3, 5))).code).toBe(ExportResultCode.SUCCESS);
    await second.shutdown();
    expect(seqs(file)).toEqual(range(0, 5));
  });

  it("msgpack_audit – positions are kept per delivery log name: one log's position never skips another's spans", async () => {
    const e = new MsgpackAuditExporter({ directory: dir });
    await e.start();
    await Promise.all([send(e, span(0, 10, 'logs')), send(e, span(100, 104, 'logs#w1'))]);
    expect((await send(e, span(104, 106, 'logs#w1'))).code).toBe(ExportResultCode.SUCCESS);
    await e.shutdown();
    const again = new MsgpackAuditExporter({ directory: dir });
    expect(await again.appliedPosition('logs')).toBe(10);
    expect(await again.appliedPosition('logs#w1')).toBe(106);
    expect(await again.appliedPosition('audit')).toBe(0);
    await again.shutdown();
    expect(seqs(join(dir, 'audit.log')).sort((a, b) => a - b)).toEqual([...range(0, 10), ...range(100, 106)]);
  });

  it('msgpack_audit – a templated directory keeps one position state in its base directory', async () => {
    const e = new MsgpackAuditExporter({ directory: join(dir, 'logs', '{collection}') });
    await send(e, span(0, 4), { collection: 'a' });
    await send(e, span(4, 6), { collection: 'b' });
    await e.shutdown();
    expect(existsSync(join(dir, 'logs', '.audit.log.state'))).toBe(true);
    const again = new MsgpackAuditExporter({ directory: join(dir, 'logs', '{collection}') });
    expect(await again.appliedPosition('logs')).toBe(6);
    expect((await send(again, span(4, 6), { collection: 'b' })).code).toBe(ExportResultCode.SUCCESS);
    await again.shutdown();
    expect(seqs(join(dir, 'logs', 'a', 'audit.log'))).toEqual(range(0, 4));
    expect(seqs(join(dir, 'logs', 'b', 'audit.log'))).toEqual(range(4, 6));
  });

  it('msgpack_audit – a torn last line of the state file is skipped; an unreadable state file is kept aside and logged', async () => {
    const state = join(dir, 'audit.log.state');
    const e = new MsgpackAuditExporter({ directory: dir });
    await send(e, span(0, 4));
    await e.shutdown();
    appendFileSync(state, '{"version":1,"confirmed":{"logs":99'); // power loss mid-line
    const torn = new MsgpackAuditExporter({ directory: dir });
    expect(await torn.appliedPosition('logs')).toBe(4);
    await torn.shutdown();

    writeFileSync(state, 'not json\n');
    const { lines, logger } = capture();
    const corrupt = new MsgpackAuditExporter({ directory: dir }, { logger });
    expect(await corrupt.appliedPosition('logs')).toBe(0);
    expect(existsSync(`${state}.corrupt`)).toBe(true);
    expect(lines.join('\n')).toMatch(/state file is unreadable/);
    await send(corrupt, span(4, 6));
    await corrupt.shutdown();
    expect(seqs(join(dir, 'audit.log'))).toEqual(range(0, 6));
  });

  it("msgpack_audit – a payload built in a pipeline worker (a structured clone) goes to the main instance's one handle", async () => {
    expect(msgpackAuditExporterFactory.singleWriter).toBe(true);
    const worker = new MsgpackAuditExporter({ directory: dir });
    const main = new MsgpackAuditExporter({ directory: dir });
    await main.start();
    const cloned = structuredClone(worker.prepare(batch(0, 5))) as AuditPayload;
    expect(Buffer.isBuffer(cloned.bytes)).toBe(false);
    expect((await sendPayload(main, cloned, span(0, 5, 'logs#w0'))).code).toBe(ExportResultCode.SUCCESS);
    expect(openFilesUnder(dir)).toEqual(['audit.log']);
    await main.shutdown();
    expect(seqs(join(dir, 'audit.log'))).toEqual(range(0, 5));
  });
});

describe('msgpack_audit – crash mid-write', () => {
  it('msgpack_audit – a write torn by a crash is cut back at restart, and the replay writes each entry once', async () => {
    const file = join(dir, 'audit.log');
    const crashed = new MsgpackAuditExporter({ directory: dir });
    await crashed.start();
    await send(crashed, span(0, 20));
    const before = statSync(file).size;
    const restore = freezeWritesUnder(dir, (n) => Math.floor(n / 2));
    try {
      void send(crashed, span(20, 40)); // never answers: the process "died" halfway through the write
      await until(() => statSync(file).size > before);
    } finally {
      restore();
    }
    const { lines, logger } = capture();
    const restarted = new MsgpackAuditExporter({ directory: dir }, { logger });
    await restarted.start();
    expect(statSync(file).size).toBe(before);
    expect(lines.join('\n')).toMatch(/unconfirmed tail/);
    const from = await restarted.appliedPosition('logs');
    expect(from).toBe(20);
    expect((await send(restarted, span(from, 40))).code).toBe(ExportResultCode.SUCCESS);
    await restarted.shutdown();
    expect(seqs(file)).toEqual(range(0, 40));
  });

  it('msgpack_audit – a write that landed before a crash took its confirmation counts as applied: the replay is skipped', async () => {
    const crashed = new MsgpackAuditExporter({ directory: join(dir, '{collection}') });
    await send(crashed, span(0, 10), { collection: 'c' });
    const restore = freezeWritesUnder(dir, (n) => n);
    let landed = false;
    try {
      void send(crashed, span(10, 30), { collection: 'c' }).then(() => {
        landed = true;
      });
      await until(() => seqs(join(dir, 'c', 'audit.log')).length === 30);
    } finally {
      restore();
    }
    expect(landed).toBe(false);
    const restarted = new MsgpackAuditExporter({ directory: join(dir, '{collection}') });
    expect(await restarted.appliedPosition('logs')).toBe(30);
    // The collector only committed 10: its replay of [10, 30) is acknowledged without writing.
    expect((await send(restarted, span(10, 30), { collection: 'c' })).code).toBe(ExportResultCode.SUCCESS);
    await restarted.shutdown();
    expect(seqs(join(dir, 'c', 'audit.log'))).toEqual(range(0, 30));
  });
});

describe('msgpack_audit – files moved and deleted', () => {
  it('msgpack_audit – a file moved away and replaced (logrotate) is noticed once: the next entries go to the new file at the path', async () => {
    const file = join(dir, 'audit.log');
    const { lines, logger } = capture();
    const e = new MsgpackAuditExporter({ directory: dir }, { logger });
    await e.start();
    await send(e, span(0, 3));
    mkdirSync(join(dir, 'rotated'));
    renameSync(file, join(dir, 'rotated', 'audit.log'));
    writeFileSync(file, ''); // logrotate's `create`
    await send(e, span(3, 5));
    await send(e, span(5, 6));
    await e.shutdown();
    expect(seqs(join(dir, 'rotated', 'audit.log'))).toEqual(range(0, 3));
    expect(seqs(file)).toEqual(range(3, 6));
    expect(lines.filter((l) => /moved or deleted/.test(l))).toHaveLength(1);
  });

  it('msgpack_audit – a deleted file is recreated at its path and the next entries land there', async () => {
    const file = join(dir, 'sub', 'audit.log');
    const e = new MsgpackAuditExporter({ directory: join(dir, 'sub') });
    await e.start();
    await send(e, span(0, 3));
    unlinkSync(file);
    await send(e, span(3, 5));
    await e.shutdown();
    expect(seqs(file)).toEqual(range(3, 5));
  });

  it('msgpack_audit – reopen() closes the open files; the next write opens the file at its path again', async () => {
    const e = new MsgpackAuditExporter({ directory: join(dir, '{collection}') });
    await send(e, span(0, 2), { collection: 'a' });
    await send(e, span(2, 4), { collection: 'b' });
    expect(openFilesUnder(dir)).toEqual(['a/audit.log', 'b/audit.log']);
    await e.reopen();
    expect(openFilesUnder(dir)).toEqual([]);
    await send(e, span(4, 6), { collection: 'a' });
    expect(openFilesUnder(dir)).toEqual(['a/audit.log']);
    await e.shutdown();
    expect(seqs(join(dir, 'a', 'audit.log'))).toEqual([0, 1, 4, 5]);
  });
});

describe('msgpack_audit – disk full', () => {
  let fsys: Tmpfs | undefined;
  let why = '';
  let parent = '';
  beforeAll(() => {
    parent = tempDir('auditline-msgpack-tmpfs-');
    const m = mountTmpfs(join(parent, 'mnt'));
    if (typeof m === 'string') why = m;
    else fsys = m;
  });
  afterAll(() => {
    fsys?.unmount();
    rmSync(parent, { recursive: true, force: true });
  });
  afterEach(() => {
    if (fsys) for (const n of ['audit', 'tpl']) rmSync(join(fsys.dir, n), { recursive: true, force: true });
    fsys?.free();
  });

  it('msgpack_audit – ENOSPC mid-write leaves no partial entry; once space is freed the retry lands each entry once, readable by Python', async (ctx) => {
    if (!fsys) return ctx.skip(why);
    const file = join(fsys.dir, 'audit', 'audit.log');
    const e = new MsgpackAuditExporter({ directory: join(fsys.dir, 'audit') });
    await e.start();
    expect((await send(e, span(0, 50))).code).toBe(ExportResultCode.SUCCESS);
    const before = statSync(file).size;
    fsys.fill(16 * 1024);
    const payload = e.prepare(batch(50, 250));
    expect(payload.bytes.length).toBeGreaterThan(32 * 1024);
    const failed = await sendPayload(e, payload, span(50, 250));
    expect(failed.code).toBe(ExportResultCode.FAILED);
    expect(failed.error?.message).toMatch(/Cannot append to audit file.*ENOSPC/);
    expect(statSync(file).size).toBe(before);
    expect(seqs(file)).toEqual(range(0, 50));
    fsys.free();
    expect((await sendPayload(e, payload, span(50, 250))).code).toBe(ExportResultCode.SUCCESS);
    expect((await send(e, span(250, 260))).code).toBe(ExportResultCode.SUCCESS);
    await e.shutdown();
    expect(seqs(file)).toEqual(range(0, 260));
  });

  it('msgpack_audit – with a templated directory, a group that fails on one file is cut back on every file, so the retry writes each entry once', async (ctx) => {
    if (!fsys) return ctx.skip(why);
    const e = new MsgpackAuditExporter({ directory: join(fsys.dir, 'tpl', '{collection}') });
    await e.start();
    expect((await send(e, span(0, 4), { collection: 'a' })).code).toBe(ExportResultCode.SUCCESS);
    expect((await send(e, span(4, 8), { collection: 'b' })).code).toBe(ExportResultCode.SUCCESS);
    fsys.fill(16 * 1024);
    // a's part fits, b's does not.
    const records = [...batch(8, 18, { collection: 'a' }), ...batch(18, 218, { collection: 'b' })];
    const payload = e.prepare(records);
    expect((await sendPayload(e, payload, span(8, 218))).code).toBe(ExportResultCode.FAILED);
    expect(seqs(join(fsys.dir, 'tpl', 'a', 'audit.log'))).toEqual(range(0, 4));
    fsys.free();
    expect((await sendPayload(e, payload, span(8, 218))).code).toBe(ExportResultCode.SUCCESS);
    await e.shutdown();
    expect(seqs(join(fsys.dir, 'tpl', 'a', 'audit.log'))).toEqual([...range(0, 4), ...range(8, 18)]);
    expect(seqs(join(fsys.dir, 'tpl', 'b', 'audit.log'))).toEqual([...range(4, 8), ...range(18, 218)]);
  });
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('Condition not reached.');
}
