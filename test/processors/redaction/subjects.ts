// The calls test/processors/redaction/linear-time.test.ts times, built in a
// worker thread (test/matching/growth-worker.mjs) from YAML-shaped options.
import type { AnyValue } from '@opentelemetry/api-logs';
import { Redactor } from '../../../processors/redaction/redactor.js';
import { config } from './helpers.js';

/** Redacts the input as one string value (a body or an attribute value). */
export function redactValue(options: Record<string, unknown> = {}): (s: string) => unknown {
  const r = new Redactor(config(options));
  return (s) => r.redactValue(s);
}

/** Classifies the input as an attribute key (a fresh redactor per call: verdicts are cached by key). */
export function redactKey(options: Record<string, unknown> = {}): (k: string) => unknown {
  const cfg = config(options);
  return (k) => {
    const attrs: Record<string, AnyValue> = { [k]: 'value' };
    return new Redactor(cfg).redactAttributes(attrs);
  };
}

/** Runs url_sanitizer and every db_sanitizer kind on the input as attributes and as the body. */
export function sanitizeLog(): (s: string) => unknown {
  const all = { enabled: true, attributes: ['db.statement'] };
  const r = new Redactor(
    config({
      url_sanitizer: { enabled: true, attributes: ['url.full'] },
      db_sanitizer: { sql: all, redis: all, memcached: all, mongo: { enabled: true } },
    }),
  );
  return (s) => r.redactLog({ 'url.full': s, 'db.statement': s }, s);
}
