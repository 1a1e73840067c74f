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
  constructor(message: string, readonly offset: number) {
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
    if (t <= 0x7f || t >= 0xe0) { p += 1; continue; }
    if (t <= 0x8f) { pending += 2 * (t & 0x0f); p += 1; continue; }
    if (t <= 0x9f) { pending += t & 0x0f; p += 1; continue; }
    if (t <= 0xbf) { p += 1 + (t & 0x1f); continue; }
    let n: number;
    switch (t) {
      case 0xc0: case 0xc2: case 0xc3: p += 1; break;
      case 0xc1: throw new AuditFormatError(`Invalid MessagePack byte 0xc1 at byte ${base + p}.`, base + p);
      case 0xc4: case 0xd9: if ((n = len(b, p + 1, 1, end)) < 0) return INCOMPLETE; p += 2 + n; break;
      case 0xc5: case 0xda: if ((n = len(b, p + 1, 2, end)) < 0) return INCOMPLETE; p += 3 + n; break;
      case 0xc6: case 0xdb: if ((n = len(b, p + 1, 4, end)) < 0) return INCOMPLETE; p += 5 + n; break;
      case 0xc7: if ((n = len(b, p + 1, 1, end)) < 0) return INCOMPLETE; p += 3 + n; break;
      case 0xc8: if ((n = len(b, p + 1, 2, end)) < 0) return INCOMPLETE; p += 4 + n; break;
      case 0xc9: if ((n = len(b, p + 1, 4, end)) < 0) return INCOMPLETE; p += 6 + n; break;
      case 0xca: case 0xce: case 0xd2: p += 5; break;
      case 0xcb: case 0xcf: case 0xd3: p += 9; break;
      case 0xcc: case 0xd0: p += 2; break;
      case 0xcd: case 0xd1: p += 3; break;
      case 0xd4: p += 3; break;
      case 0xd5: p += 4; break;
      case 0xd6: p += 6; break;
      case 0xd7: p += 10; break;
      case 0xd8: p += 18; break;
      case 0xdc: if ((n = len(b, p + 1, 2, end)) < 0) return INCOMPLETE; pending += n; p += 3; break;
      case 0xdd: if ((n = len(b, p + 1, 4, end)) < 0) return INCOMPLETE; pending += n; p += 5; break;
      case 0xde: if ((n = len(b, p + 1, 2, end)) < 0) return INCOMPLETE; pending += 2 * n; p += 3; break;
      case 0xdf: if ((n = len(b, p + 1, 4, end)) < 0) return INCOMPLETE; pending += 2 * n; p += 5; break;
      default: throw new AuditFormatError(`Invalid MessagePack byte 0x${t.toString(16)} at byte ${base + p}.`, base + p);
    }
  }
  return p <= end ? p : INCOMPLETE;
}

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
  get offset(): number { return this.base + this.pos; }

  /** Bytes held that do not yet form a whole entry. */
  get pendingBytes(): number { return this.len - this.pos; }

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
        throw new AuditFormatError(`Not an audit entry at byte ${at}: expected a MessagePack map, found byte 0x${b[this.pos]!.toString(16)}.`, at);
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
    timestamp: typeof m.timestamp === 'number' ? m.timestamp : typeof m.timestamp === 'bigint' ? Number(m.timestamp) : 0,
    data: data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
  };
}
