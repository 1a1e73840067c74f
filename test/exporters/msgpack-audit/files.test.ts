import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msgpackAuditExporterFactory } from '../../../exporters/msgpack-audit/factory.js';
import { MsgpackAuditExporter } from '../../../exporters/msgpack-audit/msgpack-audit-exporter.js';
import { sanitizeSegment } from '../../../exporters/msgpack-audit/path-template.js';
import type { ConfigIssue } from '../../../src/config/schema.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { tempDir } from '../../helpers/collector.js';
import { readWithPython } from './python-reader.js';
import { exportRecords, record } from './records.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('auditline-msgpack-files-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every file below `root` except position state files, as paths relative to it. */
function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.state')) out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

/** This process's open file descriptors on files under `root` (Linux /proc), position state files left out. */
function openFilesUnder(root: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(root + '/') && !target.endsWith('.state')) out.push(relative(root, target));
    } catch {
      /* closed meanwhile */
    }
  }
  return out.sort();
}

describe('msgpack_audit files', () => {
  it('msgpack_audit – a second exporter instance appends to the file and never rewrites earlier bytes', async () => {
    const file = join(dir, 'audit.log');
    const first = new MsgpackAuditExporter({ directory: dir });
    await first.start();
    await exportRecords(first, [record({ eventName: 'session_init', attributes: { 'session.id': 'a' } })]);
    await first.shutdown();
    const before = readFileSync(file);

    const second = new MsgpackAuditExporter({ directory: dir });
    await exportRecords(second, [record({ eventName: 'add_model', attributes: { 'session.id': 'b', modelId: 'm' } })]);
    await second.shutdown();
    const after = readFileSync(file);

    expect(after.length).toBeGreaterThan(before.length);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect(readWithPython(file).map((r) => [r.entry.action, r.entry.session])).toEqual([
      ['session_init', 'a'],
      ['add_model', 'b'],
    ]);
  });

  it('msgpack_audit – {collection} routes each record to its own directory, records without it to _default', async () => {
    const exporter = new MsgpackAuditExporter({ directory: join(dir, 'logs', '{collection}') + '/' });
    const res = await exportRecords(exporter, [
      record({ attributes: { collection: 'alpha', seq: 1 } }),
      record({ attributes: { collection: 'beta', seq: 2 } }),
      record({ attributes: { seq: 3 } }),
      record({ attributes: { collection: 'alpha', seq: 4 } }),
      record({ attributes: { collection: '', seq: 5 } }),
    ]);
    expect(res.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    expect(filesUnder(dir)).toEqual(['logs/_default/audit.log', 'logs/alpha/audit.log', 'logs/beta/audit.log']);
    const seqs = (c: string) => readWithPython(join(dir, 'logs', c, 'audit.log')).map((r) => r.entry.data.seq);
    expect(seqs('alpha')).toEqual([1, 4]);
    expect(seqs('beta')).toEqual([2]);
    expect(seqs('_default')).toEqual([3, 5]);
  });

  it('msgpack_audit – path traversal in the attribute stays inside the base directory', async () => {
    const base = join(dir, 'base');
    const exporter = new MsgpackAuditExporter({ directory: join(base, 'logs', '{collection}') });
    const evil = [
      '../../etc',
      '..',
      '.',
      '/etc/passwd',
      '..\\..\\windows',
      'a/../../b',
      'nul\0byte',
      '.hidden',
      '~root',
      ' ',
      'x'.repeat(300),
    ];
    const res = await exportRecords(
      exporter,
      evil.map((collection, i) => record({ attributes: { collection, i } })),
    );
    expect(res.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();

    // Nothing outside base/logs, and each value got one plain segment.
    expect(filesUnder(dir).every((f) => f.startsWith('base/logs/') && f.split('/').length === 4)).toBe(true);
    const segments = filesUnder(join(base, 'logs')).map((f) => f.split('/')[0]!);
    for (const s of segments) {
      expect(s).not.toMatch(/\.\.|[/\\\0]|^\./);
      expect(s.length).toBeLessThanOrEqual(100);
    }
    expect(existsSync(join(dir, 'etc'))).toBe(false);
    // Every record arrived, each in exactly one file.
    const all = segments.flatMap((s) =>
      readWithPython(join(base, 'logs', s, 'audit.log')).map((r) => r.entry.data.i as number),
    );
    expect(all.sort((a, b) => a - b)).toEqual(evil.map((_, i) => i));
  });

  it('msgpack_audit – sanitised segments keep safe characters and cut long values with a hash', () => {
    expect(sanitizeSegment('my_collection-2.v1')).toBe('my_collection-2.v1');
    expect(sanitizeSegment('../../etc')).toBe('____etc');
    expect(sanitizeSegment('..')).toBe('_');
    expect(sanitizeSegment('')).toBe('_default');
    const a = sanitizeSegment('y'.repeat(200) + 'a');
    const b = sanitizeSegment('y'.repeat(200) + 'b');
    expect(a).not.toBe(b);
    expect(a.length).toBe(100);
  });

  it('msgpack_audit – with max_open_files 1, interleaved collections across batches keep every file in order', async () => {
    const exporter = new MsgpackAuditExporter({ directory: join(dir, '{collection}'), max_open_files: 1 });
    for (let b = 0; b < 5; b++) {
      const batch = [];
      for (let i = 0; i < 30; i++) batch.push(record({ attributes: { collection: `c${i % 3}`, seq: b * 30 + i } }));
      expect((await exportRecords(exporter, batch)).code).toBe(ExportResultCode.SUCCESS);
    }
    await exporter.shutdown();
    for (let c = 0; c < 3; c++) {
      const seqs = readWithPython(join(dir, `c${c}`, 'audit.log')).map((r) => r.entry.data.seq as number);
      expect(seqs).toEqual(Array.from({ length: 150 }, (_, k) => k).filter((k) => (k % 30) % 3 === c));
    }
  });

  it('msgpack_audit – the path template may use a resource attribute and a custom file name', async () => {
    const exporter = new MsgpackAuditExporter({ directory: join(dir, 'svc-{service.name}'), file_name: 'events.mpk' });
    await exportRecords(exporter, [record({ resourceAttributes: { 'service.name': 'search' }, attributes: { n: 1 } })]);
    await exporter.shutdown();
    expect(filesUnder(dir)).toEqual(['svc-search/events.mpk']);
    expect(statSync(join(dir, 'svc-search', 'events.mpk')).size).toBeGreaterThan(0);
  });

  it('msgpack_audit – the factory validates YAML options with their paths and fills defaults', () => {
    const issues: ConfigIssue[] = [];
    expect(
      msgpackAuditExporterFactory.config.parse(
        { file_name: '../x', directory: './logs/{bad name}/', extra: 1 },
        ['exporters', 'msgpack_audit'],
        issues,
      ),
    ).toBeUndefined();
    const messages = issues.map((i) => `${i.path.join('::')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^exporters::msgpack_audit::extra: unknown key/),
        'exporters::msgpack_audit::file_name: must be a plain file name (no slashes)',
      ]),
    );
    const issues2: ConfigIssue[] = [];
    msgpackAuditExporterFactory.config.parse(
      { directory: './logs/{bad name}/' },
      ['exporters', 'msgpack_audit'],
      issues2,
    );
    expect(issues2.map((i) => i.path.join('::'))).toEqual(['exporters::msgpack_audit::directory']);
    const missing: ConfigIssue[] = [];
    msgpackAuditExporterFactory.config.parse({}, ['exporters', 'msgpack_audit'], missing);
    expect(missing.map((i) => `${i.path.join('::')}: ${i.message}`)).toEqual([
      'exporters::msgpack_audit::directory: is required',
    ]);
    const ok = msgpackAuditExporterFactory.config.parse({ directory: './logs/{collection}/' }, [], []);
    expect(ok).toMatchObject({
      directory: './logs/{collection}/',
      file_name: 'audit.log',
      max_open_files: 64,
      fsync: false,
      timeout: 5000,
    });
  });

  it('msgpack_audit – the factory-built exporter writes records it consumes in a collector pipeline', async () => {
    const cfg = msgpackAuditExporterFactory.config.parse({ directory: join(dir, 'pipeline'), fsync: true }, [], [])!;
    const exporter = msgpackAuditExporterFactory.create(
      { id: 'msgpack_audit', logger: silentLogger, telemetry: new Telemetry() },
      cfg,
    );
    const host = {
      getExtension: () => undefined,
      findExtension: () => undefined,
      tap: new RecordTap(),
      logger: silentLogger,
      telemetry: new Telemetry(),
    };
    await exporter.start(host);
    await exporter.consume([record({ eventName: 'client_event', attributes: { 'session.id': 'z' } })]);
    await exporter.shutdown();
    await exporter.shutdown();
    const rows = readWithPython(join(dir, 'pipeline', 'audit.log'));
    expect(rows.map((r) => r.entry)).toEqual([
      { action: 'client_event', session: 'z', timestamp: 1_705_314_645_123, data: { severity: 'INFO' } },
    ]);
  });

  it('msgpack_audit – start racing a first export opens the file once, and shutdown closes it', async () => {
    const exporter = new MsgpackAuditExporter({ directory: dir });
    const [, res] = await Promise.all([exporter.start(), exportRecords(exporter, [record()])]);
    expect(res.code).toBe(ExportResultCode.SUCCESS);
    expect(openFilesUnder(dir)).toEqual(['audit.log']);
    await exporter.shutdown();
    expect(openFilesUnder(dir)).toEqual([]);
  });

  it('msgpack_audit – max_open_files bounds the handles held across many collections', async () => {
    const exporter = new MsgpackAuditExporter({ directory: join(dir, '{collection}'), max_open_files: 2 });
    for (let c = 0; c < 6; c++) {
      await exportRecords(exporter, [record({ attributes: { collection: `c${c}` } })]);
      expect(openFilesUnder(dir).length).toBeLessThanOrEqual(2);
    }
    expect(openFilesUnder(dir)).toEqual(['c4/audit.log', 'c5/audit.log']);
    await exporter.shutdown();
    expect(openFilesUnder(dir)).toEqual([]);
    expect(filesUnder(dir)).toHaveLength(6);
  });
});
