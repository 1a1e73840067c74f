// msgpack_audit with `integrity`: the digest beside audit.log, and `auditline verify` failing at
// the right place for every kind of tampering.
import { chmodSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { MsgpackAuditExporter } from '../../exporters/msgpack-audit/msgpack-audit-exporter.js';
import { exportRecords, record } from '../exporters/msgpack-audit/records.js';
import { readWithPython } from '../exporters/msgpack-audit/python-reader.js';
import { digestLines, entryOffsets, makeKey, removeTempDirs, tempDir, verify } from './helpers.js';

const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);

/** Three checkpoints of 4 entries each (entries 0-11, timestamps T0 + i s). */
async function writeThreeCheckpoints(
  dir: string,
  keyFile: string,
  algorithm: 'ed25519' | 'hmac-sha256' = 'ed25519',
): Promise<string> {
  const exporter = new MsgpackAuditExporter({
    directory: dir,
    integrity: { key_file: keyFile, algorithm, interval: 3_600_000 },
  });
  await exporter.start();
  for (let c = 0; c < 3; c++) {
    const batch = Array.from({ length: 4 }, (_, i) =>
      record({ body: `entry ${c * 4 + i}`, timeMs: T0 + (c * 4 + i) * 1000, attributes: { n: c * 4 + i } }),
    );
    expect((await exportRecords(exporter, batch)).code).toBe(0);
    if (c < 2) await exporter.checkpoint();
  }
  await exporter.shutdown();
  return join(dir, 'audit.log');
}

let dir: string;
let key: { keyFile: string; verifyFile: string };
let file: string;
let at: number[];
beforeEach(async () => {
  dir = tempDir();
  key = makeKey(dir);
  file = await writeThreeCheckpoints(dir, key.keyFile);
  at = entryOffsets(file);
});

const expectFailure = async (pattern: RegExp) => {
  const r = await verify([file, '--public-key', key.verifyFile]);
  expect(r.out).toMatch(pattern);
  expect(r.code).toBe(1);
  return r.out;
};

afterAll(removeTempDirs);

describe('integrity – audit file', () => {
  it('integrity – an untouched file verifies with the public key alone, and stays the plain audit format', async () => {
    const r = await verify([file, '--public-key', key.verifyFile]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `OK: bytes 0–${at[12]} (12 entries, 2026-12-03T10:00:00.000Z to 2026-12-03T10:00:11.000Z) match 3 signed checkpoint(s)`,
    );
    expect(digestLines(`${file}.digest`)).toHaveLength(3);
    expect(readWithPython(file).map((e) => e.entry.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('integrity – a changed byte fails at its checkpoint, naming its first byte and entry', async () => {
    const b = readFileSync(file);
    const i = b.indexOf('entry 6');
    b[i + 6] = '7'.charCodeAt(0);
    writeFileSync(file, b);
    await expectFailure(
      new RegExp(
        `FAILED at byte ${at[4]} \\(entry 4\\): bytes ${at[4]}–${at[8]} \\(entries 4–7\\), checkpoint 1 \\(digest line 2\\) do not match`,
      ),
    );
  });

  it('integrity – a deleted entry fails at its checkpoint', async () => {
    const b = readFileSync(file);
    writeFileSync(file, Buffer.concat([b.subarray(0, at[5]), b.subarray(at[6])]));
    const out = await expectFailure(new RegExp(`FAILED at byte ${at[4]} \\(entry 4\\)`));
    expect(out).toMatch(/changed, removed, inserted or reordered/);
  });

  it('integrity – an inserted entry fails at its checkpoint', async () => {
    const b = readFileSync(file);
    writeFileSync(file, Buffer.concat([b.subarray(0, at[1]), b.subarray(at[1], at[2]), b.subarray(at[1])]));
    await expectFailure(new RegExp(`FAILED at byte 0 \\(entry 0\\): bytes 0–${at[4]}`));
  });

  it('integrity – two entries swapped fail at their checkpoint', async () => {
    const b = readFileSync(file);
    writeFileSync(
      file,
      Buffer.concat([b.subarray(0, at[9]), b.subarray(at[10], at[11]), b.subarray(at[9], at[10]), b.subarray(at[11])]),
    );
    await expectFailure(new RegExp(`FAILED at byte ${at[8]} \\(entry 8\\): bytes ${at[8]}–${at[12]}`));
  });

  it('integrity – a file cut inside a checkpoint fails where it ends', async () => {
    truncateSync(file, at[6]);
    await expectFailure(
      new RegExp(`FAILED at byte ${at[6]} \\(entry 6\\): the file ends inside checkpoint 1 \\(digest line 2\\)`),
    );
  });

  it('integrity – entries appended after the last checkpoint are reported as not covered', async () => {
    const b = readFileSync(file);
    writeFileSync(file, Buffer.concat([b, b.subarray(0, at[1])]));
    const r = await verify([file, '--public-key', key.verifyFile]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${at[1]} byte(s) after the last checkpoint are not covered yet (1 entries)`);
  });

  it('integrity – an edited digest entry fails at its line', async () => {
    const lines = digestLines(`${file}.digest`);
    lines[1] = lines[1]!.replace('"records":4', '"records":3');
    writeFileSync(`${file}.digest`, lines.join('\n') + '\n');
    await expectFailure(/FAILED at digest line 2: the signature does not match/);
  });

  it('integrity – a removed or reordered digest entry breaks the chain at the next line', async () => {
    const lines = digestLines(`${file}.digest`);
    writeFileSync(`${file}.digest`, [lines[0], lines[2]].join('\n') + '\n');
    await expectFailure(/FAILED at digest line 2: checkpoint 2 follows checkpoint 0 \(checkpoints were removed\)/);
    writeFileSync(`${file}.digest`, [lines[1], lines[0], lines[2]].join('\n') + '\n');
    await expectFailure(/FAILED at digest line 1: the first checkpoint does not start the chain/);
  });

  it('integrity – a digest re-signed with another key is refused', async () => {
    const other = makeKey(dir, 'ed25519', 'other');
    const forged = tempDir();
    const forgedFile = await writeThreeCheckpoints(forged, other.keyFile);
    writeFileSync(`${file}.digest`, readFileSync(`${forgedFile}.digest`));
    await expectFailure(
      /FAILED at digest line 1: signed with ed25519 key [0-9a-f]{16}, not with the given ed25519 key [0-9a-f]{16}/,
    );
  });

  it('integrity – hmac-sha256 verifies with the secret and fails with another', async () => {
    const d = tempDir();
    const secret = makeKey(d, 'hmac-sha256');
    const f = await writeThreeCheckpoints(d, secret.keyFile, 'hmac-sha256');
    expect((await verify([f, '--key', secret.keyFile])).code).toBe(0);
    const wrong = makeKey(d, 'hmac-sha256', 'wrong');
    const r = await verify([f, '--key', wrong.keyFile]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILED at digest line 1: signed with hmac-sha256 key/);
  });

  it('integrity – a restart continues the chain; entries added while stopped are reported', async () => {
    const more = async () => {
      const exporter = new MsgpackAuditExporter({
        directory: dir,
        integrity: { key_file: key.keyFile, algorithm: 'ed25519', interval: 3_600_000 },
      });
      expect((await exportRecords(exporter, [record({ body: 'later', timeMs: T0 })])).code).toBe(0);
      await exporter.shutdown();
    };
    await more();
    const r = await verify([file, '--public-key', key.verifyFile]);
    expect(r.out).toContain('(13 entries');
    expect(r.code).toBe(0);
    const b = readFileSync(file);
    writeFileSync(file, Buffer.concat([b, b.subarray(0, at[1])]));
    await more();
    await expectFailure(
      new RegExp(`FAILED at digest line 5: the writer found bytes it had not written before byte ${b.length + at[1]}`),
    );
  });

  it('integrity – a file cut below a checkpoint while stopped is reported after the next write', async () => {
    truncateSync(file, at[10]);
    const exporter = new MsgpackAuditExporter({
      directory: dir,
      integrity: { key_file: key.keyFile, algorithm: 'ed25519', interval: 3_600_000 },
    });
    expect((await exportRecords(exporter, [record({ body: 'later', timeMs: T0 })])).code).toBe(0);
    await exporter.shutdown();
    await expectFailure(new RegExp(`FAILED at digest line 4: the writer found the file cut back to ${at[10]} bytes`));
  });

  it('integrity – a rotated file starts a new generation at the path; the chain continues', async () => {
    const exporter = new MsgpackAuditExporter({
      directory: dir,
      integrity: { key_file: key.keyFile, algorithm: 'ed25519', interval: 3_600_000 },
    });
    expect((await exportRecords(exporter, [record({ body: 'before rotation', timeMs: T0 })])).code).toBe(0);
    renameSync(file, `${file}.1`);
    expect((await exportRecords(exporter, [record({ body: 'after rotation', timeMs: T0 })])).code).toBe(0);
    await exporter.shutdown();
    const r = await verify([file, '--public-key', key.verifyFile]);
    expect(r.out).toContain('OK: bytes 0–');
    expect(r.out).toContain('(1 entries');
    expect(r.out).toContain(
      'Checked generation 1; 4 checkpoint(s) of other files at this path (generations 0 (checkpoints 0–3))',
    );
    expect(r.code).toBe(0);
    const rotated = await verify([
      `${file}.1`,
      '--digest',
      `${file}.digest`,
      '--generation',
      '0',
      '--public-key',
      key.verifyFile,
    ]);
    expect(rotated.out).toContain(`OK: bytes 0–${readFileSync(`${file}.1`).length} (13 entries`);
    expect(rotated.code).toBe(0);
  });

  it('integrity – a templated directory gets one digest per file; payloads built on another thread are covered', async () => {
    const d = tempDir();
    const options = {
      directory: join(d, '{collection}'),
      integrity: { key_file: key.keyFile, algorithm: 'ed25519' as const, interval: 3_600_000 },
    };
    const worker = new MsgpackAuditExporter(options);
    const writer = new MsgpackAuditExporter(options);
    await writer.start();
    const batch = ['a', 'b', 'a'].map((collection, n) => record({ timeMs: T0 + n, attributes: { collection, n } }));
    // A pipeline worker's payload reaches the writing thread as a structured clone.
    const payload = structuredClone(worker.prepare(batch));
    expect(await new Promise<number>((res) => writer.exportPrepared(payload, (r) => res(r.code)))).toBe(0);
    await writer.shutdown();
    await worker.shutdown();
    for (const [c, n] of [
      ['a', 2],
      ['b', 1],
    ] as const) {
      const r = await verify([join(d, c, 'audit.log'), '--public-key', key.verifyFile]);
      expect(r.out).toContain(`(${n} entries`);
      expect(r.code).toBe(0);
    }
  });

  it('integrity – a signing key readable by others is refused at start', async () => {
    const d = tempDir();
    const k = makeKey(d);
    chmodSync(k.keyFile, 0o644);
    const exporter = new MsgpackAuditExporter({
      directory: d,
      integrity: { key_file: k.keyFile, algorithm: 'ed25519', interval: 60_000 },
    });
    await expect(exporter.start()).rejects.toThrow(/is readable by group or others \(mode 0644\); run chmod 600/);
    await exporter.shutdown();
  });
});
