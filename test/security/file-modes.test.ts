// Files holding audit data are created owner-only (0600, directories 0700)
// unless `file_mode` / `dir_mode` say otherwise: msgpack_audit files, the
// sqlite database with its -wal and -shm, the file exporter's file, the
// persistent queue and the durable delivery log. Expected modes are masked by
// the process umask, which can only remove bits.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileExporterFactory } from '../../exporters/file/factory.js';
import { FileLogExporter } from '../../exporters/file/file-exporter.js';
import { msgpackAuditExporterFactory } from '../../exporters/msgpack-audit/factory.js';
import { MsgpackAuditExporter } from '../../exporters/msgpack-audit/msgpack-audit-exporter.js';
import { SqliteExporter } from '../../exporters/sqlite/exporter.js';
import { formatIssue, type ConfigIssue } from '../../src/config/schema.js';
import { fileStorageExtensionFactory } from '../../src/extensions/file-storage/factory.js';
import type { FileStorage } from '../../src/extensions/file-storage/factory.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { Telemetry } from '../../src/telemetry/metrics.js';
import { exportRecords, record } from '../exporters/msgpack-audit/records.js';
import { startCollector, tempDir } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';

// Reading the umask without setting it (setting is refused in workers).
const UMASK = process.umask();
const expected = (mode: number) => mode & ~UMASK;
const modeOf = (p: string) => statSync(p).mode & 0o777;

/** Every file and directory below `root` (root excluded) with its mode, as `relative path → mode`. */
function modesUnder(root: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out[relative(root, p) + (e.isDirectory() ? '/' : '')] = modeOf(p);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

function parse<T>(
  factory: { config: { parse(v: unknown, p: (string | number)[], is: ConfigIssue[]): T | undefined } },
  raw: unknown,
): { cfg?: T; errors: string[] } {
  const issues: ConfigIssue[] = [];
  const cfg = factory.config.parse(raw, ['exporters', 'x'], issues);
  return { cfg, errors: issues.map(formatIssue) };
}

let dir: string;
beforeEach(() => {
  dir = tempDir('auditline-modes-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('file modes – owner only by default', () => {
  it('msgpack_audit – audit files and the state file are 0600, collection directories 0700', async () => {
    const e = new MsgpackAuditExporter({ directory: join(dir, 'logs', '{collection}') });
    await e.start();
    expect((await exportRecords(e, [record({ attributes: { collection: 'a' } }), record({})])).code).toBe(0);
    await e.shutdown();
    const modes = modesUnder(dir);
    for (const [p, m] of Object.entries(modes)) expect(m, p).toBe(expected(p.endsWith('/') ? 0o700 : 0o600));
    expect(Object.keys(modes).sort()).toEqual([
      'logs/',
      'logs/.audit.log.state',
      'logs/_default/',
      'logs/_default/audit.log',
      'logs/a/',
      'logs/a/audit.log',
    ]);
  });

  it('sqlite – the database, its -wal and -shm files are 0600 and its directory 0700', async () => {
    const path = join(dir, 'data', 'auditline.db');
    const e = new SqliteExporter({ path });
    await e.start();
    expect((await exportRecords(e, [record({ body: 'stored' })])).code).toBe(0);
    // While the writer is open the WAL and shared-memory files exist.
    const modes = modesUnder(dir);
    await e.shutdown();
    expect(Object.keys(modes)).toEqual(
      expect.arrayContaining(['data/', 'data/auditline.db', 'data/auditline.db-wal', 'data/auditline.db-shm']),
    );
    for (const [p, m] of Object.entries(modes)) expect(m, p).toBe(expected(p.endsWith('/') ? 0o700 : 0o600));
  });

  it('file – the JSON lines file and its state are 0600, the directory 0700', async () => {
    const { cfg } = parse(fileExporterFactory, { path: join(dir, 'out', 'logs.jsonl') });
    const e = new FileLogExporter(cfg as never);
    await e.start();
    await new Promise<void>((r) => e.export([record({ body: 'x' })], () => r()));
    await e.shutdown();
    const modes = modesUnder(dir);
    for (const [p, m] of Object.entries(modes)) expect(m, p).toBe(expected(p.endsWith('/') ? 0o700 : 0o600));
    expect(Object.keys(modes).sort()).toEqual(['out/', 'out/logs.jsonl', 'out/logs.jsonl.state']);
  });

  it('file_storage – queue files are 0600 and queue directories 0700', () => {
    const cfg = fileStorageExtensionFactory.config.parse({ directory: join(dir, 'queue') }, [], [])!;
    const storage = fileStorageExtensionFactory.create(
      { id: 'file_storage', logger: silentLogger, telemetry: new Telemetry() },
      cfg,
    ) as FileStorage;
    storage.queueStore('otlp_http/gateway').append([record({ body: 'queued' })]);
    const modes = modesUnder(dir);
    expect(Object.keys(modes).length).toBe(3);
    for (const [p, m] of Object.entries(modes)) expect(m, p).toBe(expected(p.endsWith('/') ? 0o700 : 0o600));
  });
});

describe('file modes – file_mode and dir_mode', () => {
  it('msgpack_audit, sqlite and file take other modes from file_mode and dir_mode', async () => {
    const m = new MsgpackAuditExporter({
      directory: join(dir, 'audit', '{collection}'),
      file_mode: '0640',
      dir_mode: '0750',
    });
    await m.start();
    await exportRecords(m, [record({ attributes: { collection: 'a' } })]);
    await m.shutdown();
    const s = new SqliteExporter({ path: join(dir, 'db', 'a.db'), file_mode: '0640', dir_mode: '0750' });
    await s.start();
    await exportRecords(s, [record({ body: 'x' })]);
    const dbModes = modesUnder(join(dir, 'db'));
    await s.shutdown();
    const f = new FileLogExporter(
      parse(fileExporterFactory, { path: join(dir, 'jsonl', 'a.jsonl'), file_mode: '640', dir_mode: '0750' })
        .cfg as never,
    );
    await f.start();
    await f.shutdown();
    expect(dbModes).toEqual({ 'a.db': expected(0o640), 'a.db-wal': expected(0o640), 'a.db-shm': expected(0o640) });
    const modes = modesUnder(dir);
    for (const p of ['audit/', 'audit/a/', 'db/', 'jsonl/']) expect(modes[p], p).toBe(expected(0o750));
    for (const p of ['audit/a/audit.log', 'audit/.audit.log.state', 'jsonl/a.jsonl', 'jsonl/a.jsonl.state'])
      expect(modes[p], p).toBe(expected(0o640));
  });

  it('refuses numbers (YAML reads 0640 as decimal 640) and modes that are not three octal digits', () => {
    expect(parse(msgpackAuditExporterFactory, { directory: dir, file_mode: 640, dir_mode: '0750' }).errors).toEqual([
      'exporters::x::file_mode: must be a quoted octal string such as "0640" (YAML reads an unquoted 0640 as the decimal number 640)',
    ]);
    for (const bad of ['0800', '4755', 'rw-r-----', '']) {
      expect(parse(fileExporterFactory, { path: 'x.jsonl', dir_mode: bad }).errors, bad).toEqual([
        'exporters::x::dir_mode: must be an octal mode such as "0600" or "0640" (owner, group, others; no setuid, setgid or sticky bits)',
      ]);
    }
    expect(fileStorageExtensionFactory.config.parse({ file_mode: '640' }, [], [])).toMatchObject({
      file_mode: '0640',
      dir_mode: '0700',
    });
  });
});

describe('file modes – the collector', () => {
  it('creates nothing readable by group or others: audit files, sqlite, the file exporter and the durable delivery log', async () => {
    const port = await freePort();
    const c = await startCollector(
      `
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${port}" } } }
exporters:
  msgpack_audit: { directory: "{{dir}}/out/logs/{collection}/" }
  sqlite: { path: "{{dir}}/out/data/auditline.db" }
  file: { path: "{{dir}}/out/jsonl/logs.jsonl" }
extensions:
  file_storage: { directory: "{{dir}}/out/queue" }
service:
  extensions: [file_storage]
  delivery: { storage: file_storage }
  pipelines:
    logs: { receivers: [otlp], exporters: [msgpack_audit, sqlite, file] }
`,
      { dir },
    );
    try {
      const body = {
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: '1705314645123000000',
                    body: { stringValue: 'one' },
                    attributes: [{ key: 'collection', value: { stringValue: 'jobs' } }],
                  },
                ],
              },
            ],
          },
        ],
      };
      const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      const root = join(dir, 'out');
      const wanted = ['logs/jobs/audit.log', 'data/auditline.db', 'data/auditline.db-wal', 'jsonl/logs.jsonl'];
      for (let i = 0; i < 200 && !wanted.every((p) => p in modesUnder(root)); i++)
        await new Promise((r) => setTimeout(r, 50));
      const modes = modesUnder(root);
      expect(Object.keys(modes)).toEqual(expect.arrayContaining([...wanted, 'queue/delivery/']));
      expect(Object.keys(modes).some((p) => p.startsWith('queue/delivery/') && p.endsWith('.seg'))).toBe(true);
      for (const [p, m] of Object.entries(modes)) expect(m, p).toBe(expected(p.endsWith('/') ? 0o700 : 0o600));
    } finally {
      await c.cleanup();
    }
  });
});
