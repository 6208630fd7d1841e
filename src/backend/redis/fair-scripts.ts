import { QUEUE_WEBHOOK_EVENT } from "./webhook-scripts";

/**
 * The fair queue in Redis, as Lua: each client's pending ids wait in its own
 * list (its lane), and `turns` lists the clients with something pending in
 * the order they are served; the same round robin as src/queue/fair-queue.ts.
 * Lanes are found from the client's name (ARGV lane prefix), so these
 * scripts touch keys they do not declare: fine on one primary, which the
 * Redis backend requires anyway.
 */

/**
 * 1-based position of the item at index `j` (0-based) of `client`'s lane:
 * j full turns (each client gives min(its length, j)) plus the clients ahead
 * of it in this turn that still have a (j+1)-th item. Mirrors
 * FairQueue.positionOf, so both backends answer alike.
 */
export const FAIR_POSITION = `
local function fair_position(turns, lane_prefix, client, j)
  local before = 0
  local ahead = true
  for _, other in ipairs(redis.call('LRANGE', turns, 0, -1)) do
    if other == client then ahead = false end
    local n = redis.call('LLEN', lane_prefix .. other)
    before = before + math.min(n, j)
    if ahead and n > j then before = before + 1 end
  end
  return before + 1
end
`;

/**
 * Run by a BullMQ job (a slot token of one model's queue) when it starts. A
 * job that already holds a task (it was taken over after its process died)
 * gets that task back; otherwise it claims the fair-next pending task of its
 * model: in the order of the turns, the first task of that model in the
 * client's lane (the head, when one model serves every task), moved to
 * processing in the same step, and the client goes to the back of the turns.
 * Ids left in a lane without a pending record (canceled, expired) are dropped
 * on the way. A task recorded without a model (queued before models had
 * names) is any model's.
 * KEYS: claim, turns, pending, processing
 * ARGV: job id, now, lane prefix, task prefix, channel, model
 * → {"held", id} | {"claimed", id} | {"none", ""}
 * allow-oom: it only moves a task along, like TRANSITION.
 */
export const CLAIM_NEXT = `#!lua flags=allow-oom
${QUEUE_WEBHOOK_EVENT}
local held = redis.call('GET', KEYS[1])
if held then return {'held', held} end
local function claim(client, lane, id, task, created)
  redis.call('LREM', lane, 1, id)
  -- served: to the back of the turns, or out of them when nothing is left
  redis.call('LREM', KEYS[2], 1, client)
  if redis.call('LLEN', lane) > 0 then redis.call('RPUSH', KEYS[2], client) end
  local now = tonumber(ARGV[2])
  created = tonumber(created or now)
  redis.call('HSET', task, 'status', 'processing', 'updated', ARGV[2], 'started', ARGV[2], 'job', ARGV[1])
  redis.call('HINCRBY', task, 'attempts', 1)
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZADD', KEYS[4], ARGV[2], id)
  redis.call('SET', KEYS[1], id)
  queue_webhook_event(task, id, 'start', ARGV[2])
  redis.call('PUBLISH', ARGV[5], cjson.encode({id = id, status = 'processing', queueMs = now - created}))
  return {'claimed', id}
end
-- the task behind an id when it is a pending one of this model; a stale id (no pending record) leaves its lane
local function match(lane, id)
  local task = ARGV[4] .. id
  local fields = redis.call('HMGET', task, 'status', 'model', 'created')
  if fields[1] ~= 'pending' then
    redis.call('LREM', lane, 0, id)
    return nil
  end
  if not fields[2] or fields[2] == '' or fields[2] == ARGV[6] then return task, fields[3] end
  return nil
end
-- the lane's first task of this model: its head when one model serves every task (one read), else looked for
local function first_of_model(lane)
  local head = redis.call('LINDEX', lane, 0)
  if not head then return nil end
  local task, created = match(lane, head)
  if task then return head, task, created end
  for _, id in ipairs(redis.call('LRANGE', lane, 0, -1)) do
    task, created = match(lane, id)
    if task then return id, task, created end
  end
  return nil
end
for _, client in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local lane = ARGV[3] .. client
  local id, task, created = first_of_model(lane)
  if id then return claim(client, lane, id, task, created) end
  if redis.call('LLEN', lane) == 0 then redis.call('LREM', KEYS[2], 0, client) end
end
return {'none', ''}
`;

/**
 * Task records with their positions, many in one call (task-reads.ts folds
 * the reads of one moment into it: a transition makes every pending task's
 * event stream re-read at once). KEYS: turns; ARGV: lane prefix, task
 * prefix, then per task its id and "1" when the caller holds its record from
 * when it was pending ("0" otherwise) → per id: its record as HGETALL gives
 * it (empty when there is none, or when unchanged), its position (0 unless
 * pending), and 1 when it is still pending as held (a pending record never
 * changes: every write to it moves it out of pending), else 0.
 * Positions follow fair_position's rule, with the turns and their lanes'
 * lengths read once per call rather than once per id (the script is atomic,
 * so they cannot change in between).
 * no-writes: a full Redis must still answer polls.
 */
export const READ_TASKS = `#!lua flags=no-writes
local turns, lengths
local function position(client, j)
  if not turns then
    turns = redis.call('LRANGE', KEYS[1], 0, -1)
    lengths = {}
    for k, other in ipairs(turns) do lengths[k] = redis.call('LLEN', ARGV[1] .. other) end
  end
  local before = 0
  local ahead = true
  for k, other in ipairs(turns) do
    if other == client then ahead = false end
    local n = lengths[k]
    before = before + math.min(n, j)
    if ahead and n > j then before = before + 1 end
  end
  return before + 1
end
local out = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local key = ARGV[2] .. id
  local status, client, record
  if ARGV[i + 1] == '1' then
    local known = redis.call('HMGET', key, 'status', 'client')
    status, client = known[1], known[2]
  end
  local unchanged = status == 'pending'
  if not unchanged then
    record = redis.call('HGETALL', key)
    for f = 1, #record, 2 do
      if record[f] == 'status' then status = record[f + 1] elseif record[f] == 'client' then client = record[f + 1] end
    end
  end
  local at = 0
  if client and status == 'pending' then
    local j = redis.call('LPOS', ARGV[1] .. client, id)
    if j then at = position(client, j) end
  end
  out[#out + 1] = record or {}
  out[#out + 1] = at
  out[#out + 1] = unchanged and 1 or 0
end
return out
`;

/**
 * KEYS: turns; ARGV: lane prefix, n → {active clients, client, waiting, …} for
 * the n clients with the most waiting, most first.
 */
export const CLIENT_STATS = `#!lua flags=no-writes
local n = tonumber(ARGV[2])
local top = {}
local clients = redis.call('LRANGE', KEYS[1], 0, -1)
for _, client in ipairs(clients) do
  local waiting = redis.call('LLEN', ARGV[1] .. client)
  local i = #top + 1
  while i > 1 and (top[i - 1][2] < waiting or (top[i - 1][2] == waiting and top[i - 1][1] > client)) do i = i - 1 end
  if i <= n then
    table.insert(top, i, {client, waiting})
    if #top > n then table.remove(top) end
  end
end
local out = {#clients}
for _, t in ipairs(top) do
  table.insert(out, t[1])
  table.insert(out, t[2])
end
return out
`;
