// Mutation fuzzing of both OTLP decoders: thousands of corrupted copies of
// real requests (bytes flipped, cut short, spliced, duplicated), from a fixed
// seed so a failure replays. A corrupt body may decode (protobuf has no
// checksum) or be refused with DecodeError (the receiver's 400), but nothing
// else may escape, and the protobuf decoder's scratch state (slot caches that
// outlive a call) must not leak into the next, valid, request.
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeLogsRequestJson } from '../../src/otlp/decode-json.js';
import { DecodeError, decodeLogsRequestProtobuf } from '../../src/otlp/decode-protobuf.js';
import type { DecodedLogs } from '../../src/otlp/types.js';
import { prng, sdkRecords } from './helpers.js';

const ROUNDS = 4000;

/** One corrupted copy of `src`: 1–4 edits of a random kind. */
function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  let b = Uint8Array.from(src);
  const at = () => Math.floor(rnd() * b.length);
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits && b.length > 0; e++) {
    switch (Math.floor(rnd() * 6)) {
      case 0:
        b[at()] = Math.floor(rnd() * 256);
        break; // any byte
      case 1:
        b[at()] ^= 1 << Math.floor(rnd() * 8);
        break; // one bit
      case 2:
        b = b.subarray(0, at());
        break; // cut short
      case 3: {
        // drop a slice
        const s = at();
        b = Uint8Array.from([...b.subarray(0, s), ...b.subarray(s + 1 + Math.floor(rnd() * 16))]);
        break;
      }
      case 4: {
        // insert random bytes
        const s = at();
        const ins = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256));
        b = Uint8Array.from([...b.subarray(0, s), ...ins, ...b.subarray(s)]);
        break;
      }
      default: {
        // duplicate a slice in place (repeated fields, overlong lengths)
        const s = at();
        const n = Math.floor(rnd() * 64);
        b = Uint8Array.from([...b.subarray(0, s + n), ...b.subarray(s, s + n), ...b.subarray(s + n)]);
      }
    }
  }
  return b;
}

/** Runs the decoder on ROUNDS mutants; returns how many decoded and how many were refused. */
function fuzz(
  base: Uint8Array,
  seed: number,
  decode: (b: Uint8Array) => DecodedLogs,
): { decoded: number; refused: number } {
  const rnd = prng(seed);
  let decoded = 0;
  let refused = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const input = mutate(base, rnd);
    try {
      const out = decode(input);
      expect(Array.isArray(out.records)).toBe(true);
      decoded++;
    } catch (err) {
      if (!(err instanceof DecodeError)) {
        throw new Error(`Mutant ${i} (seed ${seed}) escaped as ${(err as Error)?.name}: ${(err as Error)?.message}`, {
          cause: err,
        });
      }
      refused++;
    }
  }
  return { decoded, refused };
}

/** Decoded records in a comparable form (resource and scope included). */
function snapshot(out: DecodedLogs): string {
  return JSON.stringify(
    out.records.map((r) => ({
      time: r.hrTime,
      observed: r.hrTimeObserved,
      sn: r.severityNumber,
      st: r.severityText,
      body: r.body,
      attrs: r.attributes,
      event: r.eventName,
      span: r.spanContext,
      scope: r.instrumentationScope,
      res: r.resource.attributes,
    })),
    (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v),
  );
}

let proto: Uint8Array;
let json: Uint8Array;

beforeAll(async () => {
  const records = await sdkRecords();
  proto = ProtobufLogsSerializer.serializeRequest(records)!;
  json = JsonLogsSerializer.serializeRequest(records)!;
});

describe('OTLP decoders under corrupted input', () => {
  it.each([
    { format: 'protobuf', base: () => proto, seed: 0x5eed, decode: decodeLogsRequestProtobuf },
    { format: 'JSON', base: () => json, seed: 0xbeef, decode: decodeLogsRequestJson },
  ])('$format: every mutant either decodes or is refused with DecodeError', ({ base, seed, decode }) => {
    const before = snapshot(decode(base()));
    const { decoded, refused } = fuzz(base(), seed, decode);
    // Both outcomes occur, so the mutations reach past the first field.
    expect(refused).toBeGreaterThan(ROUNDS / 10);
    expect(decoded).toBeGreaterThan(0);
    // Nothing a decoder keeps between calls (the protobuf slot caches) holds anything from the mutants.
    expect(snapshot(decode(base()))).toBe(before);
  });

  it('protobuf: a valid request decodes the same right after each refused mutant', () => {
    const expected = snapshot(decodeLogsRequestProtobuf(proto));
    const rnd = prng(0xc0ffee);
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const input = mutate(proto, rnd);
      try {
        decodeLogsRequestProtobuf(input);
        continue;
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
      }
      expect(snapshot(decodeLogsRequestProtobuf(proto))).toBe(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });
});
