// The durable delivery log's segment and cursor files are created 0600 in
// 0700 directories (file_storage's file_mode/dir_mode otherwise; the collector
// case is in file-modes.test.ts). Expected modes are masked by the umask.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SegmentStore } from '../../src/delivery/segment-store.js';
import { record } from '../exporters/msgpack-audit/records.js';
import { tempDir } from '../helpers/collector.js';

const UMASK = process.umask();
const expected = (mode: number) => mode & ~UMASK;

let dir: string;
beforeEach(() => {
  dir = tempDir('auditline-segment-modes-');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function modesUnder(root: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out[relative(root, p) + (e.isDirectory() ? '/' : '')] = statSync(p).mode & 0o777;
      if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

describe('file modes – durable delivery log', () => {
  it('segment and cursor files are 0600, the directories 0700; file_storage modes are passed on', () => {
    const store = new SegmentStore(join(dir, 'delivery', 'logs'), false);
    store.recover(0);
    store.append(0, [record({ body: 'durable' })]);
    store.saveCursors({ sqlite: 1 });
    store.close();
    const modes = modesUnder(dir);
    expect(Object.keys(modes).sort()).toEqual([
      'delivery/',
      'delivery/logs/',
      'delivery/logs/0000000000000000.seg',
      'delivery/logs/cursors.json',
    ]);
    for (const [p, m] of Object.entries(modes)) expect(m, p).toBe(expected(p.endsWith('/') ? 0o700 : 0o600));

    const other = new SegmentStore(join(dir, 'group'), false, { file: 0o640, dir: 0o750 });
    other.recover(0);
    other.append(0, [record({ body: 'durable' })]);
    other.close();
    expect(modesUnder(join(dir, 'group'))).toEqual({ '0000000000000000.seg': expected(0o640) });
    expect(statSync(join(dir, 'group')).mode & 0o777).toBe(expected(0o750));
  });
});
