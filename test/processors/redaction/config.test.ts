import { describe, expect, it } from 'vitest';
import { Registry } from '../../../src/component/registry.js';
import { factories } from '../../../src/components.js';
import { ConfigError, loadConfigText } from '../../../src/config/load.js';
import { formatIssue, obj } from '../../../src/config/schema.js';
import type { ExporterFactory } from '../../../src/component/types.js';
import { redactionProcessorFactory } from '../../../processors/redaction/factory.js';
import { parseRedactionOptions } from '../../../processors/redaction/redaction-processor.js';
import { HMAC_KEY, config, configIssues } from './helpers.js';

// A do-nothing exporter so a pipeline is complete whatever exporters are registered.
const sink: ExporterFactory = {
  kind: 'exporter',
  type: 'redaction_test_sink',
  description: 'test sink',
  config: obj({}),
  create: () => ({ start: async () => {}, shutdown: async () => {}, consume: async () => {} }),
};
// The lead registers the redaction factory in src/components.ts; until then add it here.
const registry = new Registry([
  ...factories,
  ...(factories.some((f) => f.kind === 'processor' && f.type === 'redaction') ? [] : [redactionProcessorFactory]),
  sink,
]);

const pipeline = `
receivers:
  otlp:
    protocols:
      http: { endpoint: "127.0.0.1:0" }
exporters:
  redaction_test_sink: {}
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [redaction]
      exporters: [redaction_test_sink]
`;

describe('redaction config', () => {
  it('defaults: every key kept, privacy profile on, silent summary, **** mask', () => {
    const c = config(null as never);
    expect(c.allow_all_keys).toBeUndefined();
    expect(c.allowed_keys).toBeUndefined();
    expect(c.summary).toBe('silent');
    expect(c.mask).toBe('****');
    expect(c.hash_function).toBeUndefined();
    expect(c.privacy).toEqual({
      enabled: true,
      emails: true,
      card_numbers: true,
      jwts: true,
      credentials: true,
      api_keys: true,
      secret_keys: [],
      content_keys: [],
      drop_content: true,
    });
  });

  it('reports an invalid regex at its list path', () => {
    const errs = configIssues({
      blocked_values: ['ok', '(unclosed'],
      allowed_values: ['[z-a]'],
      blocked_key_patterns: ['*'],
    });
    expect(
      errs.some((e) => e.startsWith('processors::redaction::blocked_values::1: is not a valid regular expression')),
    ).toBe(true);
    expect(
      errs.some((e) => e.startsWith('processors::redaction::allowed_values::0: is not a valid regular expression')),
    ).toBe(true);
    expect(
      errs.some((e) =>
        e.startsWith('processors::redaction::blocked_key_patterns::0: is not a valid regular expression'),
      ),
    ).toBe(true);
    expect(errs).toHaveLength(3);
  });

  it('refuses unknown keys and values, with paths', () => {
    expect(configIssues({ summary: 'loud', hash_function: 'sha256', privacy: { emailz: true } })).toEqual([
      'processors::redaction::hash_function: must be one of md5, sha1, sha3, hmac_sha256, hmac-sha256, hmac_sha512, hmac-sha512',
      'processors::redaction::summary: must be one of debug, info, silent',
      expect.stringMatching(/^processors::redaction::privacy::emailz: unknown key/),
    ]);
  });

  it('requires a long enough hash_key for HMAC and refuses one without HMAC', () => {
    expect(configIssues({ hash_function: 'hmac_sha256' })).toEqual([
      'processors::redaction::hash_key: is required when hash_function is hmac_sha256',
    ]);
    expect(configIssues({ hash_function: 'hmac_sha256', hash_key: 'short' })[0]).toMatch(
      /^processors::redaction::hash_key: must be at least 32 bytes/,
    );
    expect(configIssues({ hash_function: 'md5', hash_key: HMAC_KEY })).toEqual([
      'processors::redaction::hash_key: is only used with hash_function hmac_sha256 or hmac_sha512',
    ]);
    expect(configIssues({ hash_function: 'hmac_sha256', hash_key: HMAC_KEY, hmac_key: HMAC_KEY })).toEqual([
      'processors::redaction::hmac_key: set either hash_key or hmac_key, not both',
    ]);
  });

  it('loads an OpenTelemetry Collector redaction config unchanged', () => {
    const cfg = loadConfigText(
      `
processors:
  redaction:
    allow_all_keys: false
    allowed_keys: [description, group, id, name]
    ignored_keys: [safe_attribute]
    redact_all_types: true
    blocked_key_patterns: [".*token.*", ".*api_key.*"]
    blocked_values:
      - "4[0-9]{12}(?:[0-9]{3})?" ## Visa credit card number
      - "(5[1-5][0-9]{14})"       ## MasterCard number
    allowed_values: [".+@mycompany.com"]
    hash_function: md5
    summary: debug
${pipeline}`,
      registry,
      {},
    );
    const c = cfg.processors.get('redaction')!.config as ReturnType<typeof config>;
    expect(c.allowed_keys).toEqual(['description', 'group', 'id', 'name']);
    expect(c.hash_function).toBe('md5');
  });

  it('takes the HMAC key from the environment', () => {
    const cfg = loadConfigText(
      `
processors:
  redaction:
    hash_function: hmac_sha256
    hash_key: \${env:REDACTION_KEY}
${pipeline}`,
      registry,
      { REDACTION_KEY: HMAC_KEY },
    );
    expect((cfg.processors.get('redaction')!.config as ReturnType<typeof config>).hash_key).toBe(HMAC_KEY);
  });

  it('reports a bad pattern in a collector file with its path and line', () => {
    try {
      loadConfigText(
        `processors:
  redaction:
    blocked_values:
      - "(oops"
${pipeline}`,
        registry,
        {},
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const errs = (err as ConfigError).issues.map(formatIssue);
      expect(errs).toHaveLength(1);
      expect(errs[0]).toMatch(
        /^processors::redaction::blocked_values::0: is not a valid regular expression: .*\(line 4\)$/,
      );
    }
  });

  it('throws one error listing every problem for in-process options', () => {
    expect(() => parseRedactionOptions({ blocked_values: ['('], summary: 'x' as never })).toThrow(
      /redaction::blocked_values::0: is not a valid regular expression.*; redaction::summary: must be one of/,
    );
  });
});
