/**
 * The task store's writes, as Lua so each is one atomic step on the server:
 * no two replicas can both admit the last queue slot, and a result cannot
 * land on a task that was canceled a moment before. The fair queue's own
 * scripts are in fair-scripts.ts.
 */
import { FAIR_POSITION } from "./fair-scripts";
import { QUEUE_WEBHOOK_EVENT } from "./webhook-scripts";

/**
 * KEYS: task, pending, input, inputBytes, seq, lane (the client's), turns
 * ARGV: id, queueMax, maxBytes, channel, event, clientQueueMax, client, lane prefix, newcomer reserve, field/value pairs…
 * The upload is already at KEYS[3], SET just before with an expiry
 * (RedisTaskStore.create): through ARGV, Redis would copy and hash all of
 * its bytes into Lua, ~1 µs per KB, where STRLEN and PERSIST cost nothing.
 * An admission keeps it (no expiry while open), a refusal deletes it.
 * The checks are backend/admission.ts's refusalFor, in its order: the client's
 * own cap (only while other clients wait), the queue, the places kept for
 * clients with nothing waiting, the bytes held.
 * → {"ok", position} | {"client_queue_full" | "queue_full" | "client_reserve" | "memory_full", 0} | {"no_upload", 0}
 */
export const CREATE_TASK = `
${FAIR_POSITION}
local size = redis.call('STRLEN', KEYS[3])
-- its SET failed: the caller reports that failure
if size == 0 then return {'no_upload', 0} end
local function refuse(code)
  redis.call('DEL', KEYS[3])
  return {code, 0}
end
local backlog = redis.call('LLEN', KEYS[6])
local pending = redis.call('ZCARD', KEYS[2])
-- the turns list every client with tasks waiting, this one among them when it has some
local others = redis.call('LLEN', KEYS[7]) - (backlog > 0 and 1 or 0)
if others > 0 and backlog >= tonumber(ARGV[6]) then return refuse('client_queue_full') end
if pending >= tonumber(ARGV[2]) then return refuse('queue_full') end
if backlog > 0 and pending >= tonumber(ARGV[2]) - tonumber(ARGV[9]) then return refuse('client_reserve') end
local held = tonumber(redis.call('GET', KEYS[4]) or '0')
if held + size > tonumber(ARGV[3]) then return refuse('memory_full') end
redis.call('HSET', KEYS[1], 'status', 'pending', 'input_bytes', size, 'attempts', 0, 'client', ARGV[7], unpack(ARGV, 10))
redis.call('PERSIST', KEYS[3])
redis.call('INCRBY', KEYS[4], size)
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[5]), ARGV[1])
-- a client with nothing pending joins the end of the turns
local waiting = redis.call('RPUSH', KEYS[6], ARGV[1])
if waiting == 1 then redis.call('RPUSH', KEYS[7], ARGV[7]) end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return {'ok', fair_position(KEYS[7], ARGV[8], ARGV[7], waiting - 1)}
`;

/**
 * KEYS: task, pending, processing, input, image, inputBytes, turns
 * ARGV: id, to, now, allowed from (comma list), ttl ms (0 while not terminal),
 *       channel, event, annotated JPEG ('' for none), lane prefix, claim prefix,
 *       key of the annotated JPEG SET ahead ('' for none), field/value pairs…
 * The JPEG comes SET ahead under a key of its own, as uploads do (see
 * CREATE_TASK), and is renamed into place; inline only when Redis refused
 * that SET (full: this script may still write). Whatever the outcome, the
 * key SET ahead is gone afterwards.
 * A move out of pending takes the id out of its client's lane (and the client
 * out of the turns when that empties it). A terminal move drops the upload,
 * keeps the result for ttl, lets the record expire with it and frees the
 * job that held the task. A task with a webhook (`hook_due`, `hook_events`
 * in its record) queues the event the move causes in the deliveries' set.
 * allow-oom (Redis ≥ 7): a Redis at its maxmemory refuses new uploads
 * (CREATE_TASK), but must still let open tasks finish or be canceled, which
 * is what frees the memory; otherwise they would stay open forever.
 * → {"ok", previous status} | {"refused", current status} | {"missing", ""}
 */
export const TRANSITION = `#!lua flags=allow-oom
${QUEUE_WEBHOOK_EVENT}
local staged = ARGV[11]
local function answer(outcome, status)
  if string.len(staged) > 0 then redis.call('DEL', staged) end
  return {outcome, status}
end
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return answer('missing', '') end
if not string.find(',' .. ARGV[4] .. ',', ',' .. status .. ',', 1, true) then return answer('refused', status) end
local to = ARGV[2]
if status == 'pending' then
  local client = redis.call('HGET', KEYS[1], 'client')
  if client then
    local lane = ARGV[9] .. client
    redis.call('LREM', lane, 0, ARGV[1])
    if redis.call('LLEN', lane) == 0 then redis.call('LREM', KEYS[7], 0, client) end
  end
end
redis.call('HSET', KEYS[1], 'status', to, 'updated', ARGV[3])
for i = 12, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
if to == 'processing' then
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
else
  redis.call('ZREM', KEYS[3], ARGV[1])
end
local ttl = tonumber(ARGV[5])
if ttl > 0 then
  local held = tonumber(redis.call('HGET', KEYS[1], 'input_bytes') or '0')
  if held > 0 then redis.call('DECRBY', KEYS[6], held) end
  redis.call('HSET', KEYS[1], 'input_bytes', 0)
  redis.call('DEL', KEYS[4])
  if string.len(ARGV[8]) > 0 then
    redis.call('SET', KEYS[5], ARGV[8], 'PX', ttl)
    redis.call('HSET', KEYS[1], 'has_image', 1)
  elseif string.len(staged) > 0 and redis.call('EXISTS', staged) == 1 then
    redis.call('RENAME', staged, KEYS[5])
    redis.call('PEXPIRE', KEYS[5], ttl)
    redis.call('HSET', KEYS[1], 'has_image', 1)
  end
  redis.call('PEXPIRE', KEYS[1], ttl)
  local job = redis.call('HGET', KEYS[1], 'job')
  if job then redis.call('DEL', ARGV[10] .. job) end
end
if to == 'processing' and status == 'pending' then queue_webhook_event(KEYS[1], ARGV[1], 'start', ARGV[3])
elseif ttl > 0 then queue_webhook_event(KEYS[1], ARGV[1], 'completed', ARGV[3]) end
redis.call('PUBLISH', ARGV[6], ARGV[7])
return answer('ok', status)
`;

/**
 * KEYS: heartbeat, ids, models; ARGV: id, heartbeat JSON, ttl ms, then per
 * model it holds its name and its ModelInfo JSON. The descriptions go with
 * every beat, so a Redis that lost its data learns them again at once. allow-oom: a couple of KB; a full Redis must not
 * make every inference process look dead while its tasks still run.
 */
export const HEARTBEAT = `#!lua flags=allow-oom
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
if #ARGV > 3 then redis.call('HSET', KEYS[3], unpack(ARGV, 4)) end
return 1
`;

/**
 * KEYS: task, pending, processing, input, inputBytes, turns; ARGV: id, lane prefix.
 * An open id whose record is gone (deleted by hand, evicted): drop it from
 * the open sets and give back its upload's bytes, or it would count against
 * QUEUE_MAX and MAX_STORE_BYTES forever. Its client went with the record, so
 * every lane in the turns is searched (rare, and bounded by QUEUE_MAX).
 * allow-oom: it only frees memory.
 * → 1 when dropped, 0 when the record exists after all
 */
export const FORGET_ORPHAN = `#!lua flags=allow-oom
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for _, client in ipairs(redis.call('LRANGE', KEYS[6], 0, -1)) do
  local lane = ARGV[2] .. client
  if redis.call('LREM', lane, 0, ARGV[1]) > 0 and redis.call('LLEN', lane) == 0 then redis.call('LREM', KEYS[6], 0, client) end
end
local size = redis.call('STRLEN', KEYS[4])
if size > 0 then redis.call('DECRBY', KEYS[5], size) end
redis.call('DEL', KEYS[4])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
`;
