/**
 * `bun run test`: the whole suite, then tests/api again on the Redis backend
 * (TEST_BACKEND=redis). Only tests/api runs twice: its tests run the service
 * in-process on whichever backend TEST_BACKEND names. tests/commands (bun
 * start, the production install, the bench) and tests/cluster choose their
 * backend themselves, so a second pass would repeat them unchanged, and
 * tests/container builds and runs the Docker image (starting Docker itself).
 * Uses REDIS_URL when set (CI starts one); otherwise starts a throwaway Redis
 * for the run. Arguments narrow the first pass and skip the second
 * (`bun run test tests/unit`).
 */
import { startLocalRedis } from "./local-redis";

const args = process.argv.slice(2);
const setup = Bun.spawnSync(["bun", "run", "src/tools/ensure-chromium.ts"], { stdout: "inherit", stderr: "inherit" });
if (setup.exitCode !== 0) process.exit(setup.exitCode ?? 1);

const local = process.env.REDIS_URL ? undefined : await startLocalRedis();
const redisUrl = process.env.REDIS_URL ?? local!.url;
console.error(`Redis for the tests: ${local ? `started at ${redisUrl}` : "REDIS_URL"}`);

async function pass(label: string, env: Record<string, string>, files: string[]): Promise<number> {
  console.error(`\n==> ${label}`);
  const child = Bun.spawn(["bun", "test", "--timeout", "120000", ...files], {
    env: { ...process.env, REDIS_URL: redisUrl, ...env },
    stdout: "inherit",
    stderr: "inherit",
  });
  return child.exited;
}

let status = 0;
try {
  status = await pass(args.length ? `bun test ${args.join(" ")}` : "all tests (tests/api on the embedded backend)", {}, args);
  if (!args.length) {
    const redis = await pass("tests/api again, on the Redis backend (TEST_BACKEND=redis)", { TEST_BACKEND: "redis" }, ["tests/api"]);
    status ||= redis;
  }
} finally {
  await local?.stop();
}
process.exit(status);
