// Globs as the Collector's filelog receiver writes them (doublestar syntax):
// `*` and `?` within one path segment, `**` across segments, `[abc]` / `[!abc]`
// classes and `{a,b}` alternatives. A glob compiles once to an anchored
// RegExp over the absolute path; the directory walk starts at the glob's
// longest literal prefix and goes only as deep as the glob can match.
import { readdirSync, type Dirent } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

export interface CompiledGlob {
  readonly source: string;
  /** The absolute directory the walk starts from. */
  readonly base: string;
  /** Segments below `base` the glob can reach (Infinity with `**`). */
  readonly depth: number;
  test(path: string): boolean;
}

const META = /[*?[{\\]/;

/** Compiles a glob; throws an Error saying what is wrong (unclosed bracket or brace). */
export function compileGlob(glob: string, cwd = process.cwd()): CompiledGlob {
  const abs = isAbsolute(glob) ? glob : join(resolve(cwd), glob);
  const norm = sep === '\\' ? abs.replaceAll('\\', '/') : abs;
  const segments = norm.split('/');
  let i = 0;
  while (i < segments.length - 1 && !META.test(segments[i]!)) i++;
  const base = segments.slice(0, i).join('/') || '/';
  const rest = segments.slice(i);
  const depth = rest.some((s) => s.includes('**')) ? Infinity : rest.length;
  const re = new RegExp(`^${translate(norm)}$`);
  return { source: glob, base, depth, test: (p) => re.test(p) };
}

function translate(g: string): string {
  let out = '';
  let braces = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '\\') {
      if (i + 1 >= g.length) throw new Error('ends with an unfinished escape (\\)');
      out += escape(g[++i]!);
    } else if (c === '*') {
      if (g[i + 1] === '*') {
        const atStart = i === 0 || g[i - 1] === '/';
        const atEnd = i + 2 >= g.length || g[i + 2] === '/';
        if (atStart && atEnd) {
          // `**/` matches zero or more whole directories; a trailing `**` matches anything below.
          if (g[i + 2] === '/') {
            out += '(?:[^/]*/)*';
            i += 2;
          } else {
            out += '.*';
            i += 1;
          }
          continue;
        }
        i += 1;
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const close = g.indexOf(']', i + 2);
      if (close < 0) throw new Error('has an unclosed [ in a character class');
      let body = g.slice(i + 1, close);
      let neg = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      out += `(?!/)[${neg ? '^' : ''}${body.replace(/[\]\\^]/g, '\\$&')}]`;
      i = close;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) {
      out += '|';
    } else {
      out += escape(c);
    }
  }
  if (braces > 0) throw new Error('has an unclosed { in an alternative');
  return out;
}

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** The regular files the globs match (minus `exclude`), as absolute paths, sorted. Missing directories match nothing. */
export function findFiles(include: readonly CompiledGlob[], exclude: readonly CompiledGlob[]): string[] {
  const found = new Set<string>();
  for (const g of include) walk(g.base, g.depth, g, found, 0);
  return [...found].filter((p) => !exclude.some((x) => x.test(p))).sort();
}

/** Directories deeper than this are not walked, even under `**`. */
const MAX_DEPTH = 32;

function walk(dir: string, depth: number, g: CompiledGlob, found: Set<string>, level: number): void {
  if (depth <= 0 || level > MAX_DEPTH) return;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = dir === '/' ? `/${e.name}` : `${dir}/${e.name}`;
    if (e.isFile() || e.isSymbolicLink()) {
      if (g.test(p)) found.add(p);
    } else if (e.isDirectory()) {
      walk(p, depth - 1, g, found, level + 1);
    }
  }
}
