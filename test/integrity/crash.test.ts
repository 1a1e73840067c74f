// kill -9 of a real collector while it writes: the audit file verifies up to its last checkpoint,
// and the restarted collector continues the same chain over everything it writes next.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';
import { emit } from '../exporters/msgpack-audit/otlp-feed.js';
import { digestLines, entryOffsets, makeKey, removeTempDirs, tempDir, verify } from './helpers.js';

/** Polls `cond` for up to a minute: the machine may be busy. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!cond()) throw new Error(`Gave up waiting for ${what}.`);
}

let c: RunningCollector | undefined;
afterEach(async () => {
  await c?.cleanup();
  c = undefined;
});

const yaml = (port: number, keyFile: string) => `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${port} }
processors:
  batch: { timeout: 5ms }
exporters:
  msgpack_audit:
    directory: "{{dir}}/logs"
    integrity: { key_file: ${keyFile}, interval: 1s }
  sqlite:
    path: "{{dir}}/data/auditline.db"
    integrity: { key_file: ${keyFile} }
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [msgpack_audit, sqlite]
`;

afterAll(removeTempDirs);

describe('integrity – crash', () => {
  it('integrity – after kill -9 mid-write the file verifies to its last checkpoint and the database entirely; a restart continues both chains', async () => {
    const dir = tempDir();
    const key = makeKey(dir);
    const port = await freePort();
    const file = join(dir, 'logs', 'audit.log');
    const digest = `${file}.digest`;
    const lines = () => {
      try {
        return digestLines(digest);
      } catch {
        return [];
      }
    };
    c = await startCollector(yaml(port, key.keyFile), { dir });

    let sending = true;
    const feeder = (async () => {
      for (let i = 0; sending; i++) {
        await emit(
          port,
          Array.from({ length: 50 }, (_, j) => ({ body: `before ${i}.${j}`, attributes: { i, j } })),
        ).catch(() => undefined);
      }
    })();
    // Killed with entries written after the last checkpoint, so the restart must cover them.
    const uncovered = () => {
      const l = lines();
      return l.length >= 2 && statSync(file).size > (JSON.parse(l.at(-1)!) as { end: number }).end;
    };
    await until(uncovered, 'two checkpoints and entries after them');
    await c.stop('SIGKILL');
    sending = false;
    await feeder;

    const crashed = await verify([file, '--public-key', key.verifyFile]);
    expect(crashed.out).toMatch(/^OK: bytes 0–\d+ \(\d+ entries/);
    expect(crashed.out).toMatch(/byte\(s\) after the last checkpoint are not covered yet/);
    expect(crashed.code).toBe(0);
    const checkpointsBefore = lines().length;
    const db = join(dir, 'data', 'auditline.db');
    const crashedDb = await verify([db, '--public-key', key.verifyFile]);
    expect(crashedDb.out).toMatch(/^OK: \d+ signed integrity entries/);
    expect(crashedDb.code).toBe(0);

    c = await startCollector(yaml(port, key.keyFile), { dir });
    await emit(
      port,
      Array.from({ length: 20 }, (_, j) => ({ body: `after ${j}`, attributes: { j } })),
    );
    await until(() => readFileSync(file).includes('after 19'), 'the records sent after the restart');
    expect(await c.stop('SIGTERM')).toBe(0);

    const all = await verify([file, '--public-key', key.verifyFile]);
    const entries = entryOffsets(file).length - 1;
    expect(all.out).toContain(`OK: bytes 0–${readFileSync(file).length} (${entries} entries`);
    expect(all.out).not.toContain('not covered');
    expect(all.code).toBe(0);
    const after = lines().map((l) => JSON.parse(l) as { gen: number; closed?: boolean });
    expect(after.length).toBeGreaterThan(checkpointsBefore);
    expect(after.every((l) => l.gen === 0)).toBe(true);
    expect(after.at(-1)!.closed).toBe(true);
    const allDb = await verify([db, '--public-key', key.verifyFile]);
    const conn = new Database(db, { readonly: true });
    // The records are from 2024, so retention at each start removes whole batches (and records it).
    const ids = conn.prepare('SELECT min(id) AS lo, max(id) AS hi, count(*) AS n FROM audit_logs').get() as {
      lo: number;
      hi: number;
      n: number;
    };
    conn.close();
    expect(allDb.out).toContain(`audit_logs: rows id ${ids.lo}–${ids.hi} (${ids.n} rows`);
    expect(allDb.code).toBe(0);
  }, 180_000);
});
