import { type Job, Worker as QueueWorker } from "bullmq";
import type Redis from "ioredis";
import type { Logger } from "../../util/logger";
import { queueName, type RedisKeys } from "./keys";

/** What a model's consumer is made with (an inference process's options, in part). */
export interface ModelConsumerOptions {
  /** BullMQ's consumer connection (blocking) */
  blocking: Redis;
  keys: Pick<RedisKeys, "bullPrefix">;
  concurrency: number;
  jobLockMs: number;
  jobMaxStalls: number;
  log: Logger;
}

/**
 * The BullMQ consumer of one model's queue (keys.ts: queueName): up to
 * `concurrency` jobs at once, each locked for JOB_LOCK_MS and taken over
 * elsewhere after a stall, at most JOB_MAX_STALLS times; then `failed` says so.
 */
export function modelConsumer(
  model: string,
  opts: ModelConsumerOptions,
  process: (job: Job, signal?: AbortSignal) => Promise<unknown>,
  failed: (jobId: string, message: string) => void,
): QueueWorker {
  // Three parameters: BullMQ hands an abort signal only to a processor that takes one.
  const consumer = new QueueWorker(queueName(model), (job, _token, signal) => process(job, signal), {
    connection: opts.blocking,
    prefix: opts.keys.bullPrefix,
    concurrency: opts.concurrency,
    autorun: false,
    lockDuration: opts.jobLockMs,
    stalledInterval: opts.jobLockMs,
    maxStalledCount: opts.jobMaxStalls,
    // Its checks print plain text; the API's cluster view makes them as log lines (cluster-view.ts).
    // Without them BullMQ assumes Redis 5 (as the Queue does): whole-second block timeouts and
    // older job-state scripts, which only delayed jobs (none here) would notice.
    skipVersionCheck: true,
  });
  consumer.on("error", (err) => opts.log.warn("queue consumer error", { model, error: err.message }));
  // A job that lost its process more than JOB_MAX_STALLS times is failed by BullMQ; say why on the task.
  consumer.on("failed", (job, err) => {
    if (job?.id) failed(job.id, err.message);
  });
  return consumer;
}
