// Attribute objects built from an object literal compiled once per key
// sequence. V8 creates such an object with its final hidden class in one step;
// keyed stores into `{}` walk the transition tree per key (measured ~10x
// slower for 10 keys on Node 20). Keys enter the source only through
// JSON.stringify, so they are inert string literals.
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';

export type MakeAttributes = (values: AnyValue[]) => LogAttributes;

/** A key sequence and, once it has recurred, the literal that builds it. */
export class Shape {
  readonly keys: string[];
  /** False for key sets that must take the keyed path (see `compilable`). */
  readonly compilable: boolean;
  make: MakeAttributes | undefined = undefined;
  seen = 0;

  constructor(keys: string[]) {
    this.keys = keys;
    this.compilable = compilable(keys);
  }

  /** True when the first n entries of `keys` are this shape's keys in order. */
  matches(keys: string[], n: number): boolean {
    const own = this.keys;
    if (own.length !== n) return false;
    for (let i = 0; i < n; i++) if (own[i] !== keys[i]) return false;
    return true;
  }
}

const MAX_SHAPES = 512;
const MAX_KEYS = 64;
// A shape is compiled on its second sighting, so one-off key sets cost nothing.
const COMPILE_AFTER = 2;
const shapes = new Map<string, Shape>();

// The last few shapes used: records of a few kinds interleave (with and
// without an optional attribute, say), and checking these is far cheaper than
// joining the keys for the map (measured: the join cost ~15% of decoding).
const RECENT = 8;
const recent: (Shape | undefined)[] = new Array<Shape | undefined>(RECENT).fill(undefined);
let recentNext = 0;

/**
 * The shape for `keys[0..n)`: `last` or a recent shape when one matches (no
 * allocation), else from the cache. Compiles the literal when a shape recurs.
 */
export function shapeFor(keys: string[], n: number, last: Shape | undefined): Shape {
  let shape = last !== undefined && last.matches(keys, n) ? last : findRecent(keys, n);
  if (shape === undefined) {
    const sig = n === 1 ? keys[0]! : keys.slice(0, n).join('\u0000');
    shape = shapes.get(sig);
    // A key holding U+0000 can make two key sequences share a signature.
    if (shape === undefined || !shape.matches(keys, n)) {
      // Bounded: a client sending ever-new key sets cannot grow this without limit.
      if (shapes.size >= MAX_SHAPES) shapes.clear();
      shape = new Shape(keys.slice(0, n));
      shapes.set(sig, shape);
    }
    recent[recentNext] = shape;
    recentNext = (recentNext + 1) % RECENT;
  }
  if (shape.make === undefined && shape.compilable && ++shape.seen >= COMPILE_AFTER) {
    shape.make = compileShape(shape.keys);
  }
  return shape;
}

function findRecent(keys: string[], n: number): Shape | undefined {
  for (let i = 0; i < RECENT; i++) {
    const s = recent[i];
    if (s !== undefined && s.matches(keys, n)) return s;
  }
  return undefined;
}

function compilable(keys: string[]): boolean {
  // `{"__proto__": v}` in a literal sets the prototype; such sets take the keyed path.
  return keys.length <= MAX_KEYS && !keys.includes('__proto__');
}

export function compileShape(keys: string[]): MakeAttributes {
  const fields = keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ');
  return new Function('v', `return { ${fields} };`) as MakeAttributes;
}
