// Strings recently found clean (nothing to mask), so that a value repeating
// anywhere (a route, a model name, a templated body) is not scanned again.
// Only strings of 13 characters or more (SHORT_TEXT) are cached: a shorter one is checked
// in about the time a lookup and an insertion take, and is mostly an id.
// A string's verdict depends only on its characters and the redactor's config,
// so one cache serves every position; it is consulted only where a value would
// be scanned (never for keys whose rule masks or drops the value).
//
// Direct-mapped: the slot is picked from the length and five characters and
// then one `===` decides. A Map costs several times more per hit on a freshly
// decoded string: V8 must hash every character first.
// A colliding value just replaces the previous one.

/** log2 of the slot count; bounds memory at 1024 strings of at most MAX_CACHED_LENGTH. */
const BITS = 10;
/** Longer values are neither cached nor looked up: they cost memory and a long compare. */
export const MAX_CACHED_LENGTH = 256;

export class CleanCache {
  private readonly slots: (string | undefined)[] = new Array<string | undefined>(1 << BITS).fill(undefined);

  /** The slot for s (length >= 2). */
  slotOf(s: string): number {
    const n = s.length;
    // The ends tell apart templated texts (GET … / PUT …) and ids that differ in their last digits.
    let h = Math.imul(n ^ (s.charCodeAt(0) << 8) ^ (s.charCodeAt(n >> 2) << 16), 0x9e3779b1);
    h = Math.imul(h ^ s.charCodeAt(n >> 1) ^ (s.charCodeAt(n - 2) << 8) ^ (s.charCodeAt(n - 1) << 16), 0x85ebca6b);
    return h >>> (32 - BITS);
  }

  at(slot: number): string | undefined {
    return this.slots[slot];
  }

  /** Remembers s, found clean, in its slot (from `slotOf(s)`). */
  set(slot: number, s: string): void {
    this.slots[slot] = s;
  }
}
