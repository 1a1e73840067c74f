// Keeps the README true to the code: its option reference must be exactly what
// the config specs accept, and every command must be documented.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionReference } from '../src/cli/main.js';
import { logsCommands } from '../src/cli/logs/index.js';
import { factories } from '../src/components.js';
import { ROOT } from './helpers/collector.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('starts with the two commands: run the collector and run the tests', () => {
    const firstBlock = readme.slice(readme.indexOf('```bash'), readme.indexOf('```', readme.indexOf('```bash') + 3));
    expect(firstBlock).toContain('npm start');
    expect(firstBlock).toContain('npm test');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('./bin/auditline --config collector.yaml');
  });

  it('holds the option reference generated from every component config (run `npm run docs` to refresh)', () => {
    const m = /<!-- options:start -->\n([\s\S]*)\n<!-- options:end -->/.exec(readme);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(optionReference());
  });

  it('names every component type and every logs command', () => {
    for (const f of factories) expect(readme).toContain(`\`${f.type}\``);
    for (const c of logsCommands) expect(readme).toMatch(new RegExp(`\`logs ${c.name}\\b`));
    for (const cmd of [
      'auditline --config FILE',
      'auditline validate --config FILE',
      'auditline components',
      'auditline read FILE',
    ]) {
      expect(readme).toContain(cmd);
    }
  });
});
