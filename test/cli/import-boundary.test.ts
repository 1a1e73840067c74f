// Core never reaches into plugin code (issue #16 item 4): no module under src/
// imports from exporters/ or processors/, except the composition roots listed
// here, which exist to name the plugins. Shared pieces live in src/ (the human
// line and the audit reader in src/format/) and plugins reach core, not the reverse.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/collector.js';

/** Modules allowed to import plugins, and why. */
const ROOTS: Record<string, string> = {
  'src/components.ts': 'the registry: lists every factory',
  'src/index.ts': "the package's public entry: re-exports the exporters and processors for in-process use",
  'src/log/setup.ts': 'the in-process setup: builds the redaction processor in front of the chosen exporter',
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier in static imports, re-exports and dynamic import() calls. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(
    /(?:^|\s)(?:import|export)\s[^;'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm,
  )) {
    out.push((m[1] ?? m[2] ?? m[3])!);
  }
  return out;
}

describe('import boundary', () => {
  it('no module under src/ imports from exporters/ or processors/ except the composition roots', () => {
    const offending: string[] = [];
    for (const file of tsFiles(join(ROOT, 'src'))) {
      const rel = relative(ROOT, file);
      if (rel in ROOTS) continue;
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = relative(ROOT, resolve(dirname(file), spec));
        if (/^(exporters|processors)\//.test(target)) offending.push(`${rel} imports ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('the scan sees static, type-only, re-export and dynamic imports', () => {
    const text =
      `import { a } from '../../exporters/x.js';\nimport type { B } from "../processors/y.js";\n` +
      `export { c } from './z.js';\nconst m = await import('../../exporters/w.js');\nimport './side.js';\n`;
    expect(specifiers(text)).toEqual([
      '../../exporters/x.js',
      '../processors/y.js',
      './z.js',
      '../../exporters/w.js',
      './side.js',
    ]);
  });
});
