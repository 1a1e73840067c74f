// What `npm pack` ships (issue #15, install): the CLI and everything it loads,
// no compiled tests or benches, no source maps; install scripts are reviewed in
// package.json's allowScripts so npm does not warn about them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/collector.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function packedFiles(): string[] {
  // --ignore-scripts: `prepare` would rebuild dist/ while other suites read it; the suite runs on a built tree.
  const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
}

describe('npm package', () => {
  it('npm pack ships the CLI, every module it imports and the console files, and no tests, benches or maps', () => {
    expect(existsSync(join(ROOT, 'dist/src/cli/main.js')), 'run `npm run build` first').toBe(true);
    const files = packedFiles();
    const shipped = new Set(files);
    for (const f of [
      'bin/auditline',
      'collector.yaml',
      'README.md',
      'package.json',
      'dist/src/cli/main.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/pipeline/pipeline-worker.js',
      'src/extensions/query-api/ui/index.html',
    ]) {
      expect(shipped, f).toContain(f);
    }
    expect(
      files.filter((f) => /^(dist\/)?(test|bench)\//.test(f) || f.endsWith('.map') || /\.test\.[jt]s$/.test(f)),
    ).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);

    // Every relative import of every shipped module resolves to a shipped file.
    const missing: string[] = [];
    for (const f of files.filter((x) => x.endsWith('.js'))) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      for (const m of text.matchAll(/(?:from\s*|import\(\s*|new URL\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = normalize(join(dirname(f), m[1]!));
        if (target.endsWith('/')) continue; // a directory (the console's ui/ files are checked above)
        if (target.endsWith('.ts') || target.startsWith('dist/dist/')) continue; // taken only when run from the .ts sources
        if (!shipped.has(target)) missing.push(`${f} → ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('bin/auditline loads only the shipped dist/src, and the package exports resolve to shipped files', () => {
    const bin = readFileSync(join(ROOT, 'bin/auditline'), 'utf8');
    expect(bin).toMatch(/import\('\.\.\/dist\/src\/cli\/main\.js'\)/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
      allowScripts: Record<string, boolean>;
    };
    const shipped = new Set(packedFiles());
    for (const target of Object.values(pkg.exports).flatMap((e) => Object.values(e)))
      expect(shipped).toContain(target.replace(/^\.\//, ''));
    // better-sqlite3 builds its native module at install; protobufjs's postinstall only checks its own CLI's version.
    expect(pkg.allowScripts).toMatchObject({ 'better-sqlite3': true, protobufjs: false });
  });

  it('npm install-scripts ls finds no dependency whose install script is unreviewed', () => {
    const out = execFileSync(npm, ['install-scripts', 'ls'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toMatch(/No packages with unreviewed install scripts/);
  });
});
