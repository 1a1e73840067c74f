// The console exporter inside the real collector process,
// fed by the official OTLP/HTTP protobuf exporter.
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/ports.js';
import { collectorYaml, emit, until } from '../msgpack-audit/otlp-feed.js';

let c: RunningCollector | undefined;
afterEach(async () => {
  await c?.cleanup();
  c = undefined;
});

describe('console in the collector', () => {
  it('console – the collector prints the seed line on stdout, uncoloured with NO_COLOR even when forced', async () => {
    const port = await freePort();
    c = await startCollector(collectorYaml(port, 'always')); // the helper sets NO_COLOR=1
    await emit(port, [
      {
        body: 'Session created',
        attributes: { component: 'session_manager', session_id: 'abc123', collection: 'interviews' },
      },
    ]);
    await until(() => c!.output().includes('Session created'), 'the console line');
    expect(c.output()).toContain(
      '2024-01-15 10:30:45 [INFO] session_manager: Session created (session_id=abc123, collection=interviews)\n',
    );
    expect(c.output()).not.toContain('\x1b[');
  });

  it('console – with color: always and no NO_COLOR, the level is coloured though stdout is a pipe', async () => {
    const port = await freePort();
    c = await startCollector(collectorYaml(port, 'always'), { env: { NO_COLOR: '' } });
    await emit(port, [{ body: 'Coloured', attributes: { component: 'ui' } }]);
    await until(() => c!.output().includes('Coloured'), 'the console line');
    expect(c.output()).toContain('\x1b[32m[INFO]\x1b[0m ui: Coloured');
  });
});
