/** Every Redis key and channel of one deployment, under its prefix. */
export function redisKeys(prefix: string) {
  return {
    prefix,
    task: (id: string) => `${prefix}:task:${id}`,
    input: (id: string) => `${prefix}:task:${id}:input`,
    image: (id: string) => `${prefix}:task:${id}:image`,
    /** pending ids, scored by arrival: ZRANK is the queue position */
    pending: `${prefix}:pending`,
    /** processing ids, scored by when they started */
    processing: `${prefix}:processing`,
    /** one client's pending ids, in arrival order: its lane of the fair queue */
    lane: (client: string) => `${prefix}:lane:${client}`,
    lanePrefix: `${prefix}:lane:`,
    /** the clients with something pending, in the order they take turns */
    turns: `${prefix}:turns`,
    /** which task a BullMQ job (a slot token) holds, from its claim until the task ends */
    claim: (jobId: string) => `${prefix}:claim:${jobId}`,
    claimPrefix: `${prefix}:claim:`,
    taskPrefix: `${prefix}:task:`,
    /** arrival counter behind the pending scores */
    seq: `${prefix}:seq`,
    /** the open tiled tasks (more than one model run), id → runs, for the ETA of the tasks behind them */
    tiled: `${prefix}:tiled`,
    /** bytes of uploads not yet finished */
    inputBytes: `${prefix}:input_bytes`,
    /** the ids of inference processes that have sent a heartbeat */
    inference: `${prefix}:inference_ids`,
    /** one process's heartbeat JSON, expiring unless renewed */
    heartbeat: (id: string) => `${prefix}:inference:${id}`,
    /** the detectors the inference processes hold: model name → ModelInfo JSON */
    models: `${prefix}:models`,
    /** pub/sub: one message per transition */
    events: `${prefix}:events`,
    /** webhook events waiting for an attempt, `{task}:{event}` scored by when it is due (or its lease ends) */
    webhooksDue: `${prefix}:webhooks:due`,
    /** one event's delivery state and payload, by `{task}:{event}` */
    webhookPrefix: `${prefix}:webhook:`,
    /** one client's Idempotency-Key, by a hash of both */
    idempotency: (digest: string) => `${prefix}:idem:${digest}`,
    /** BullMQ's own keys live under this prefix, a queue per model (queueName) */
    bullPrefix: `${prefix}:bull`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;

/**
 * The BullMQ queue of one model's slot tokens: a task's token goes to its
 * model's queue, and only processes that hold the model consume it, so a task
 * runs only where its model is. (BullMQ refuses ':' in a queue name; model
 * names have none: src/config/model-list.ts.)
 */
export const queueName = (model: string) => `detect-${model}`;
