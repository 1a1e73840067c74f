// Trace and span ids as lowercase hex, built in one String.fromCharCode call
// from a char-code table (measured faster than Buffer#hexSlice, a native call).
const HI = new Uint8Array(256);
const LO = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  const h = i.toString(16).padStart(2, '0');
  HI[i] = h.charCodeAt(0);
  LO[i] = h.charCodeAt(1);
}

/** 16 bytes at `s` → 32 lowercase hex characters. */
export function traceIdHex(b: Uint8Array, s: number): string {
  const a = b[s]!,
    c = b[s + 1]!,
    d = b[s + 2]!,
    e = b[s + 3]!,
    f = b[s + 4]!,
    g = b[s + 5]!,
    h = b[s + 6]!,
    i = b[s + 7]!;
  const j = b[s + 8]!,
    k = b[s + 9]!,
    l = b[s + 10]!,
    m = b[s + 11]!,
    n = b[s + 12]!,
    o = b[s + 13]!,
    p = b[s + 14]!,
    q = b[s + 15]!;
  return String.fromCharCode(
    HI[a]!,
    LO[a]!,
    HI[c]!,
    LO[c]!,
    HI[d]!,
    LO[d]!,
    HI[e]!,
    LO[e]!,
    HI[f]!,
    LO[f]!,
    HI[g]!,
    LO[g]!,
    HI[h]!,
    LO[h]!,
    HI[i]!,
    LO[i]!,
    HI[j]!,
    LO[j]!,
    HI[k]!,
    LO[k]!,
    HI[l]!,
    LO[l]!,
    HI[m]!,
    LO[m]!,
    HI[n]!,
    LO[n]!,
    HI[o]!,
    LO[o]!,
    HI[p]!,
    LO[p]!,
    HI[q]!,
    LO[q]!,
  );
}

/** 8 bytes at `s` → 16 lowercase hex characters. */
export function spanIdHex(b: Uint8Array, s: number): string {
  const a = b[s]!,
    c = b[s + 1]!,
    d = b[s + 2]!,
    e = b[s + 3]!,
    f = b[s + 4]!,
    g = b[s + 5]!,
    h = b[s + 6]!,
    i = b[s + 7]!;
  return String.fromCharCode(
    HI[a]!,
    LO[a]!,
    HI[c]!,
    LO[c]!,
    HI[d]!,
    LO[d]!,
    HI[e]!,
    LO[e]!,
    HI[f]!,
    LO[f]!,
    HI[g]!,
    LO[g]!,
    HI[h]!,
    LO[h]!,
    HI[i]!,
    LO[i]!,
  );
}

/** True when all `n` bytes from `s` are zero (an invalid, i.e. absent, id). */
export function allZero(b: Uint8Array, s: number, n: number): boolean {
  for (let i = s, e = s + n; i < e; i++) if (b[i] !== 0) return false;
  return true;
}
