// Incremental reader for audit files: bytes are pushed as they arrive (a file
// being appended to may end mid-entry), complete entries come out with their
// byte offsets, and corruption is reported at the exact offset. Entry
// boundaries are found by a small MessagePack length scanner; each complete
// entry is then decoded with @msgpack/msgpack.
import { Decoder } from '@msgpack/msgpack';

export interface AuditEntry {
  action: string;
  session: string;
  timestamp: number;
  data: Record<string, unknown>;
}

export class AuditFormatError extends Error {
  override name = 'AuditFormatError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const INCOMPLETE = -1;

/**
 * End offset of the MessagePack object starting at `start`, or -1 when the
 * bytes up to `end` hold only part of it. Throws at a byte that can never
 * start a value (0xc1).
 */
export function msgpackObjectEnd(b: Uint8Array, start: number, end: number, base = 0): number {
  let p = start;
  let pending = 1; // values still to skip, counting map keys and values separately
  while (pending > 0) {
    if (p >= end) return INCOMPLETE;
    const t = b[p]!;
    pending--;
    if (t <= 0x7f || t >= 0xe0) p += 1;
    else if (t <= 0x8f) {
      pending += 2 * (t & 0x0f);
      p += 1;
    } else if (t <= 0x9f) {
      pending += t & 0x0f;
      p += 1;
    } else if (t <= 0xbf) p += 1 + (t & 0x1f);
    else if (FIXED_SIZE[t] !== 0) p += FIXED_SIZE[t]!;
    else {
      const s = SIZED[t];
      if (s === undefined) {
        throw new AuditFormatError(`Invalid MessagePack byte 0x${t.toString(16)} at byte ${base + p}.`, base + p);
      }
      const n = len(b, p + 1, s[0], end);
      if (n < 0) return INCOMPLETE;
      if (s[2] === 0) p += s[1] + n;
      else {
        pending += s[2] * n;
        p += s[1];
      }
    }
  }
  return p <= end ? p : INCOMPLETE;
}

/** Whole size in bytes of the values whose first byte fixes it (nil, booleans, numbers, fixext); 0 for others. */
const FIXED_SIZE = new Uint8Array(256);
for (const [t, n] of [
  [0xc0, 1],
  [0xc2, 1],
  [0xc3, 1],
  [0xcc, 2],
  [0xd0, 2],
  [0xcd, 3],
  [0xd1, 3],
  [0xca, 5],
  [0xce, 5],
  [0xd2, 5],
  [0xcb, 9],
  [0xcf, 9],
  [0xd3, 9],
  [0xd4, 3],
  [0xd5, 4],
  [0xd6, 6],
  [0xd7, 10],
  [0xd8, 18],
] as const) {
  FIXED_SIZE[t] = n;
}

/**
 * Types followed by a big-endian length: [bytes of the length, bytes of the header, values per unit of
 * length (0: the length counts payload bytes: bin, str, ext; 1: array; 2: map)].
 */
const SIZED: Readonly<Record<number, readonly [number, number, number]>> = {
  0xc4: [1, 2, 0],
  0xd9: [1, 2, 0],
  0xc5: [2, 3, 0],
  0xda: [2, 3, 0],
  0xc6: [4, 5, 0],
  0xdb: [4, 5, 0],
  0xc7: [1, 3, 0],
  0xc8: [2, 4, 0],
  0xc9: [4, 6, 0],
  0xdc: [2, 3, 1],
  0xdd: [4, 5, 1],
  0xde: [2, 3, 2],
  0xdf: [4, 5, 2],
};

/** A big-endian length of `size` bytes at `p`, or -1 if not all there. */
function len(b: Uint8Array, p: number, size: number, end: number): number {
  if (p + size > end) return -1;
  if (size === 1) return b[p]!;
  if (size === 2) return (b[p]! << 8) | b[p + 1]!;
  return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
}

function isMapHeader(t: number): boolean {
  return (t >= 0x80 && t <= 0x8f) || t === 0xde || t === 0xdf;
}

export class AuditStreamDecoder {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of `buf` in use. */
  private len = 0;
  private pos = 0;
  /** File offset of buf[0]. */
  private base: number;
  private readonly decoder = new Decoder();

  constructor(startOffset = 0) {
    this.base = startOffset;
  }

  /** File offset of the first byte not yet returned as an entry. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes held that do not yet form a whole entry. */
  get pendingBytes(): number {
    return this.len - this.pos;
  }

  /**
   * Appends bytes. Bytes already decoded are never overwritten (decoded
   * binary values may be views of them); a partial entry grows its buffer
   * geometrically, so a large entry arriving in small pieces stays linear.
   */
  push(chunk: Uint8Array): void {
    const rest = this.len - this.pos;
    if (rest === 0) {
      this.base += this.len;
      this.buf = Buffer.from(chunk);
      this.len = chunk.length;
      this.pos = 0;
      return;
    }
    if (this.len + chunk.length > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(rest + chunk.length, rest * 2, 64 * 1024));
      this.buf.copy(next, 0, this.pos, this.len);
      this.base += this.pos;
      this.buf = next;
      this.len = rest;
      this.pos = 0;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }

  /** Complete entries from the pushed bytes, in order, with their file offsets. */
  *entries(): Generator<{ entry: AuditEntry; offset: number }> {
    const b = this.buf;
    while (this.pos < this.len) {
      const at = this.base + this.pos;
      if (!isMapHeader(b[this.pos]!)) {
        throw new AuditFormatError(
          `Not an audit entry at byte ${at}: expected a MessagePack map, found byte 0x${b[this.pos]!.toString(16)}.`,
          at,
        );
      }
      const end = msgpackObjectEnd(b, this.pos, this.len, this.base);
      if (end === INCOMPLETE) return;
      let value: unknown;
      try {
        value = this.decoder.decode(b.subarray(this.pos, end));
      } catch (err) {
        throw new AuditFormatError(`Cannot decode the entry at byte ${at}: ${(err as Error).message}`, at);
      }
      this.pos = end;
      yield { entry: toEntry(value as Record<string, unknown>), offset: at };
    }
  }
}

function toEntry(m: Record<string, unknown>): AuditEntry {
  const data = m.data;
  return {
    action: typeof m.action === 'string' ? m.action : String(m.action ?? ''),
    session: typeof m.session === 'string' ? m.session : String(m.session ?? ''),
    timestamp:
      typeof m.timestamp === 'number' ? m.timestamp : typeof m.timestamp === 'bigint' ? Number(m.timestamp) : 0,
    data: data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
  };
}
