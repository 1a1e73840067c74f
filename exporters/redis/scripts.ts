// The two Lua scripts that make a retried batch safe, and the chunking of a
// plan's idempotent commands into round trips.
//
// HSET of the same fields, ZADD of the same member, PFADD and EXPIRE can be
// repeated without changing the result, so they are sent as plain commands.
// HINCRBY and XADD cannot: each batch's counter increments for one stats
// hash, and each part of its stream entries, go through a script that first
// sets an idempotency marker with SET NX EX and does nothing if the marker
// was already there. Marker and target share a cluster slot (KeySchema.dedup)
// and are both declared, so the scripts run unchanged on Redis Cluster.
// The `#!lua` shebang makes Redis refuse a script outright when it is out of
// memory instead of failing halfway, so a counter group is all or nothing.
// (Redis ≥ 7.0, as are EXPIRE NX/GT.)
import { createHash } from 'node:crypto';
import { weightOf } from './resp-writer.js';
import type { Cmd } from './writer.js';

/** KEYS: hash, marker. ARGV: marker TTL, hash TTL, then field/increment pairs. */
export const COUNT_LUA = `#!lua
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 3, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** KEYS: stream, marker. ARGV: marker TTL, stream TTL, approximate MAXLEN, then one `data` value per entry. */
export const STREAM_LUA = `#!lua
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 4, #ARGV do redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'data', ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

export const COUNT_SHA = createHash('sha1').update(COUNT_LUA).digest('hex');
export const STREAM_SHA = createHash('sha1').update(STREAM_LUA).digest('hex');

/** Splits commands, in order, into chunks of about `size` weight (an aggregated ZADD of 500 members weighs 500). */
export function chunkCommands(cmds: readonly Cmd[], size: number): Cmd[][] {
  const chunks: Cmd[][] = [];
  let cur: Cmd[] = [];
  let weight = 0;
  for (const c of cmds) {
    const w = weightOf(c);
    if (weight > 0 && weight + w > size) { chunks.push(cur); cur = []; weight = 0; }
    cur.push(c);
    weight += w;
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}
