// A templated msgpack_audit directory holds at most `max_directories` distinct
// directories (issue #11 item 5): otherwise any sender could create one
// directory per attribute value it invents.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OVERFLOW_RECORDS } from '../../../exporters/msgpack-audit/audit-files.js';
import { MsgpackAuditExporter, type AuditPayload } from '../../../exporters/msgpack-audit/msgpack-audit-exporter.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { tempDir } from '../../helpers/collector.js';
import { readWithPython } from './python-reader.js';
import { exportRecords, record } from './records.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('auditline-msgpack-cap-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function make(options: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const telemetry = new Telemetry();
  const logger = createLogger('msgpack_audit', { write: (l) => lines.push(l) });
  const exporter = new MsgpackAuditExporter(
    { directory: join(dir, '{collection}'), ...options },
    { logger, telemetry, id: 'msgpack_audit/cap' },
  );
  return { exporter, lines, overflowed: () => telemetry.total(OVERFLOW_RECORDS) };
}
const rec = (collection: string | undefined, n = 0) =>
  record({ attributes: collection === undefined ? { n } : { collection, n } });
const dirs = () =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
const collections = (names: string[]) =>
  names.filter((n) => n !== '_overflow' && n !== '_default' && !n.startsWith('.'));

describe('msgpack_audit directory cap', () => {
  it('msgpack_audit – writes 1000 distinct directories by default, then sends records to _overflow, counted and logged once per burst', async () => {
    const { exporter, lines, overflowed } = make();
    await exporter.start();
    const batch = Array.from({ length: 1100 }, (_, i) => rec(`c${i}`, i));
    expect((await exportRecords(exporter, batch)).code).toBe(ExportResultCode.SUCCESS);
    // Collections already in use keep their directory; records without the attribute still go to _default.
    expect((await exportRecords(exporter, [rec('c5', 5000), rec('c2000', 5001), rec(undefined, 5002)])).code).toBe(
      ExportResultCode.SUCCESS,
    );
    await exporter.shutdown();

    const names = dirs();
    expect(collections(names)).toHaveLength(1000);
    expect(names).toContain('_overflow');
    expect(names).toContain('_default');
    expect(names).not.toContain('c1000');
    const spilled = readWithPython(join(dir, '_overflow', 'audit.log')).map((r) => r.entry.data.n);
    expect(spilled).toEqual([...Array.from({ length: 100 }, (_, i) => 1000 + i), 5001]);
    expect(readWithPython(join(dir, 'c5', 'audit.log')).map((r) => r.entry.data.n)).toEqual([5, 5000]);
    expect(overflowed()).toBe(101);
    expect(lines.filter((l) => l.includes('max_directories (1000)'))).toHaveLength(1);
  });

  it('msgpack_audit – directories already there at start count towards max_directories', async () => {
    for (const c of ['a', 'b', 'c']) mkdirSync(join(dir, c));
    mkdirSync(join(dir, '.hidden')); // never a rendered name
    const { exporter, overflowed } = make({ max_directories: 3 });
    await exporter.start();
    await exportRecords(exporter, [rec('b', 1), rec('d', 2), rec('a', 3)]);
    await exporter.shutdown();
    expect(collections(dirs())).toEqual(['a', 'b', 'c']);
    expect(readWithPython(join(dir, '_overflow', 'audit.log')).map((r) => r.entry.data.n)).toEqual([2]);
    expect(overflowed()).toBe(1);
  });

  it('msgpack_audit – the writing instance enforces the cap on payloads built elsewhere (pipeline workers)', async () => {
    const worker = make({ max_directories: 100 }).exporter;
    const payload = structuredClone(
      worker.prepare([rec('x', 1), rec('y', 2), rec('y', 3), rec('z', 4), rec('x', 5)]),
    ) as AuditPayload;
    const { exporter, overflowed } = make({ max_directories: 2 });
    await exporter.start();
    const result = await new Promise<ExportResult>((res) => exporter.exportPrepared(payload, res));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    await worker.shutdown();
    expect(collections(dirs())).toEqual(['x', 'y']);
    expect(readWithPython(join(dir, '_overflow', 'audit.log')).map((r) => r.entry.data.n)).toEqual([4]);
    expect(readWithPython(join(dir, 'x', 'audit.log')).map((r) => r.entry.data.n)).toEqual([1, 5]);
    expect(overflowed()).toBe(1);
  });
});
