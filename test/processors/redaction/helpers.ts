import { formatIssue, type ConfigIssue } from '../../../src/config/schema.js';
import {
  redactionConfigSpec,
  type RedactionConfig,
  type RedactionOptions,
} from '../../../processors/redaction/config.js';
import { Redactor } from '../../../processors/redaction/redactor.js';

/** Parses YAML-shaped options; throws with every issue when invalid. */
export function config(options: RedactionOptions | Record<string, unknown> = {}): RedactionConfig {
  const issues: ConfigIssue[] = [];
  const cfg = redactionConfigSpec.parse(options, ['processors', 'redaction'], issues);
  if (!cfg) throw new Error(issues.map(formatIssue).join('\n'));
  return cfg;
}

/** The formatted issues for invalid options. */
export function configIssues(options: Record<string, unknown>): string[] {
  const issues: ConfigIssue[] = [];
  redactionConfigSpec.parse(options, ['processors', 'redaction'], issues);
  return issues.map(formatIssue);
}

export function redactor(options: RedactionOptions | Record<string, unknown> = {}): Redactor {
  return new Redactor(config(options));
}

/** Redacts one string value with the given options. */
export function redactText(text: string, options: RedactionOptions = {}): string {
  return redactor(options).redactValue(text) as string;
}

export const HMAC_KEY = 'k'.repeat(32);
