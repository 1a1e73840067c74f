// Measures how the time of one call grows with the size of its input, as a
// ratio between sizes, never as an absolute time: a linear-time matcher takes
// about f times as long for f times the input, a quadratic one f² times.
//
// Each size is timed as the best of several rounds (the minimum filters out GC
// pauses and other processes), each round repeating the call often enough to
// last a few milliseconds. Calls run in a worker thread (growth-worker.mjs):
// a round that passes twice its bound (or a watchdog, for the first size, where
// there is no bound yet) terminates the worker, so that old backtracking code
// fails in seconds instead of running for hours.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect } from 'vitest';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** A module exporting a factory; `factory(...args)` returns the call to time, given the input. */
export interface Subject {
  /** Absolute path or file URL of a .ts or .js module. */
  module: string;
  export: string;
  args?: unknown[];
}

/** The input at size n: prefix + unit repeated + suffix, n characters in all. */
export interface Shape {
  unit: string;
  prefix?: string;
  suffix?: string;
}

export interface Growth {
  sizes: number[];
  /** Milliseconds per call at each size (best round); a stopped round counts what it had run. */
  ms: number[];
  /** ms[i] / ms[i - 1] for i ≥ 1. */
  ratios: number[];
  /** The allowed ratio of each step: slack × the size factor. */
  bounds: number[];
  /** Set when a round was stopped at its deadline. */
  stopped?: string;
}

const ROUNDS = 5;
const ROUND_MS = 4;
/** Only for the first size of a ladder (no bound exists yet): a call still running after this is stuck. */
const WATCHDOG_MS = 20_000;
/** Added to each deadline so that a scheduling hiccup on a tiny round does not stop it. */
const DEADLINE_MARGIN_MS = 500;

const WORKER = fileURLToPath(new URL('./growth-worker.mjs', import.meta.url));

type Reply = { type: 'loaded' } | { type: 'timed'; ms: number } | { type: 'error'; message: string };

/** A worker thread that runs the timed calls; recreated after a deadline stops it. */
export class GrowthRunner {
  private worker: Worker | undefined;
  private loaded = new Set<string>();
  private nextId = 0;
  private readonly ids = new Map<string, number>();

  private start(): Worker {
    if (this.worker === undefined) {
      this.worker = new Worker(WORKER);
      this.worker.unref();
    }
    return this.worker;
  }

  /** Forgets the worker (and what it had loaded) after a deadline or a crash. */
  private drop(w: Worker): void {
    if (this.worker === w) {
      this.worker = undefined;
      this.loaded.clear();
    }
    void w.terminate();
  }

  private request(msg: Record<string, unknown>, deadlineMs: number): Promise<Reply | 'deadline'> {
    const w = this.start();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
      };
      const onMessage = (r: Reply) => {
        done();
        resolve(r);
      };
      const onError = (e: Error) => {
        done();
        this.drop(w);
        reject(e);
      };
      const timer = setTimeout(() => {
        done();
        this.drop(w);
        resolve('deadline');
      }, deadlineMs);
      w.on('message', onMessage);
      w.on('error', onError);
      w.postMessage(msg);
    });
  }

  private async load(s: Subject): Promise<number> {
    const key = JSON.stringify(s);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(key, id);
    }
    if (!this.loaded.has(key)) {
      const module = s.module.startsWith('file:') ? s.module : `file://${s.module}`;
      const r = await this.request({ type: 'load', id, module, export: s.export, args: s.args ?? [] }, 120_000);
      if (r === 'deadline' || r.type === 'error')
        throw new Error(`Loading ${s.module}: ${r === 'deadline' ? 'timed out' : r.message}`);
      this.loaded.add(key);
    }
    return id;
  }

  /** ms per call, or 'deadline' when the round was stopped. */
  private async time(
    s: Subject,
    shape: Shape,
    n: number,
    reps: number,
    deadlineMs: number,
  ): Promise<number | 'deadline'> {
    const id = await this.load(s);
    const r = await this.request(
      { type: 'time', id, n, reps, unit: shape.unit, prefix: shape.prefix ?? '', suffix: shape.suffix ?? '' },
      deadlineMs,
    );
    if (r === 'deadline') return r;
    if (r.type === 'error') throw new Error(r.message);
    return (r as { ms: number }).ms;
  }

  /** Times the subject at each size in turn; stops early once a step is clearly over its bound. */
  async measure(s: Subject, shape: Shape, sizes: number[] = [16 * KiB, 128 * KiB, MiB], slack = 4): Promise<Growth> {
    const g: Growth = { sizes: [], ms: [], ratios: [], bounds: [] };
    const warm = Math.max(1, Math.floor(sizes[0]! / 8));
    const w = await this.time(s, shape, warm, 3, WATCHDOG_MS);
    if (w === 'deadline') return { ...g, stopped: `a call on ${warm} characters ran for ${WATCHDOG_MS / 1000} s` };
    let estimate = Math.max(w, 1e-4) * 8; // ms per call at the next size if growth were linear
    for (let k = 0; k < sizes.length; k++) {
      const n = sizes[k]!;
      const bound = k === 0 ? Infinity : slack * (n / sizes[k - 1]!);
      let reps = Math.min(1000, Math.max(1, Math.ceil(ROUND_MS / estimate)));
      let best = Infinity;
      for (let r = 0; r < ROUNDS; r++) {
        const deadline =
          k === 0 ? WATCHDOG_MS : Math.min(WATCHDOG_MS, 2 * bound * g.ms[k - 1]! * reps + DEADLINE_MARGIN_MS);
        const started = performance.now();
        const ms = await this.time(s, shape, n, reps, deadline);
        if (ms === 'deadline') {
          best = Math.min(best, (performance.now() - started) / reps);
          g.stopped = `a round at ${n} characters was stopped after ${((performance.now() - started) / 1000).toFixed(1)} s`;
          break;
        }
        best = Math.min(best, ms);
        if (r === 0 && reps === 1 && ms < ROUND_MS) reps = Math.min(1000, Math.ceil(ROUND_MS / Math.max(ms, 1e-4)));
        if (r >= 1 && ms * reps > 1000) break; // rounds of over a second: two are enough to take the better
      }
      g.sizes.push(n);
      // A call that does not grow with its input (answered from its first or last characters)
      // takes a few nanoseconds; its ratios compare timer noise, so they are taken from 100 ns up.
      g.ms.push(Math.max(best, 1e-4));
      if (k > 0) {
        g.ratios.push(best / g.ms[k - 1]!);
        g.bounds.push(bound);
      }
      if (g.stopped !== undefined || best > bound * g.ms[k - 1]!) break; // over the bound: the test fails here
      estimate = best * ((sizes[k + 1] ?? n) / n);
    }
    return g;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.loaded.clear();
    if (w !== undefined) await w.terminate();
  }
}

export function describeGrowth(g: Growth): string {
  const size = (n: number) => (n >= MiB ? `${n / MiB} MiB` : n >= KiB ? `${n / KiB} KiB` : `${n} B`);
  return (
    g.sizes
      .map(
        (n, i) =>
          `${size(n)}: ${g.ms[i]!.toFixed(3)} ms` +
          (i > 0 ? ` (×${g.ratios[i - 1]!.toFixed(1)}, bound ×${g.bounds[i - 1]})` : ''),
      )
      .join(', ') + (g.stopped !== undefined ? `; ${g.stopped}` : '')
  );
}

/**
 * Asserts that every step of the ladder stayed within its linear bound
 * (slack × the size factor: 32 for 8× the size by default) and that the
 * ladder reached its top.
 */
export async function expectLinear(
  runner: GrowthRunner,
  name: string,
  s: Subject,
  shape: Shape,
  sizes: number[] = [16 * KiB, 128 * KiB, MiB],
  slack = 4,
): Promise<Growth> {
  let g = await runner.measure(s, shape, sizes, slack);
  // A busy machine can slow one size's every round; a second ladder is measured before failing
  // (a super-linear matcher is over its bound again, a stall is not).
  if (!withinBounds(g, sizes.length)) {
    const again = await runner.measure(s, shape, sizes, slack);
    if (withinBounds(again, sizes.length) || again.sizes.length >= g.sizes.length) g = again;
  }
  const text = `${name}: ${describeGrowth(g)}`;
  if (process.env.LINEAR_VERBOSE) console.log(text);
  expect(g.stopped, text).toBeUndefined();
  for (let i = 0; i < g.ratios.length; i++) expect(g.ratios[i]!, text).toBeLessThan(g.bounds[i]!);
  expect(g.sizes.length, text).toBe(sizes.length);
  return g;
}

function withinBounds(g: Growth, steps: number): boolean {
  return g.stopped === undefined && g.sizes.length === steps && g.ratios.every((r, i) => r < g.bounds[i]!);
}

/** `unit` repeated to exactly n characters. */
export function repeatTo(unit: string, n: number): string {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}
