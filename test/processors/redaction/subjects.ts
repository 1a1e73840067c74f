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
