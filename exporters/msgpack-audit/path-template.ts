// `{name}` placeholders in the audit directory. Each takes the record's
// attribute of that name (else the resource attribute), sanitised to one safe
// path segment, so a templated path can never leave its base directory.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** Segment used when a record lacks the attribute (or it is empty or not a scalar). */
export const DEFAULT_SEGMENT = '_default';
const MAX_SEGMENT = 100;
const PLACEHOLDER = /\{([A-Za-z0-9_.\-]+)\}/g;

export interface DirectoryTemplate {
  /** Attribute names in placeholder order; empty for a fixed directory. */
  readonly names: string[];
  /** Absolute directory before the first placeholder; every rendered path lies inside it. */
  readonly base: string;
  /** Absolute directory for sanitised segment values (one per name). */
  render(segments: string[]): string;
}

export function parseDirectoryTemplate(dir: string, cwd = process.cwd()): DirectoryTemplate {
  const literals: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of dir.matchAll(PLACEHOLDER)) {
    literals.push(dir.slice(last, m.index));
    names.push(m[1]!);
    last = m.index! + m[0].length;
  }
  literals.push(dir.slice(last));
  if (names.length === 0) {
    const abs = path.resolve(cwd, dir);
    return { names, base: abs, render: () => abs };
  }
  // The base is the last whole directory before the first placeholder: `./logs/c-{x}/` → `./logs`.
  const head = literals[0]!;
  const cut = Math.max(head.lastIndexOf('/'), head.lastIndexOf(path.sep));
  const base = path.resolve(cwd, cut >= 0 ? head.slice(0, cut + 1) : '.');
  return {
    names,
    base,
    render(segments) {
      let s = literals[0]!;
      for (let i = 0; i < names.length; i++) s += segments[i]! + literals[i + 1]!;
      const abs = path.resolve(cwd, s);
      // Sanitised segments cannot escape; this guards the invariant regardless.
      return abs === base || abs.startsWith(base + path.sep) ? abs : path.join(base, DEFAULT_SEGMENT);
    },
  };
}

/**
 * One safe path segment from an attribute value: only `[A-Za-z0-9._-]`
 * survive (anything else, including `/`, `\` and NUL, becomes `_`), runs of
 * dots collapse to `_`, a leading dot is replaced (no hidden or `..` entries),
 * and long values are cut with a short hash so distinct values stay distinct.
 */
export function sanitizeSegment(raw: string): string {
  let s = raw.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.{2,}/g, '_');
  if (s.startsWith('.')) s = '_' + s.slice(1);
  if (s.length > MAX_SEGMENT) {
    s = s.slice(0, MAX_SEGMENT - 9) + '-' + createHash('sha256').update(raw).digest('hex').slice(0, 8);
  }
  return s === '' ? DEFAULT_SEGMENT : s;
}

/** The raw placeholder value of a record, or undefined when absent or not a scalar. */
export function placeholderValue(r: ReadableLogRecord, name: string): string | undefined {
  let v = r.attributes[name];
  if (v === undefined || v === null) v = r.resource.attributes[name] as typeof v;
  switch (typeof v) {
    case 'string': return v === '' ? undefined : v;
    case 'number':
    case 'boolean':
    case 'bigint': return String(v);
    default: return undefined;
  }
}
