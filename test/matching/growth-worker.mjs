// Runs the calls that test/matching/linear.ts times, in a worker thread, so
// that a call that never ends (a backtracking regex on old code) can be
// stopped: the test terminates the worker at its deadline.
import { register } from 'node:module';
import { parentPort } from 'node:worker_threads';

register('./ts-hooks.mjs', import.meta.url);

const subjects = new Map();
let lastKey = '';
let lastInput = '';

function inputFor(m) {
  const key = `${m.n}\0${m.prefix}\0${m.unit}\0${m.suffix}`;
  if (key !== lastKey) {
    const body = m.n - m.prefix.length - m.suffix.length;
    // Flat, as a decoder produces strings (not a rope of repeats).
    lastInput = Buffer.from(
      m.prefix + m.unit.repeat(Math.ceil(body / m.unit.length)).slice(0, body) + m.suffix,
    ).toString();
    lastKey = key;
  }
  return lastInput;
}

parentPort.on('message', async (m) => {
  try {
    if (m.type === 'load') {
      const mod = await import(m.module);
      const factory = mod[m.export];
      if (typeof factory !== 'function') throw new Error(`${m.module} exports no function ${m.export}`);
      subjects.set(m.id, await factory(...m.args));
      parentPort.postMessage({ type: 'loaded' });
    } else if (m.type === 'time') {
      const run = subjects.get(m.id);
      const input = inputFor(m);
      const t0 = performance.now();
      for (let i = 0; i < m.reps; i++) run(input);
      parentPort.postMessage({ type: 'timed', ms: (performance.now() - t0) / m.reps });
    }
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
