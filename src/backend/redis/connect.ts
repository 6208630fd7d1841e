import Redis from "ioredis";
import { giveTracingChannelsHasSubscribers } from "./tracing-channel";

/**
 * One Redis connection per job, each set for how it must behave when Redis
 * goes away:
 * - "api": request handlers; commands fail at once while disconnected, and
 *   after API_COMMAND_TIMEOUT_MS on a Redis that hangs (→ 503), instead of piling up.
 * - "durable": an inference process's writes; they wait for Redis to return,
 *   so a finished result is not dropped by a blip.
 * - "blocking": BullMQ's worker and subscribers; BullMQ requires unlimited retries.
 * ioredis reconnects by itself in every case.
 */
/** Longest a request waits on one Redis command; a 20 MB upload's write takes well under this on loopback or a LAN. */
export const API_COMMAND_TIMEOUT_MS = 3000;

export function connectRedis(url: string, role: "api" | "durable" | "blocking", name: string): Redis {
  // Before the first command on any connection (BullMQ's copies of these too): see tracing-channel.ts.
  giveTracingChannelsHasSubscribers();
  const client = new Redis(url, {
    connectionName: name,
    ...(role === "api" ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: API_COMMAND_TIMEOUT_MS } : { maxRetriesPerRequest: null }),
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  client.on("error", () => {}); // the owner reports outages once, from "close"/"ready"
  return client;
}
