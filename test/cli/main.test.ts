import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, ROOT } from '../helpers/collector.js';

const dir = tempDir('auditline-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auditline command', () => {
  it('validate accepts the default collector.yaml', async () => {
    const r = await runCli(['validate', '--config', join(ROOT, 'collector.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid \(1 pipeline: logs\)/);
  });

  it('validate and run refuse a bad config with exit status 1, naming every problem with its path and line', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `receivers:
  otlp: {}
exporters:
  sqlite/jobs:
    path: ./x.db
    retention_days: { audit_logs: -3 }
service:
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [sqlite/jobs, nowhere]
`,
    );
    for (const args of [
      ['validate', '--config', file],
      ['--config', file],
    ]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'exporters::sqlite/jobs::retention_days::audit_logs: must be a positive integer (line 6)',
      );
      expect(r.stderr).toContain(
        'service::pipelines::logs::exporters::1: references exporter "nowhere" which is not configured (line 11)',
      );
    }
  });

  it('components lists every component type with its kind', async () => {
    const r = await runCli(['components']);
    expect(r.code).toBe(0);
    for (const [kind, type] of [
      ['receiver', 'otlp'],
      ['processor', 'redaction'],
      ['processor', 'batch'],
      ['exporter', 'msgpack_audit'],
      ['exporter', 'sqlite'],
      ['exporter', 'redis'],
      ['exporter', 'console'],
      ['extension', 'query_api'],
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${kind}\\s+${type}\\b`, 'm'));
    }
  });

  it('an unknown command exits 2 with usage', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
  });
});
