// The console's files ship in the npm package: the files `npm pack` would
// include, copied into an app's node_modules, serve the console from dist/.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/collector.js';
import { tempDir } from '../../exporters/sqlite/fixtures.js';

describe('web console – packaging', () => {
  let t: ReturnType<typeof tempDir> | undefined;
  afterEach(() => t?.cleanup());

  it('serves / and /ui/app.js from a packed install (dist/ plus the files npm pack lists)', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain('src/extensions/query-api/ui/index.html');
    expect(files).toContain('src/extensions/query-api/ui/app.js');
    t = tempDir();
    const pkg = join(t.dir, 'app', 'node_modules', 'auditline');
    for (const f of files) {
      mkdirSync(dirname(join(pkg, f)), { recursive: true });
      cpSync(join(ROOT, f), join(pkg, f));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(t.dir, 'node_modules'));
    const script = `
      const { QueryApiServer } = await import('auditline');
      const api = QueryApiServer.fromOptions({ endpoint: '127.0.0.1:0', auth: { tokens: ['t'] } });
      await api.start();
      const index = await fetch(api.url + '/');
      const app = await fetch(api.url + '/ui/app.js');
      const html = (await index.text()).includes('/ui/app.js');
      console.log(JSON.stringify({ index: index.status, html, app: app.status }));
      await api.shutdown();
    `;
    writeFileSync(join(t.dir, 'app', 'serve.mjs'), script);
    const res = execFileSync(process.execPath, ['serve.mjs'], { cwd: join(t.dir, 'app'), encoding: 'utf8' });
    expect(JSON.parse(res)).toEqual({ index: 200, html: true, app: 200 });
  });
});
