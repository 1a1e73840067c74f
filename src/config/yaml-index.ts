// One walk over a parsed YAML document, before it is turned into values:
// refuses what would make loading slow or unbounded (nesting deeper than
// MAX_DEPTH, more than MAX_ALIASES anchors and aliases, whose resolution in
// the yaml package costs their number squared), reports repeated keys (done
// here in linear time; the yaml package's own check is quadratic in the keys
// of a map), and records the line of every key and list item so each issue's
// line is found by a few map lookups rather than a walk of the document.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { MAX_DEPTH } from './expand.js';
import type { ConfigIssue } from './schema.js';

/** Anchors plus aliases allowed in one config (real configs have a handful). */
export const MAX_ALIASES = 1000;

export class YamlLimitError extends Error {}

export interface YamlIndex {
  /** The 1-based line of the deepest key or item on `path` that exists in the document. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/** Walks the document; pushes an issue per repeated key; throws YamlLimitError past a limit. */
export function indexDocument(doc: Document, lines: LineCounter, issues: ConfigIssue[]): YamlIndex {
  const at = new Map<string, number>();
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lines.linePos(offset).line);
  let aliases = 0;

  const count = (node: unknown) => {
    if (isAlias(node) || (node && typeof node === 'object' && (node as Node).anchor)) {
      if (++aliases > MAX_ALIASES)
        throw new YamlLimitError(`the configuration uses more than ${MAX_ALIASES} YAML anchors and aliases`);
    }
  };

  const walk = (node: unknown, path: (string | number)[], key: string, depth: number): void => {
    count(node);
    if (!isMap(node) && !isSeq(node)) return;
    if (depth >= MAX_DEPTH) throw new YamlLimitError(`the configuration is nested more than ${MAX_DEPTH} levels deep`);
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const k = `${key}\u0000${i}`;
        const line = lineAt((item as Node | null)?.range?.[0]);
        if (line !== undefined) at.set(k, line);
        walk(item, [...path, i], k, depth + 1);
      });
      return;
    }
    const seen = new Set<string>();
    for (const pair of node.items) {
      count(pair.key);
      if (!isScalar(pair.key)) {
        walk(pair.value, path, key, depth + 1);
        continue;
      }
      const name = String(pair.key.value);
      const k = `${key}\u0000${name}`;
      const line = lineAt(pair.key.range?.[0]);
      if (seen.has(name)) {
        issues.push({
          path: [...path, name],
          message: 'YAML syntax error: this key is repeated (map keys must be unique)',
          line,
        });
      } else {
        seen.add(name);
        if (line !== undefined) at.set(k, line);
      }
      walk(pair.value, [...path, name], k, depth + 1);
    }
  };

  const rootLine = lineAt((doc.contents as Node | null)?.range?.[0]);
  if (rootLine !== undefined) at.set('', rootLine);
  walk(doc.contents, [], '', 0);

  return {
    lineOf(path) {
      const keys = [''];
      for (const seg of path) keys.push(`${keys[keys.length - 1]}\u0000${String(seg)}`);
      for (let n = keys.length - 1; n >= 0; n--) {
        const line = at.get(keys[n]!);
        if (line !== undefined) return line;
      }
      return undefined;
    },
  };
}
