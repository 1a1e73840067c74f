// `{name}` placeholders in the audit directory. Each takes the record's
// attribute of that name (else the resource attribute), sanitised to one safe
// path segment, so a templated path can never leave its base directory.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** Segment used when a record lacks the attribute (or it is empty or not a scalar). */
export const DEFAULT_SEGMENT = '_default';
/** Segment of the directory records go to once `max_directories` distinct directories are in use. */
export const OVERFLOW_SEGMENT = '_overflow';
const MAX_SEGMENT = 100;
const PLACEHOLDER = /\{([A-Za-z0-9_.-]+)\}/g;

export interface DirectoryTemplate {
  /** Attribute names in placeholder order; empty for a fixed directory. */
  readonly names: string[];
  /** Absolute directory before the first placeholder; every rendered path lies inside it. */
  readonly base: string;
  /** Absolute directory for sanitised segment values (one per name). */
  render(segments: string[]): string;
  /**
   * Per directory level below `base`, a pattern a rendered name matches; undefined when the template
   * has `.` or `..` levels below its base (its directories are then not looked for at start).
   */
  readonly levels?: RegExp[];
}

/** A sanitised segment: never starts with a dot (so state files and hidden entries never match). */
const SEGMENT_PATTERN = '[A-Za-z0-9_-][A-Za-z0-9._-]*';

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
    levels: levelPatterns(dir.slice(cut + 1)),
    render(segments) {
      let s = literals[0]!;
      for (let i = 0; i < names.length; i++) s += segments[i]! + literals[i + 1]!;
      const abs = path.resolve(cwd, s);
      // Sanitised segments cannot escape; this guards the invariant regardless.
      return abs === base || abs.startsWith(base + path.sep) ? abs : path.join(base, DEFAULT_SEGMENT);
    },
  };
}

function levelPatterns(rest: string): RegExp[] | undefined {
  const parts = rest.split(path.sep === '\\' ? /[\\/]/ : '/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..')) return undefined;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return parts.map((p) => {
    let src = '';
    let last = 0;
    for (const m of p.matchAll(PLACEHOLDER)) {
      src += escape(p.slice(last, m.index)) + SEGMENT_PATTERN;
      last = m.index! + m[0].length;
    }
    return new RegExp(`^${src}${escape(p.slice(last))}$`);
  });
}

/**
 * The directories under the template's base that it could have rendered (walking its levels), at most
 * `limit`, skipping `skip`. Read at start so the directories written before a restart keep counting.
 */
export async function existingDirectories(
  t: DirectoryTemplate,
  limit: number,
  skip: ReadonlySet<string>,
): Promise<string[]> {
  const found: string[] = [];
  const levels = t.levels;
  if (t.names.length === 0 || levels === undefined || levels.length === 0) return found;
  const walk = async (dir: string, level: number): Promise<void> => {
    let d: fs.Dir;
    try {
      d = await fs.promises.opendir(dir);
    } catch {
      return;
    }
    // Iterating closes the directory, also on break.
    for await (const e of d) {
      if (found.length >= limit) break;
      if (!e.isDirectory() || !levels[level]!.test(e.name)) continue;
      const sub = path.join(dir, e.name);
      if (level + 1 < levels.length) await walk(sub, level + 1);
      else if (!skip.has(sub)) found.push(sub);
    }
  };
  await walk(t.base, 0);
  return found;
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
    case 'string':
      return v === '' ? undefined : v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      return undefined;
  }
}
