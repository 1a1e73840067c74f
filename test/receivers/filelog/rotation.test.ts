// Rotation while lines are being written: every line id must arrive exactly once.
import { appendFileSync, copyFileSync, existsSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FilelogReceiver } from '../../../src/receivers/filelog/receiver.js';
import { tempDir } from '../../helpers/collector.js';
import { Capture, cleanup, fileStorage, hostWith, ids, receiver, sleep, waitFor } from './helpers.js';

const dirs: string[] = [];
const running: FilelogReceiver[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.shutdown();
  cleanup(dirs);
});

function dir(): string {
  const d = tempDir('auditline-filelog-rot-');
  dirs.push(d);
  return d;
}

const TOTAL = 3000;

/** Writes TOTAL lines in small bursts (letting polls run in between), calling `rotate` every `every` lines. */
async function writeWithRotation(
  file: string,
  every: number,
  rotate: (n: number) => void | Promise<void>,
): Promise<void> {
  let rotations = 0;
  for (let i = 0; i < TOTAL; i += 10) {
    let chunk = '';
    for (let k = i; k < i + 10; k++)
      chunk += `${new Date().toISOString()} INFO request handled id=${k} ${'x'.repeat(k % 50)}\n`;
    appendFileSync(file, chunk);
    if ((i + 10) % every === 0 && i + 10 < TOTAL) await rotate(++rotations);
    if (i % 30 === 0) await sleep(i % 60 === 0 ? 0 : 7);
  }
}

function expectEveryLineOnce(c: Capture): void {
  const { all, unique } = ids(c);
  const missing = [];
  for (let i = 0; i < TOTAL; i++) if (!unique.has(i)) missing.push(i);
  expect(missing).toEqual([]);
  expect(all.length).toBe(TOTAL);
}

describe('filelog receiver – rotation', () => {
  it('rename rotation (app.log → app.log.1, new app.log) with include: app.log only: the old file is read to its end first', async () => {
    const d = dir();
    const file = join(d, 'app.log');
    writeFileSync(file, '');
    const c = new Capture();
    const r = receiver({ include: [file], start_at: 'beginning' }, c);
    running.push(r);
    await r.start(hostWith());
    await writeWithRotation(file, 400, (n) => {
      renameSync(file, join(d, `app.log.${n}`));
      writeFileSync(file, '');
    });
    await waitFor(() => c.records.length >= TOTAL, `${TOTAL} lines`);
    await sleep(100);
    expectEveryLineOnce(c);
  });

  it('rename rotation with include: app.log* follows the renamed file under its new name', async () => {
    const d = dir();
    const file = join(d, 'app.log');
    writeFileSync(file, '');
    const c = new Capture();
    const r = receiver({ include: [join(d, 'app.log*')], start_at: 'beginning' }, c);
    running.push(r);
    await r.start(hostWith());
    await writeWithRotation(file, 300, (n) => {
      // logrotate's numbering: .1 → .2 → ... then app.log → app.log.1
      for (let k = n - 1; k >= 1; k--)
        if (existsSync(join(d, `app.log.${k}`))) renameSync(join(d, `app.log.${k}`), join(d, `app.log.${k + 1}`));
      renameSync(file, join(d, 'app.log.1'));
      writeFileSync(file, '');
    });
    await waitFor(() => c.records.length >= TOTAL, `${TOTAL} lines`);
    await sleep(100);
    expectEveryLineOnce(c);
  });

  it('copytruncate rotation (copy to app.log.1, truncate app.log) loses and repeats nothing', async () => {
    const d = dir();
    const file = join(d, 'app.log');
    writeFileSync(file, '');
    const c = new Capture();
    const r = receiver({ include: [join(d, 'app.log*')], start_at: 'beginning' }, c);
    running.push(r);
    await r.start(hostWith());
    await writeWithRotation(file, 250, async (n) => {
      for (let k = n - 1; k >= 1; k--)
        if (existsSync(join(d, `app.log.${k}`))) renameSync(join(d, `app.log.${k}`), join(d, `app.log.${k + 1}`));
      copyFileSync(file, join(d, 'app.log.1'));
      // Every other time, polls run while the copy and the original (not yet truncated) both exist.
      if (n % 2 === 0) await sleep(60);
      truncateSync(file, 0);
    });
    await waitFor(() => c.records.length >= TOTAL, `${TOTAL} lines`);
    await sleep(100);
    expectEveryLineOnce(c);
  });

  it('a file truncated in place and rewritten past the old offset before the next poll is read again from its start, once', async () => {
    const d = dir();
    const file = join(d, 'app.log');
    const line = (k: number) => `${new Date().toISOString()} line id=${k}\n`;
    writeFileSync(file, Array.from({ length: 10 }, (_, k) => line(k)).join(''));
    const c = new Capture();
    const r = receiver({ include: [file], start_at: 'beginning' }, c);
    running.push(r);
    await r.start(hostWith());
    await waitFor(() => c.records.length >= 10, '10 lines');
    truncateSync(file, 0);
    appendFileSync(file, Array.from({ length: 30 }, (_, k) => `rewritten line id=${10 + k}\n`).join(''));
    await waitFor(() => c.records.length >= 40, '40 lines');
    await sleep(100);
    const { all, unique } = ids(c);
    expect(all.length).toBe(40);
    expect(unique.size).toBe(40);
  });

  it('restart across a rename rotation made while stopped resumes in the renamed file and reads the new one whole', async () => {
    const d = dir();
    const file = join(d, 'app.log');
    const storage = fileStorage(join(d, 'storage'));
    const line = (k: number) => `${new Date().toISOString()} line id=${k}\n`;
    writeFileSync(file, Array.from({ length: 10 }, (_, k) => line(k)).join(''));
    const c = new Capture();
    const cfg = { include: [join(d, 'app.log*')], start_at: 'beginning', storage: 'file_storage' };
    const r1 = receiver(cfg, c);
    await r1.start(hostWith({ file_storage: storage }));
    await waitFor(() => c.records.length >= 10, '10 lines');
    await r1.shutdown();
    appendFileSync(file, Array.from({ length: 5 }, (_, k) => line(10 + k)).join(''));
    renameSync(file, join(d, 'app.log.1'));
    writeFileSync(file, Array.from({ length: 5 }, (_, k) => line(15 + k)).join(''));
    const r2 = receiver(cfg, c);
    running.push(r2);
    await r2.start(hostWith({ file_storage: storage }));
    await waitFor(() => c.records.length >= 20, '20 lines');
    await sleep(100);
    const { all, unique } = ids(c);
    expect(unique.size).toBe(20);
    expect(all.length).toBe(20);
  });
});
