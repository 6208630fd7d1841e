/**
 * Which backend the API tests run against: `TEST_BACKEND=redis` (with
 * REDIS_URL) runs the same suite on Redis + BullMQ; the default is embedded.
 * `bun run test` runs tests/api both ways.
 */
export const TEST_BACKEND: "embedded" | "redis" = process.env.TEST_BACKEND === "redis" ? "redis" : "embedded";
export const onRedis = TEST_BACKEND === "redis";

/** The Redis the tests use; .ci/run and src/tools/run-tests.ts start one and set it. */
export function testRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error("REDIS_URL is not set: run the tests with `bun run test`, which starts a Redis, or point REDIS_URL at one");
  return url;
}

/** A key prefix no other test service shares, so services in one Redis never see each other's tasks. */
export function uniquePrefix(label = "t"): string {
  return `test:${label}:${crypto.randomUUID().slice(0, 8)}`;
}

/** The environment that selects the backend under test. */
export function backendEnv(): Record<string, string> {
  return onRedis ? { QUEUE_BACKEND: "redis", REDIS_URL: testRedisUrl(), REDIS_PREFIX: uniquePrefix(), JOB_LOCK_MS: "5000" } : {};
}
