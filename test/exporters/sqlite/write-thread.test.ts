// The SQLite write thread is a compiled module (exporters/sqlite/write-worker.ts), started from its
// file: from dist/ beside writer.js, and under the test runner (TypeScript sources) from dist/ too.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { writeWorkerFile } from '../../../exporters/sqlite/writer.js';
import { tempDir } from './fixtures.js';

const ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

describe('sqlite write thread – a compiled module', () => {
  let t: ReturnType<typeof tempDir> | undefined;
  afterEach(() => t?.cleanup());

  it('runs from the compiled file beside writer.js, and from dist/ when the exporter runs from sources', () => {
    const fromDist = pathToFileURL(join(ROOT, 'dist/exporters/sqlite/writer.js')).href;
    expect(fileURLToPath(writeWorkerFile(fromDist))).toBe(join(ROOT, 'dist/exporters/sqlite/write-worker.js'));
    const underTests = writeWorkerFile();
    expect(fileURLToPath(underTests)).toBe(join(ROOT, 'dist/exporters/sqlite/write-worker.js'));
    expect(existsSync(underTests)).toBe(true);
  });

  it('writes from a copy of dist/ alone, as in a packed install (no TypeScript sources beside it)', () => {
    t = tempDir();
    const app = join(t.dir, 'app');
    const pkg = join(app, 'node_modules', 'auditline');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), {
      recursive: true,
      filter: (src) => !src.startsWith(join(ROOT, 'dist', 'test')),
    });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'auditline', type: 'module' }));
    // Its dependencies resolve from a node_modules further up, as npm may hoist them.
    symlinkSync(join(ROOT, 'node_modules'), join(t.dir, 'node_modules'));
    const db = join(t.dir, 'data', 'auditline.db');
    const script = `
      const { SqliteExporter } = await import('auditline/dist/exporters/sqlite/exporter.js');
      const { LogRecordData } = await import('auditline/dist/src/model/log-record.js');
      const { resourceFromAttributes } = await import('@opentelemetry/resources');
      const r = new LogRecordData(resourceFromAttributes({}), { name: 't' });
      r.hrTime = [1800000000, 0]; r.hrTimeObserved = r.hrTime; r.severityNumber = 9; r.body = 'from a packed install';
      r.attributes = { 'session.id': 's1' };
      const e = new SqliteExporter({ path: ${JSON.stringify(db)} });
      const res = await new Promise((done) => e.export([r], done));
      await e.shutdown();
      if (res.code !== 0) throw res.error;
    `;
    writeFileSync(join(app, 'write.mjs'), script);
    execFileSync(process.execPath, ['write.mjs'], { cwd: app, stdio: 'pipe' });
    const read = new Database(db, { readonly: true });
    try {
      expect(read.prepare('SELECT message, session_id FROM audit_logs').all()).toEqual([
        { message: 'from a packed install', session_id: 's1' },
      ]);
    } finally {
      read.close();
    }
  });
});
