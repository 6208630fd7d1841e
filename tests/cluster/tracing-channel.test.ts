import { afterAll, beforeAll, expect, test } from "bun:test";
import diagnostics from "node:diagnostics_channel";
import type Redis from "ioredis";
import { connectRedis } from "../../src/backend/redis/connect";
import { testRedisUrl } from "../support/backend";

// ioredis traces a command only when its tracing channel says someone listens
// (tracing-channel.ts): nobody listening, no tracing; a tracer that subscribes
// still sees every command, with its arguments.
let redis: Redis;
const channel = diagnostics.tracingChannel("ioredis:command");

beforeAll(() => {
  redis = connectRedis(testRedisUrl(), "durable", "yolo-test-tracing");
});
afterAll(() => redis.disconnect());

test("a tracing channel reports no subscribers until one subscribes, and none after it leaves", () => {
  expect(channel.hasSubscribers).toBe(false);
  const handlers = { start() {}, end() {}, asyncStart() {}, asyncEnd() {}, error() {} };
  channel.subscribe(handlers);
  expect(channel.hasSubscribers).toBe(true);
  channel.unsubscribe(handlers);
  expect(channel.hasSubscribers).toBe(false);
});

test("a tracer that subscribes is told every command", async () => {
  const seen: { command: string; args: string[] }[] = [];
  const handlers = { start: (ctx: unknown) => void seen.push(ctx as { command: string; args: string[] }), end() {}, asyncStart() {}, asyncEnd() {}, error() {} };
  channel.subscribe(handlers);
  try {
    await redis.set("test:tracing:key", "value", "PX", 1000);
  } finally {
    channel.unsubscribe(handlers);
  }
  expect(seen.map((c) => c.command)).toContain("set");
  // Unsubscribed: a command after this is not traced.
  await redis.get("test:tracing:key");
  expect(seen.map((c) => c.command)).not.toContain("get");
});
