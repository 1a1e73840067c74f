import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SeverityNumber, type LogAttributes } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Exporter, Host } from '../../../src/component/types.js';
import type { ConfigIssue } from '../../../src/config/schema.js';
import { LogRecordData } from '../../../src/model/log-record.js';
import { RecordTap } from '../../../src/pipeline/tap.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { M, Telemetry } from '../../../src/telemetry/metrics.js';
import { fileExporterFactory } from '../../../exporters/file/factory.js';
import { tempDir } from '../../helpers/collector.js';

const host: Host = {
  getExtension: () => undefined,
  findExtension: () => undefined,
  tap: new RecordTap(),
  logger: silentLogger,
  telemetry: new Telemetry(),
};
const BACKUP = /^audit-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}\.jsonl$/;

let dir: string;
beforeEach(() => {
  dir = tempDir('auditline-file-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function parse(raw: Record<string, unknown>): { cfg?: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const cfg = fileExporterFactory.config.parse(raw, ['exporters', 'file'], issues);
  return { cfg, issues };
}

async function open(
  raw: Record<string, unknown>,
  telemetry = new Telemetry(),
): Promise<Exporter & { telemetry: Telemetry }> {
  const { cfg, issues } = parse({ path: join(dir, 'logs', 'audit.jsonl'), ...raw });
  if (!cfg) throw new Error(issues.map((i) => `${i.path.join('::')}: ${i.message}`).join('\n'));
  const e = fileExporterFactory.create({ id: 'file', logger: silentLogger, telemetry }, cfg);
  await e.start(host);
  return Object.assign(e, { telemetry });
}

function seq(n: number, from = 0): LogRecordData[] {
  const res = resourceFromAttributes({ 'service.name': 'interview' });
  return Array.from({ length: n }, (_, i) => {
    const r = new LogRecordData(res, { name: 'session_manager' });
    r.hrTime = [1_705_314_645 + from + i, 123_000_000];
    r.severityNumber = SeverityNumber.INFO;
    r.body = `Record ${from + i}`;
    r.attributes = { seq: from + i };
    return r;
  });
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const logDir = () => join(dir, 'logs');
const backups = () =>
  readdirSync(logDir())
    .filter((n) => n !== 'audit.jsonl' && n !== 'audit.jsonl.state')
    .sort();

describe('file exporter – JSON lines', () => {
  it("writes one object per record with the seed's fields, metadata for the rest, and no content keys", async () => {
    const e = await open({});
    const r = new LogRecordData(resourceFromAttributes({ 'service.name': 'interview' }), { name: 'app' });
    r.hrTime = [1_705_314_645, 123_000_000];
    r.severityNumber = SeverityNumber.INFO;
    r.body = 'Session created successfully';
    r.attributes = {
      component: 'session_manager',
      operation: 'create_session',
      'session.id': 'abc123',
      enabled_modes: ['text', 'whiteboard'],
      ai_provider: 'openai',
      prompt: 'secret question',
      options: { response: 'secret answer', depth: 2 },
    } satisfies LogAttributes;
    r.spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    const err = new LogRecordData(resourceFromAttributes({}), { name: 'billing' });
    err.hrTime = [1_705_314_646, 0];
    err.severityNumber = SeverityNumber.ERROR;
    err.body = { error: 'card declined', completion: 'secret' };
    err.attributes = { 'user.id': 'u-7', 'event.name': 'payment_failed' };
    await e.consume([r, err]);
    await e.shutdown();

    const raw = readFileSync(join(logDir(), 'audit.jsonl'), 'utf8');
    expect(raw).not.toMatch(/secret/);
    const [a, b] = lines(join(logDir(), 'audit.jsonl'));
    expect(a).toEqual({
      timestamp: '2024-01-15T10:30:45.123Z',
      level: 'INFO',
      component: 'session_manager',
      operation: 'create_session',
      message: 'Session created successfully',
      session_id: 'abc123',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
      service: 'interview',
      metadata: { enabled_modes: ['text', 'whiteboard'], ai_provider: 'openai', options: { depth: 2 } },
    });
    // Without a component attribute, the instrumentation scope names the component.
    expect(b).toEqual({
      timestamp: '2024-01-15T10:30:46.000Z',
      level: 'ERROR',
      component: 'billing',
      body: { error: 'card declined' },
      user_id: 'u-7',
      event: 'payment_failed',
    });
    expect(Object.keys(a!).slice(0, 6)).toEqual([
      'timestamp',
      'level',
      'component',
      'operation',
      'message',
      'session_id',
    ]);
  });

  it("produces lines that Python's json module reads and filters by level, as the seed does with jq", async () => {
    const e = await open({});
    const batch = seq(5);
    batch[3]!.severityNumber = SeverityNumber.ERROR;
    await e.consume(batch);
    await e.shutdown();
    const out = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        [
          'import json, sys',
          'rows = [json.loads(l) for l in open(sys.argv[1])]',
          'print(len(rows), [r["message"] for r in rows if r["level"] == "ERROR"])',
        ].join('\n'),
        join(logDir(), 'audit.jsonl'),
      ],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe("5 ['Record 3']");
  });

  it('appends to an existing file across restarts, and truncates it only with append: false', async () => {
    const first = await open({});
    await first.consume(seq(2));
    await first.shutdown();
    const second = await open({});
    await second.consume(seq(2, 2));
    await second.shutdown();
    expect(lines(join(logDir(), 'audit.jsonl')).map((l) => l.metadata)).toEqual([
      { seq: 0 },
      { seq: 1 },
      { seq: 2 },
      { seq: 3 },
    ]);
    const third = await open({ append: false });
    await third.consume(seq(1, 9));
    await third.shutdown();
    expect(lines(join(logDir(), 'audit.jsonl')).map((l) => l.metadata)).toEqual([{ seq: 9 }]);
  });
});

describe('file exporter – size rotation', () => {
  it('rotates before a file would pass max_bytes, naming backups like the Collector, losing no line', async () => {
    const e = await open({ rotation: { max_bytes: 1000, max_backups: 0 } });
    for (let b = 0; b < 10; b++) await e.consume(seq(5, b * 5));
    await e.shutdown();
    const names = backups();
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const n of names) {
      expect(n).toMatch(BACKUP);
      expect(statSync(join(logDir(), n)).size).toBeLessThanOrEqual(1000);
    }
    expect(statSync(join(logDir(), 'audit.jsonl')).size).toBeLessThanOrEqual(1000);
    // Oldest backup first, current file last: every record exactly once, in order.
    const all = [...names, 'audit.jsonl'].flatMap((n) =>
      lines(join(logDir(), n)).map((l) => (l.metadata as { seq: number }).seq),
    );
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('keeps only the newest max_backups backups', async () => {
    const e = await open({ rotation: { max_bytes: '600', max_backups: 2 } });
    for (let b = 0; b < 12; b++) await e.consume(seq(3, b * 3));
    await e.shutdown();
    const names = backups();
    expect(names).toHaveLength(2);
    const kept = [...names, 'audit.jsonl'].flatMap((n) =>
      lines(join(logDir(), n)).map((l) => (l.metadata as { seq: number }).seq),
    );
    // What survives is the tail of the sequence, contiguous and ending with the last record.
    expect(kept.at(-1)).toBe(35);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 36 - kept.length + i));
  });

  it('keeps the newest lines when many rotations fall in one millisecond (a pruned stamp is never reused)', async () => {
    // Freeze the clock: every rotation happens "at once", the worst case for millisecond stamps.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-02T03:04:05.678Z') });
    try {
      const e = await open({ rotation: { max_bytes: '600', max_backups: 2 } });
      for (let b = 0; b < 12; b++) await e.consume(seq(3, b * 3));
      await e.shutdown();
      const kept = [...backups(), 'audit.jsonl'].flatMap((n) =>
        lines(join(logDir(), n)).map((l) => (l.metadata as { seq: number }).seq),
      );
      expect(kept.at(-1)).toBe(35);
      expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 36 - kept.length + i));
    } finally {
      vi.useRealTimers();
    }
  });

  it('deletes backups older than max_days when it rotates', async () => {
    mkdirSync(logDir(), { recursive: true });
    writeFileSync(join(logDir(), 'audit-2001-01-01T00-00-00.000.jsonl'), '{}\n');
    writeFileSync(join(logDir(), 'unrelated-2001-01-01T00-00-00.000.jsonl'), '{}\n');
    const e = await open({ rotation: { max_bytes: 300, max_days: 30, max_backups: 0 } });
    await e.consume(seq(6));
    await e.shutdown();
    const names = readdirSync(logDir());
    expect(names).not.toContain('audit-2001-01-01T00-00-00.000.jsonl');
    expect(names).toContain('unrelated-2001-01-01T00-00-00.000.jsonl');
    expect(names.filter((n) => BACKUP.test(n)).length).toBeGreaterThanOrEqual(1);
  });

  it('counts the size of an existing file towards the limit', async () => {
    mkdirSync(logDir(), { recursive: true });
    writeFileSync(join(logDir(), 'audit.jsonl'), `${'x'.repeat(900)}\n`);
    const e = await open({ rotation: { max_bytes: 1000 } });
    await e.consume(seq(1));
    await e.shutdown();
    expect(backups()).toHaveLength(1);
    expect(lines(join(logDir(), 'audit.jsonl'))).toHaveLength(1);
  });

  it('counts every written record as sent', async () => {
    const e = await open({ rotation: { max_bytes: 500 } });
    await e.consume(seq(4));
    await e.shutdown();
    expect(e.telemetry.total(M.exporterSent)).toBe(4);
  });
});

describe('file exporter – config', () => {
  it("defaults to the seed's rotation: 10 MiB per file, 5 backups", () => {
    const { cfg } = parse({ path: 'logs/app.jsonl' }) as {
      cfg: { rotation: unknown; format: string; append: boolean };
    };
    expect(cfg.rotation).toMatchObject({ max_megabytes: 10, max_backups: 5, max_days: 0, localtime: false });
    expect(cfg.format).toBe('json');
    expect(cfg.append).toBe(true);
  });

  it('requires a path and refuses what it cannot do, naming the key', () => {
    const msgs = (raw: Record<string, unknown>) => parse(raw).issues.map((i) => `${i.path.join('::')}: ${i.message}`);
    expect(msgs({})).toEqual(['exporters::file::path: is required']);
    expect(
      msgs({
        path: 'x',
        format: 'proto',
        compression: 'zstd',
        group_by: { enabled: true, resource_attribute: 'fileexporter.path_segment' },
      }),
    ).toEqual([
      'exporters::file::format: proto is not supported; the file exporter writes JSON lines (format: json)',
      'exporters::file::compression: "zstd" is not supported; files are written uncompressed',
      'exporters::file::group_by: grouping into several files by resource attribute is not supported',
    ]);
    expect(msgs({ path: 'x', rotation: { max_megabytes: -1 } })).toEqual([
      'exporters::file::rotation::max_megabytes: must be a non-negative integer',
    ]);
  });

  it('shuts down without being started, twice', async () => {
    const { cfg } = parse({ path: join(dir, 'never.jsonl') });
    const e = fileExporterFactory.create(
      { id: 'file', logger: silentLogger, telemetry: new Telemetry() },
      cfg as never,
    );
    await e.shutdown();
    await e.shutdown();
  });
});
