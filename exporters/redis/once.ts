// Applying a batch at most once: one node's side of it, and the choice of
// free entry keys.
//
// On one connection used by nothing else meanwhile, an attempt
//   1. takes the writers' lock (scripts.ts), WATCHes the lock and the batch's
//      guard key (its log position, or its batch marker), reads the guard and
//      counts which of the batch's entry keys exist: one round trip;
//   2. stops there when the guard says the batch is applied (an earlier
//      attempt's EXEC went through but its reply was lost), or waits when
//      another writer holds the lock;
//   3. moves entries whose key is taken to the next free `:{n}` (a few more
//      reads, only then);
//   4. sends MULTI, the plan, SET guard, DEL lock, EXEC. Everything lands or
//      nothing does. EXEC answers nil when the lock or the guard changed
//      since the WATCH (our lock ran out and another writer took it, or an
//      earlier attempt of ours committed late): nothing was applied, and the
//      caller starts over from 1, where the guard then says "applied".
// WATCH is only ever on those two keys: its cost in Redis 7.0 grows with the
// square of the keys watched (measured; bench/README.md).
import { ReplyError, type RespPipeline } from './resp-pipeline.js';
import { encodeCommands } from './resp-pipeline.js';
import { chunkEncoded, type EncodedCommands } from './resp-writer.js';
import { ACQUIRE_LUA, RELEASE_LUA } from './scripts.js';
import { entryKey } from './plan.js';

/** Where a batch records that it is applied: `key` holds `value` once it is (`ttlSec`: expiring, for batch markers). */
export interface Guard {
  key: string;
  value: string;
  ttlSec?: number;
}

export interface LockSettings {
  /** This writer (exporter instance), for the lock's `next`. */
  writer: string;
  /** Lifetime of a taken lock: longer than any one attempt, and how long a writer that died holding it delays the others. */
  lockMs: number;
  /** Lifetime of a `next` claim; renewed by the waiting writer's every try. */
  nextMs: number;
}

export interface Begin {
  held: boolean;
  /** The guard key's value (null when absent). */
  guard: string | null;
  /** How many of `countKeys` exist (0 when none were given). */
  existing: number;
}

export interface CommitResult {
  /** False when EXEC was refused because the lock or the guard changed (nothing was applied). */
  applied: boolean;
  /** Errors of single commands inside the applied transaction (e.g. WRONGTYPE on a key another program wrote). */
  commandErrors: number;
  firstError?: string;
}

/** Round trips kept in flight while a transaction is queued: enough to keep Redis busy, few enough that none waits long. */
const IN_FLIGHT = 4;
const MULTI = encodeCommands([['MULTI']]);
const UNWATCH = encodeCommands([['UNWATCH']]);

/** The `end` stored in a guard value (`{end}` or `{end}\n{renames}`), 0 when absent or unreadable. */
export function guardEnd(v: string | null): number {
  if (v === null) return 0;
  const n = parseInt(v, 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** The renames a cluster node's guard value carries (see cluster.ts), if any. */
export function guardRenames(v: string | null): Map<string, string> | undefined {
  if (v === null) return undefined;
  const i = v.indexOf('\n');
  if (i < 0) return undefined;
  try {
    return new Map(JSON.parse(v.slice(i + 1)) as [string, string][]);
  } catch {
    return undefined;
  }
}

/** A guard value: the span's end, and on a cluster the entry renames the plan was built with (so a later attempt on another node builds the same). */
export function guardValue(end: number, renames?: ReadonlyMap<string, string>): string {
  return renames === undefined || renames.size === 0 ? String(end) : `${end}\n${JSON.stringify([...renames])}`;
}

/** One node's side of an attempt, on a connection nothing else uses meanwhile. */
export class NodeTx {
  private held = false;
  private watching = false;

  constructor(
    readonly pipe: RespPipeline,
    private readonly lock: [lock: string, next: string],
    private readonly token: string,
    private readonly s: LockSettings,
  ) {}

  /** Step 1. `countKeys`: counted with one multi-key EXISTS (one node, one slot, or a single server). */
  async begin(guardKey: string, countKeys?: readonly string[]): Promise<Begin> {
    const [lock, next] = this.lock;
    const cmds: string[][] = [
      ['EVAL', ACQUIRE_LUA, '2', lock, next, this.token, String(this.s.lockMs), this.s.writer, String(this.s.nextMs)],
      ['WATCH', lock, guardKey],
      ['GET', guardKey],
    ];
    if (countKeys !== undefined && countKeys.length > 0) cmds.push(['EXISTS', ...countKeys]);
    this.watching = true;
    const r = await this.pipe.sendCommands(cmds, true);
    const [acq, , guard, existing] = r.values;
    if (acq instanceof ReplyError)
      throw new Error(`Redis refused the writers' lock script: ${acq.message} (Redis 7.0 or newer is needed).`);
    if (guard instanceof ReplyError) throw new Error(`Redis refused to read "${guardKey}": ${guard.message}`);
    if (existing instanceof ReplyError) throw new Error(`Redis refused EXISTS: ${existing.message}`);
    this.held = acq === 1;
    return { held: this.held, guard: guard as string | null, existing: typeof existing === 'number' ? existing : 0 };
  }

  /** Which of `keys` exist (one EXISTS each, pipelined). */
  async exists(keys: readonly string[]): Promise<boolean[]> {
    const out: boolean[] = [];
    for (let i = 0; i < keys.length; i += 1000) {
      const r = await this.pipe.sendCommands(
        keys.slice(i, i + 1000).map((k) => ['EXISTS', k]),
        true,
      );
      for (const v of r.values) {
        if (v instanceof ReplyError) throw new Error(`Redis refused EXISTS: ${v.message}`);
        out.push(v === 1);
      }
    }
    return out;
  }

  /** Step 4: `cmds` in one transaction with the guard, releasing the lock, in chunks of about `size`. */
  async commit(cmds: EncodedCommands, guard: Guard, size: number): Promise<CommitResult> {
    const pipe = this.pipe;
    const queued: string[] = [];
    const multi = pipe.send(MULTI, 1);
    multi.catch(() => {
      /* the same failure rejects the chunks below */
    });
    const chunks = chunkEncoded(cmds, size);
    let next = 0;
    let failed: unknown;
    const lane = async () => {
      while (next < chunks.length && failed === undefined) {
        const [start, end, count] = chunks[next++]!;
        try {
          const r = await pipe.send(cmds.buf.subarray(start, end), count);
          for (const e of r.errors) queued.push(e);
        } catch (err) {
          failed ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, chunks.length) }, lane));
    if (failed !== undefined) throw failed;
    const set =
      guard.ttlSec === undefined
        ? ['SET', guard.key, guard.value]
        : ['SET', guard.key, guard.value, 'EX', String(guard.ttlSec)];
    const tail = await pipe.send(encodeCommands([set, ['DEL', this.lock[0]], ['EXEC']]), 3, true);
    await multi;
    this.watching = false;
    const exec = tail.values[2];
    if (exec === null) return { applied: false, commandErrors: 0 };
    if (exec instanceof ReplyError || !Array.isArray(exec)) {
      // EXECABORT: a command was refused while queued (out of memory, a moved slot…); nothing was applied.
      const why = queued[0] ?? tail.errors[0] ?? String(exec);
      throw new Error(`Redis refused the batch's transaction: ${why}`);
    }
    this.held = false;
    const result: CommitResult = { applied: true, commandErrors: 0 };
    for (let i = 0; i < exec.length - 2; i++) {
      const v = exec[i];
      if (v instanceof ReplyError) {
        result.commandErrors++;
        result.firstError ??= v.message;
      }
    }
    const g = exec[exec.length - 2];
    if (g instanceof ReplyError) throw new Error(`Redis applied the batch but refused its position: ${g.message}`);
    return result;
  }

  /** Ends an attempt that did not commit: UNWATCH, and gives the lock back if held. Never throws. */
  async end(): Promise<void> {
    try {
      if (this.held) {
        this.held = false;
        this.watching = false;
        await this.pipe.sendCommands([['UNWATCH'], ['EVAL', RELEASE_LUA, '1', this.lock[0], this.token]]);
      } else if (this.watching) {
        this.watching = false;
        await this.pipe.send(UNWATCH, 1);
      }
    } catch {
      /* the connection is gone, and with it the WATCH; the lock runs out on its own */
    }
  }
}

/**
 * Step 3: for each entry whose wanted key is `taken`, the next free key of its base (`base:{n}`,
 * n above every n the batch uses, skipping keys that exist): candidates are checked with
 * `exists` in windows that double, so a base with thousands of stored entries costs a few round
 * trips. Returns wanted key → key to write.
 */
export async function allocate(
  entryKeys: readonly string[],
  entryN: readonly number[],
  taken: readonly boolean[],
  exists: (keys: string[]) => Promise<boolean[]>,
): Promise<Map<string, string>> {
  const renames = new Map<string, string>();
  const used = new Set(entryKeys);
  /** Per base: the wanted keys to move, the next n to try, and the window size. */
  const bases = new Map<string, { pending: string[]; next: number; window: number }>();
  const baseOf = (i: number) => {
    const n = entryN[i]!;
    const k = entryKeys[i]!;
    return n === 1 ? k : k.slice(0, k.length - String(n).length - 1);
  };
  for (let i = 0; i < entryKeys.length; i++) {
    if (!taken[i]) continue;
    const base = baseOf(i);
    const b = bases.get(base);
    if (b === undefined) bases.set(base, { pending: [entryKeys[i]!], next: 0, window: 0 });
    else b.pending.push(entryKeys[i]!);
  }
  if (bases.size === 0) return renames;
  for (let i = 0; i < entryKeys.length; i++) {
    const b = bases.get(baseOf(i));
    if (b !== undefined && entryN[i]! >= b.next) b.next = entryN[i]! + 1;
  }
  for (const b of bases.values()) b.window = Math.max(4, b.pending.length);
  for (let round = 0; bases.size > 0; round++) {
    if (round === 40) throw new Error("Could not find free keys for the batch's entries.");
    const cands: string[] = [];
    const owner: string[] = [];
    for (const [base, b] of bases) {
      for (let n = b.next; n < b.next + b.window; n++) {
        const key = entryKey(base, n);
        if (used.has(key)) continue;
        cands.push(key);
        owner.push(base);
      }
      b.next += b.window;
      b.window *= 2;
    }
    const ex = await exists(cands);
    for (let i = 0; i < cands.length; i++) {
      if (ex[i]) continue;
      const b = bases.get(owner[i]!);
      if (b === undefined || b.pending.length === 0) continue;
      const key = cands[i]!;
      renames.set(b.pending.shift()!, key);
      used.add(key);
    }
    for (const [base, b] of bases) if (b.pending.length === 0) bases.delete(base);
  }
  return renames;
}
