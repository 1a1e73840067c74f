// Resuming a durable delivery log whose exporters stopped at different
// positions (issue #10): the service in-process, with the real msgpack_audit
// and sqlite exporters over a log a previous run left on disk.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMulti } from '@msgpack/msgpack';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/components.js';
import { loadConfigText } from '../../src/config/load.js';
import { DeliveryLog, MemoryBudget } from '../../src/delivery/delivery-log.js';
import { SegmentStore } from '../../src/delivery/segment-store.js';
import { Service } from '../../src/pipeline/service.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { requestAuditRecords } from '../../bench/fixtures.js';
import { tempDir } from '../helpers/collector.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('resuming a durable delivery log', () => {
  it('an exporter listed after one that is further ahead still gets every record from its own position', async () => {
    const dir = tempDir('auditline-resume-');
    dirs.push(dir);
    // What a killed run leaves: three requests on disk; msgpack_audit had taken all 30 records, sqlite none.
    const previous = new DeliveryLog(
      'logs',
      new MemoryBudget(1 << 30),
      new SegmentStore(join(dir, 'state', 'delivery', 'logs'), false),
    );
    previous.open(0);
    previous.addCursor('msgpack_audit', 0);
    previous.addCursor('sqlite', 0);
    for (let i = 0; i < 3; i++) previous.append(requestAuditRecords(i * 10, 10), 1000);
    previous.commit('msgpack_audit', 30);
    previous.commit('sqlite', 0);
    previous.dispose();

    const cfg = loadConfigText(
      `
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:0" } } }
exporters:
  msgpack_audit: { directory: "${dir}/audit" }
  sqlite: { path: "${dir}/audit.db" }
extensions:
  file_storage: { directory: "${dir}/state", fsync: false }
service:
  extensions: [file_storage]
  delivery: { storage: file_storage }
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [msgpack_audit, sqlite]
`,
      defaultRegistry(),
      {},
    );
    const svc = new Service(cfg, { logger: silentLogger });
    await svc.start();
    await svc.shutdown(); // drains what the log holds

    const db = new Database(join(dir, 'audit.db'), { readonly: true });
    const rows = db
      .prepare('SELECT (SELECT count(*) FROM audit_logs) + (SELECT count(*) FROM job_logs) AS n')
      .get() as { n: number };
    db.close();
    expect(rows.n).toBe(30);
    // msgpack_audit already had them: nothing is written twice.
    const audit = join(dir, 'audit', 'audit.log');
    expect(existsSync(audit) ? [...decodeMulti(readFileSync(audit))] : []).toHaveLength(0);
  });
});
