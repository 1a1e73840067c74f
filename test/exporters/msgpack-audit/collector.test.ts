// The msgpack_audit exporter inside the real collector process, fed by the
// official OTLP/HTTP protobuf exporter.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/ports.js';
import { collectorYaml, emit, T, until } from './otlp-feed.js';
import { readWithPython } from './python-reader.js';

let c: RunningCollector | undefined;
afterEach(async () => {
  await c?.cleanup();
  c = undefined;
});

describe('msgpack_audit in the collector', () => {
  it('msgpack_audit – over OTLP, a traversal attempt in {collection} stays under the logs directory', async () => {
    const port = await freePort();
    c = await startCollector(collectorYaml(port, 'never'));
    await emit(port, [
      { body: 'ok', attributes: { collection: 'products', n: 1 } },
      { body: 'evil', attributes: { collection: '../../../tmp/escape', n: 2 } },
    ]);
    const logs = join(c.dir, 'logs');
    const files = () => {
      const out: string[] = [];
      const walk = (d: string) => {
        for (const e of readdirSync(d, { withFileTypes: true }))
          e.isDirectory() ? walk(join(d, e.name)) : out.push(relative(c!.dir, join(d, e.name)));
      };
      walk(c!.dir);
      return out.sort();
    };
    await until(() => {
      try {
        return files().filter((f) => f.endsWith('audit.log')).length === 2;
      } catch {
        return false;
      }
    }, 'two audit files');
    expect(await c.stop('SIGTERM')).toBe(0);
    const audit = files().filter((f) => f.endsWith('audit.log'));
    expect(audit).toEqual(['logs/______tmp_escape/audit.log', 'logs/products/audit.log']);
    const evil = readWithPython(join(logs, '______tmp_escape', 'audit.log'));
    expect(evil.map((r) => r.entry)).toEqual([
      {
        action: 'log',
        session: '',
        timestamp: T,
        data: { body: 'evil', severity: 'INFO', collection: '../../../tmp/escape', n: 2 },
      },
    ]);
  });
});
