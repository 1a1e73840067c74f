// The delivery log on its own: positions, release, the byte bound, and the
// durable store's recovery (torn tail, positions that never go backwards).
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeliveryLog, MemoryBudget } from '../../src/delivery/delivery-log.js';
import { SegmentStore } from '../../src/delivery/segment-store.js';
import { requestAuditRecords } from '../../bench/fixtures.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'auditline-dlog-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ids = (rs: { attributes: Record<string, unknown> }[]) =>
  rs.map((r) =>
    String(r.attributes['request.id'] ?? r.attributes['http.request.id'] ?? JSON.stringify(r.attributes).length),
  );

describe('delivery log', () => {
  it('gives each record a position, reads across entries, and releases what every cursor passed', () => {
    const budget = new MemoryBudget(1 << 30);
    const log = new DeliveryLog('logs', budget);
    log.open(0);
    log.addCursor('a', 0);
    log.addCursor('b', 0);
    log.append(requestAuditRecords(0, 3), 300);
    log.append(requestAuditRecords(3, 4), 400);
    expect(log.end).toBe(7);
    expect(log.read(2, 3).records).toHaveLength(3);
    const held = budget.used;
    log.commit('a', 7);
    expect(budget.used).toBe(held); // b still needs them
    log.commit('b', 3);
    expect(log.start).toBe(3);
    expect(budget.used).toBeLessThan(held);
    log.commit('b', 7);
    expect(budget.used).toBe(0);
    expect(log.backlog('a')).toBe(0);
  });

  it('has no room past its memory bound once it holds anything', () => {
    const log = new DeliveryLog('logs', new MemoryBudget(10_000));
    log.open(0);
    expect(log.hasRoom(50_000)).toBe(true); // an empty log takes one oversized request rather than refusing it forever
    log.append(requestAuditRecords(0, 10), 2_000);
    expect(log.hasRoom(50_000)).toBe(false);
  });

  it('starts numbering at the floor the sinks give, so a sink that remembers position N skips nothing new', () => {
    const log = new DeliveryLog('logs', new MemoryBudget(1 << 30));
    log.open(12_345);
    log.addCursor('a', 0);
    log.append(requestAuditRecords(0, 2), 100);
    expect(log.start).toBe(12_345);
    expect(log.end).toBe(12_347);
  });

  it('durable: a new log over the same directory resumes the records and the cursors, and continues the positions', () => {
    const dir = tmp();
    const first = new DeliveryLog('logs', new MemoryBudget(1 << 30), new SegmentStore(dir, true));
    first.open(0);
    first.addCursor('a', 0);
    first.append(requestAuditRecords(0, 5), 500);
    first.append(requestAuditRecords(5, 5), 500);
    first.commit('a', 5);
    first.dispose();

    const again = new DeliveryLog('logs', new MemoryBudget(1 << 30), new SegmentStore(dir, true));
    const saved = again.open(0);
    expect(saved['a']).toBe(5);
    expect(again.end).toBe(10);
    const back = again.read(5, 100).records;
    expect(ids(back)).toEqual(ids(requestAuditRecords(5, 5)));
    again.addCursor('a', 10);
    again.commit('a', 10);
    again.dispose();

    // Everything consumed: a third run still numbers from 10, not 0.
    const third = new DeliveryLog('logs', new MemoryBudget(1 << 30), new SegmentStore(dir, false));
    third.open(0);
    expect(third.end).toBe(10);
    third.dispose();
  });

  it('durable: a frame torn by a crash is cut off and the whole frames before it are kept', () => {
    const dir = tmp();
    const log = new DeliveryLog('logs', new MemoryBudget(1 << 30), new SegmentStore(dir, false));
    log.open(0);
    log.append(requestAuditRecords(0, 4), 400);
    log.dispose();
    const seg = readdirSync(dir).find((n) => n.endsWith('.seg'))!;
    appendFileSync(join(dir, seg), Buffer.from([9, 0, 0, 0, 1, 2, 3])); // half a header
    const again = new DeliveryLog('logs', new MemoryBudget(1 << 30), new SegmentStore(dir, false));
    again.open(0);
    expect(again.end).toBe(4);
    expect(again.read(0, 10).records).toHaveLength(4);
    again.append(requestAuditRecords(4, 1), 100);
    again.dispose();
    const third = new DeliveryLog('logs', new MemoryBudget(1 << 30), new SegmentStore(dir, false));
    third.open(0);
    expect(third.read(0, 10).records).toHaveLength(5);
    third.dispose();
  });

  it('durable: past the memory budget entries are kept only on disk and read back when a cursor gets there', () => {
    const dir = tmp();
    const budget = new MemoryBudget(1);
    const log = new DeliveryLog('logs', budget, new SegmentStore(dir, false));
    log.open(0);
    log.addCursor('a', 0);
    for (let i = 0; i < 5; i++) log.append(requestAuditRecords(i * 10, 10), 1000);
    expect(budget.used).toBeLessThanOrEqual(4 * 1000 * 4); // the first may be held, the rest are not
    expect(ids(log.read(0, 50).records)).toEqual(ids(requestAuditRecords(0, 50)));
    log.dispose();
  });

  it('durable: every value the receiver accepts comes back from disk unchanged (NaN, ±Infinity, -0, doubles beyond int64, bytes, nested maps)', () => {
    const dir = tmp();
    const r = requestAuditRecords(0, 1)[0]!;
    const odd = {
      nan: NaN,
      inf: Infinity,
      ninf: -Infinity,
      nzero: -0,
      big: 1e300,
      two64: 2 ** 64,
      i: 42,
      bytes: new Uint8Array([0, 255, 7]),
      nested: { list: [1, 'a', { deep: true }] },
    };
    r.attributes = { ...r.attributes, ...odd };
    r.body = { kv: { x: -0, y: [NaN] } };
    const log = new DeliveryLog('logs', new MemoryBudget(1), new SegmentStore(dir, false));
    log.open(0);
    log.append([r], 100);
    log.dispose();
    const again = new DeliveryLog('logs', new MemoryBudget(1), new SegmentStore(dir, false));
    again.open(0);
    const back = again.read(0, 1).records[0]!;
    for (const [k, v] of Object.entries(odd)) expect(back.attributes[k], k).toEqual(v);
    expect(Object.is(back.attributes['nzero'], -0)).toBe(true);
    expect(back.body).toEqual({ kv: { x: -0, y: [NaN] } });
    again.dispose();
  });

  it('durable: new records after a restart may start above the old ones (a higher floor); reads and spans follow the jump', () => {
    const dir = tmp();
    const first = new DeliveryLog('logs', new MemoryBudget(1 << 30), new SegmentStore(dir, false));
    first.open(0);
    first.append(requestAuditRecords(0, 3), 300);
    first.dispose();
    const again = new DeliveryLog('logs', new MemoryBudget(1 << 30), new SegmentStore(dir, false));
    again.open(1_000);
    again.addCursor('a', 0);
    again.append(requestAuditRecords(3, 2), 200);
    expect(again.read(0, 10)).toMatchObject({ first: 0 });
    expect(again.read(0, 10).records).toHaveLength(3); // a batch never spans the jump
    expect(again.read(3, 10)).toMatchObject({ first: 1_000 });
    expect(again.read(3, 10).records).toHaveLength(2);
    expect(again.available(0)).toBe(5);
    again.dispose();
  });

  it('durable: the disk bound refuses more', () => {
    const dir = tmp();
    const log = new DeliveryLog('logs', new MemoryBudget(1 << 30), new SegmentStore(dir, false), 2_000);
    log.open(0);
    expect(log.hasRoom(100)).toBe(true);
    log.append(requestAuditRecords(0, 20), 2_000);
    expect(log.hasRoom(100)).toBe(false);
    log.dispose();
  });
});
