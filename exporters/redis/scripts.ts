// The Lua scripts of the writers' lock (once.ts) and of Redis Cluster's
// per-slot application (cluster.ts).
//
// Every writer of one key space (several pipelines, pipeline workers, other
// collectors) takes the lock before it checks which entry keys are free and
// applies its transaction, so two writers never both pick the same free
// `req:` key. A writer that finds the lock held names itself `next`; the
// holder may take the lock again only once `next` has had it, so two busy
// writers alternate instead of one starving the other. Both keys expire on
// their own (a writer that dies holding the lock delays the others by at most
// the lock's lifetime). The `#!lua` shebang needs Redis 7.0 or newer, as do
// EXPIRE NX/GT.

/**
 * KEYS: lock, next. ARGV: token, lock ms, writer id, next ms. Returns 1 when the caller holds the
 * lock (taking it, or already holding it under the same token: a retry of the same batch after
 * a timeout, which renews it and so fences the earlier attempt's WATCH), else 0.
 */
export const ACQUIRE_LUA = `#!lua
local held = redis.call('GET', KEYS[1])
if held == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
local nxt = redis.call('GET', KEYS[2])
if not held and (not nxt or nxt == ARGV[3]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  if nxt then redis.call('DEL', KEYS[2]) end
  return 1
end
if not nxt or nxt == ARGV[3] then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4]) end
return 0
`;

/** KEYS: lock. ARGV: token. Deletes the lock only while it is still the caller's. */
export const RELEASE_LUA = `#!lua
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Redis Cluster: one hash slot's part of a batch, applied at most once (a transaction cannot span
 * slots, so each slot's part is one script call). KEYS: the slot's guard, then every key the
 * commands write (declared for the cluster). ARGV: the batch's end, the guard's TTL in seconds
 * (0: none), then per command its argument count and arguments. Returns { applied (0 when the
 * guard says an earlier attempt applied this part), refused commands, first refusal }.
 * A refused command (WRONGTYPE on a key another program wrote) does not stop the others.
 */
export const APPLY_LUA = `#!lua
local g = tonumber(redis.call('GET', KEYS[1]))
if g and g >= tonumber(ARGV[1]) then return {0, 0, ''} end
local errs, first = 0, ''
local i, n = 3, #ARGV
while i <= n do
  local argc = tonumber(ARGV[i])
  local r = redis.pcall(unpack(ARGV, i + 1, i + argc))
  if type(r) == 'table' and r.err then
    errs = errs + 1
    if first == '' then first = r.err end
  end
  i = i + argc + 1
end
if ARGV[2] == '0' then redis.call('SET', KEYS[1], ARGV[1]) else redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return {1, errs, first}
`;
