// First steps with a config file (issue #15): an unquoted `{collection}` in a
// YAML flow map is one error with the fix, not a cascade of 23; a missing file
// is named by its absolute path.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/components.js';
import { ConfigError, loadConfigFile, loadConfigText } from '../../src/config/load.js';
import { formatIssue } from '../../src/config/schema.js';
import { runCli, tempDir } from '../helpers/collector.js';

const dir = tempDir('auditline-first-steps-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLOW_MAP = `receivers:
  otlp:
    protocols:
      http: { endpoint: localhost:4318 }
exporters:
  msgpack_audit: { directory: ./logs/{collection}/ }
service:
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [msgpack_audit]
`;

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('config – first steps', () => {
  it('an unquoted {collection} in a flow map is one syntax error with a hint to quote it', () => {
    const err = refusal(() => loadConfigText(FLOW_MAP, defaultRegistry(), {}));
    expect(err.issues.map(formatIssue)).toEqual([
      'YAML syntax error at column 38: Unexpected flow-map-start at node end; ' +
        'quote the value: "./logs/{collection}/" (inside { … } braces open and close maps) (line 6)',
    ]);
    // The quoted value loads.
    const cfg = loadConfigText(
      FLOW_MAP.replace('./logs/{collection}/', '"./logs/{collection}/"'),
      defaultRegistry(),
      {},
    );
    expect(cfg.exporters.has('msgpack_audit')).toBe(true);
  });

  it('other syntax errors in a flow collection: the first only, with a general hint', () => {
    const err = refusal(() =>
      loadConfigText('receivers:\n  otlp: {protocols: {http: {endpoint: [a, }}}\nservice: {}\n', defaultRegistry(), {}),
    );
    expect(err.issues).toHaveLength(1);
    expect(formatIssue(err.issues[0]!)).toMatch(
      /^YAML syntax error at column \d+: .*; inside \{ … \} or \[ … \], quote values that contain/,
    );
  });

  it('validate prints that one line', async () => {
    const file = join(dir, 'flow.yaml');
    writeFileSync(file, FLOW_MAP);
    const r = await runCli(['validate', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `Invalid configuration in ${file}: YAML syntax error at column 38: Unexpected flow-map-start at node end; ` +
        'quote the value: "./logs/{collection}/" (inside { … } braces open and close maps) (line 6)',
    ]);
  });

  it('a missing config file is named by its absolute path', async () => {
    const err = refusal(() => loadConfigFile(join(dir, 'missing.yaml'), defaultRegistry(), {}));
    expect(err.issues.map(formatIssue)).toEqual([
      `cannot read config file ${join(dir, 'missing.yaml')}: no such file (ENOENT)`,
    ]);
    for (const args of [
      ['validate', '--config', 'missing.yaml'],
      ['--config', 'missing.yaml'],
    ]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr.trimEnd()).toBe(
        'Invalid configuration in missing.yaml: ' +
          `cannot read config file ${join(dir, 'missing.yaml')}: no such file (ENOENT)`,
      );
    }
  }, 30_000);
});
