/**
 * Webhook deliveries and idempotency keys, as Lua so each is one atomic step
 * across replicas.
 */

/**
 * Lua, shared by the scripts that move a task (TRANSITION, CLAIM_NEXT): a task
 * with a webhook (`hook_due`, `hook_events` in its record) queues the event a
 * move causes, in the same step as the move, so none is missed. NX: one event
 * is queued once, whoever moves the task.
 */
export const QUEUE_WEBHOOK_EVENT = `
local function queue_webhook_event(task, id, event, now)
  local hook = redis.call('HMGET', task, 'hook_due', 'hook_events')
  if hook[1] and string.find(',' .. hook[2] .. ',', ',' .. event .. ',', 1, true) then
    redis.call('ZADD', hook[1], 'NX', now, id .. ':' .. event)
  end
end
`;

/**
 * KEYS: due set. ARGV: now, limit, lease end, delivery prefix, task prefix, delivery ttl ms.
 * Leases the due events to the caller: each one's score moves to the lease's
 * end, so no other replica takes it meanwhile, and if the caller dies the
 * event is due again when the lease ends (taken over, at least once). The
 * attempt is counted as it is leased. An event whose task has expired before
 * its first attempt has nothing to send and is dropped.
 * allow-oom: a Redis at its maxmemory must still send (and then drop) the
 * payloads it holds, which is what frees them.
 * → {{task id, event, url, attempts, payload or ''}, …}
 */
export const CLAIM_DELIVERIES = `#!lua flags=allow-oom
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))) do
  local sep = string.find(m, ':', 1, true)
  local id = string.sub(m, 1, sep - 1)
  local key = ARGV[4] .. m
  local url = redis.call('HGET', key, 'url')
  if not url then
    url = redis.call('HGET', ARGV[5] .. id, 'hook_url')
    if url then redis.call('HSET', key, 'url', url, 'state', 'pending', 'attempts', 0) end
  end
  if url then
    local attempts = redis.call('HINCRBY', key, 'attempts', 1)
    -- in flight now: no next attempt until this one is recorded
    redis.call('HDEL', key, 'next')
    redis.call('PEXPIRE', key, ARGV[6])
    redis.call('ZADD', KEYS[1], ARGV[3], m)
    table.insert(out, {id, string.sub(m, sep + 1), url, attempts, redis.call('HGET', key, 'payload') or ''})
  else
    redis.call('ZREM', KEYS[1], m)
  end
end
return out
`;

/**
 * KEYS: due set, delivery. ARGV: member, attempts of the claim, next due ('' when finished), field/value pairs…
 * Records an attempt unless a later one (a takeover after this lease lapsed) has been counted since.
 * allow-oom, as CLAIM_DELIVERIES.
 */
export const RECORD_DELIVERY = `#!lua flags=allow-oom
if tonumber(redis.call('HGET', KEYS[2], 'attempts') or '0') ~= tonumber(ARGV[2]) then return 0 end
redis.call('HDEL', KEYS[2], 'status', 'error', 'next')
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
if ARGV[3] == '' then redis.call('ZREM', KEYS[1], ARGV[1]) else redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
return 1
`;

/**
 * KEYS: the key's record. ARGV: fingerprint, hold ms.
 * → {'new'} | {'conflict'} | {'in_progress'} | {'replay', task id, status}
 */
export const RESERVE_KEY = `
local v = redis.call('HMGET', KEYS[1], 'fp', 'task', 'status')
if not v[1] then
  redis.call('HSET', KEYS[1], 'fp', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'new'}
end
if v[1] ~= ARGV[1] then return {'conflict'} end
if not v[2] then return {'in_progress'} end
return {'replay', v[2], v[3]}
`;

/** KEYS: the key's record. Frees a key whose request was refused, unless it was answered meanwhile. */
export const RELEASE_KEY = `
if redis.call('HEXISTS', KEYS[1], 'task') == 0 then redis.call('DEL', KEYS[1]) end
return 1
`;
