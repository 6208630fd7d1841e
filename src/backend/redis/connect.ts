import Redis from "ioredis";

/**
 * One Redis connection per job, each set for how it must behave when Redis
 * goes away:
 * - "api": request handlers; commands fail at once (→ 503) instead of piling up.
 * - "durable": an inference process's writes; they wait for Redis to return,
 *   so a finished result is not dropped by a blip.
 * - "blocking": BullMQ's worker and subscribers; BullMQ requires unlimited retries.
 * ioredis reconnects by itself in every case.
 */
export function connectRedis(url: string, role: "api" | "durable" | "blocking", name: string): Redis {
  const client = new Redis(url, {
    connectionName: name,
    ...(role === "api" ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { maxRetriesPerRequest: null }),
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  client.on("error", () => {}); // the owner reports outages once, from "close"/"ready"
  return client;
}
