// Config robustness (issue #11 item 4): messages never show what a `${env:…}`
// reference expanded to, hostile YAML is refused with one line, validation is
// linear in the number of keys, and control characters are escaped.
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/components.js';
import { ConfigError, loadConfigText } from '../../src/config/load.js';
import { formatIssue } from '../../src/config/schema.js';

const registry = defaultRegistry();
const TOKEN = 's3cr3t-(tok"en\\';
const ENV = { AUDITLINE_TOKEN: TOKEN };

function refusal(yaml: string, env: NodeJS.ProcessEnv = ENV): ConfigError {
  try {
    loadConfigText(yaml, registry, env, 'collector.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected the config to be refused');
}

const PIPELINE = `service:
  pipelines:
    logs: { receivers: [otlp], exporters: [file] }
`;
const BASE = `receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:0" }
exporters:
  file:
    path: ./out.jsonl
`;

describe('config – secrets from the environment stay out of messages', () => {
  it('shows the reference, not the value, in compression, regular expression and OTTL errors', () => {
    const err = refusal(`receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:0" }
processors:
  redaction:
    blocked_values: ["\${env:AUDITLINE_TOKEN}"]
  filter:
    logs:
      log_record: ['attributes["x"] == "\${env:AUDITLINE_TOKEN}" and ((']
exporters:
  otlp_http:
    endpoint: http://127.0.0.1:1
    compression: \${env:AUDITLINE_TOKEN}
  file:
    path: ./out.jsonl
    compression: "x-\${AUDITLINE_TOKEN}"
service:
  pipelines:
    logs: { receivers: [otlp], processors: [redaction, filter], exporters: [otlp_http, file] }
`);
    const shown = [err.message, ...err.issues.map(formatIssue), JSON.stringify(err.issues)].join('\n');
    for (const part of [TOKEN, 's3cr3t', JSON.stringify(TOKEN).slice(1, -1)]) expect(shown).not.toContain(part);
    const lines = err.issues.map(formatIssue);
    expect(lines.find((l) => l.startsWith('exporters::otlp_http::compression:'))).toContain(
      '"${env:AUDITLINE_TOKEN}" is not supported',
    );
    expect(lines.find((l) => l.startsWith('exporters::file::compression:'))).toContain(
      '"x-${AUDITLINE_TOKEN}" is not supported',
    );
    expect(lines.find((l) => l.startsWith('processors::filter::logs::log_record::0:'))).toContain(
      '${env:AUDITLINE_TOKEN}',
    );
    expect(lines.some((l) => l.startsWith('processors::redaction::blocked_values::0:'))).toBe(true);
  });
});

describe('config – hostile YAML is refused with one line', () => {
  it('refuses an alias bomb (instead of an uncaught ReferenceError)', () => {
    let bomb = 'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]\n';
    for (let i = 1; i < 10; i++)
      bomb += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(',')}]\n`;
    const err = refusal(bomb);
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.message).toMatch(/^Invalid configuration in collector\.yaml: YAML aliases expand too far.*alias bomb/);
  });

  it('refuses more anchors and aliases than any config needs, before resolving them (their cost is quadratic)', () => {
    let yaml = 'x:\n';
    for (let i = 0; i < 5000; i++) yaml += `  - &a${i} v\n  - *a${i}\n`;
    const err = refusal(yaml);
    expect(err.message).toBe(
      'Invalid configuration in collector.yaml: the configuration uses more than 1000 YAML anchors and aliases',
    );
  });

  it('refuses nesting deeper than 64 levels, also a cycle built from an alias', () => {
    expect(refusal(`a: ${'['.repeat(100)}${']'.repeat(100)}\n`).message).toMatch(
      /^Invalid configuration in collector\.yaml: the configuration is nested more than 64 levels deep$/,
    );
    // An alias inside its own anchor: a cycle once resolved.
    const err = refusal('a: &a [x, *a]\n');
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.message).toMatch(/nested more than 64 levels deep$/);
  });

  it('reports a repeated key with its line', () => {
    const err = refusal(`${BASE}    path: ./again.jsonl\n${PIPELINE}`);
    expect(err.issues.map(formatIssue)).toEqual([
      'exporters::file::path: YAML syntax error: this key is repeated (map keys must be unique) (line 8)',
    ]);
  });
});

describe('config – validation time is linear in the number of keys', () => {
  const withUnknownKeys = (n: number) => {
    let yaml = BASE;
    for (let i = 0; i < n; i++) yaml += `    k${i}: 1\n`;
    for (let i = 0; i < n; i++) yaml += `t${i}: 1\n`;
    return yaml + PIPELINE;
  };
  const time = (yaml: string) => {
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const err = refusal(yaml, {});
      best = Math.min(best, performance.now() - t0);
      expect(err.issues.length).toBeGreaterThan(0);
    }
    return best;
  };

  it('takes well under 30× as long for 8× the unknown keys (2k vs 16k, each at two levels)', () => {
    const small = withUnknownKeys(2000);
    const large = withUnknownKeys(16_000);
    time(small); // warm up
    const ratio = time(large) / time(small);
    expect(refusal(large, {}).issues).toHaveLength(32_000);
    expect(ratio).toBeLessThan(30);
  }, 120_000);
});

describe('config – control characters are escaped in every message', () => {
  it('escapes terminal escapes and direction overrides in keys, echoed values and YAML errors', () => {
    const err = refusal(
      `${BASE}    compression: "\\e[2J\\e]0;pwned\\a"\nextensions:\n  "bad\\e[31mkey\\u202e": {}\n${PIPELINE}`,
    );
    const shown = [err.message, ...err.issues.map(formatIssue)].join('\n');
    expect(shown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(shown).toContain('\\x1b[2J\\x1b]0;pwned\\x07');
    expect(shown).toContain('extensions::bad\\x1b[31mkey\\u202e: component id must be');
  });

  it('escapes them in the file name', () => {
    try {
      loadConfigText('receivers: [', registry, {}, 'evil\u001b[2J.yaml');
      throw new Error('expected a refusal');
    } catch (err) {
      expect((err as Error).message).toMatch(/^Invalid configuration in evil\\x1b\[2J\.yaml: YAML syntax error/);
    }
  });
});
