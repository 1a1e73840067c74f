// Self-telemetry costs: rendering /metrics through prom-client, and counting on the hot path with
// `Telemetry.add` (builds the series key each call) against a bound `Telemetry.counter`.
// Alone: node dist/bench/telemetry.js
import { pathToFileURL } from 'node:url';
import { M, Telemetry } from '../src/telemetry/metrics.js';

export async function run(): Promise<void> {
  const t = new Telemetry();
  t.expose('normal');
  for (let e = 0; e < 20; e++)
    for (const n of [M.exporterSent, M.exporterFailed, M.exporterRetries]) t.add(n, 5, { exporter: `e${e}` });
  for (let w = 1; w <= 2; w++) t.setExternal(`worker-${w}`, t.ownSeries());
  await t.prometheus();
  const renders = 300;
  let start = performance.now();
  for (let i = 0; i < renders; i++) await t.prometheus();
  const text = await t.prometheus();
  console.log(
    `scrape: ${((performance.now() - start) / renders).toFixed(2)} ms per render (${t.allSeries().length} series of ours, ${text.length} bytes with the default metrics)`,
  );

  const labels = { processor: 'redaction@logs', otel_signal: 'logs' };
  const calls = 1_000_000;
  start = performance.now();
  for (let i = 0; i < calls; i++) t.add(M.processorIncoming, 100, labels);
  const keyed = ((performance.now() - start) * 1e6) / calls;
  const count = t.counter(M.processorOutgoing, labels);
  start = performance.now();
  for (let i = 0; i < calls; i++) count(100);
  const bound = ((performance.now() - start) * 1e6) / calls;
  console.log(`count: Telemetry.add ${keyed.toFixed(0)} ns per call, bound counter ${bound.toFixed(0)} ns per call`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
