// Every fixture in test/config/collector/ is a config in the OpenTelemetry
// Collector's own shapes (written here after its READMEs and testdata). Each
// must load, with exactly the warnings its `# warning:` header lines name, in order.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/components.js';
import { ConfigError, loadConfigText } from '../../src/config/load.js';
import { formatIssue } from '../../src/config/schema.js';
import { runCli, startCollector } from '../helpers/collector.js';

const DIR = join(import.meta.dirname, 'collector');
const FIXTURES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const ENV = { HOME: '/tmp', COLLECTOR_TOKEN: 'fixture-token' };

function expectedWarnings(text: string): string[] {
  return [...text.matchAll(/^# warning: (.*)$/gm)].map((m) => m[1]!);
}

describe('config – Collector configs load, naming what they ignore', () => {
  it('has fixtures', () => expect(FIXTURES.length).toBeGreaterThan(0));

  it.each(FIXTURES)('%s loads with exactly its warnings', (name) => {
    const text = readFileSync(join(DIR, name), 'utf8');
    let cfg;
    try {
      cfg = loadConfigText(text, defaultRegistry(), ENV, name);
    } catch (err) {
      if (err instanceof ConfigError) expect.fail(err.message);
      throw err;
    }
    expect(cfg.warnings.map(formatIssue)).toEqual(expectedWarnings(text));
  });
});

describe('config – ignored options through the CLI', () => {
  const file = join(DIR, 'filter-with-traces-and-metrics.yaml');
  const warnings = expectedWarnings(readFileSync(file, 'utf8'));

  it('validate prints each warning once on stderr and still says valid', async () => {
    const r = await runCli(['validate', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toEqual(warnings.map((w) => `warning: ${w}`));
    expect(r.stdout).toContain('valid (1 pipeline: logs)');
  });

  it('a gateway config with traces and metrics pipelines runs its logs pipeline', async () => {
    const text = readFileSync(join(DIR, 'whole-gateway-all-signals.yaml'), 'utf8')
      .replaceAll(/0\.0\.0\.0:431[78]/g, '127.0.0.1:0')
      .replace('  health_check:\n', '  health_check: { endpoint: "127.0.0.1:0" }\n')
      .replace('port: 8888', 'port: 0');
    const c = await startCollector(text);
    try {
      const lines = c.output().split('\n');
      for (const w of expectedWarnings(text)) expect(lines.filter((l) => l.endsWith(w))).toHaveLength(1);
      expect(c.output()).toMatch(/Auditline is running\..*pipelines=logs\b/);
    } finally {
      await c.cleanup();
    }
  }, 60_000);

  it('the running collector logs each warning once at start', async () => {
    const text = readFileSync(file, 'utf8').replace('localhost:4318', '127.0.0.1:0');
    const c = await startCollector(text);
    try {
      for (const w of warnings) {
        expect(
          c
            .output()
            .split('\n')
            .filter((l) => l.includes('[WARNING]') && l.endsWith(w)),
        ).toHaveLength(1);
      }
    } finally {
      await c.cleanup();
    }
  }, 60_000);
});
