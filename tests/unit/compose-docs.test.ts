import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type Config, loadConfig } from "../../src/config/config";
import { VARIABLES } from "../../src/config/variables";
import { envOf, interpolate, readCompose, type Service, tokens } from "../support/compose-file";
import { REPO } from "../support/paths";

/**
 * docs/compose.yaml (linked from README.md and docs/scaling-out.md) against
 * the code it deploys: the variables config.ts reads, the package.json
 * scripts, the Dockerfile's defaults and the Redis service it points at.
 */

const read = (rel: string) => Bun.file(join(REPO, rel)).text();

/** A page's fenced YAML blocks that are compose files (a top-level `services:`). */
function composeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map((m) => m[1]).filter((block) => /^services:$/m.test(block));
}

/** Every environment variable the service reads: src/config/variables.ts declares them all. */
function configEnvNames(): Set<string> {
  return new Set(VARIABLES.map((v) => v.name));
}

/** ENV of the Dockerfile's last stage: what every container of the image starts with. */
function dockerfileEnv(dockerfile: string): Record<string, string> {
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  const env: Record<string, string> = {};
  for (const line of lastStage.split("\n")) {
    const m = line.match(/^ENV\s+(.*)$/);
    if (!m) continue;
    for (const pair of m[1].trim().split(/\s+/)) {
      const [k, ...v] = pair.split("=");
      env[k] = v.join("=");
    }
  }
  return env;
}

function dockerfileCmd(dockerfile: string): string[] {
  const m = dockerfile.match(/^CMD\s+(\[.*\])\s*$/m);
  if (!m) throw new Error("the Dockerfile has no exec-form CMD");
  return JSON.parse(m[1]);
}

/** The script a `bun run [flags] <script>` command runs. */
const scriptOf = (command: string[]) => command.slice(2).find((word) => !word.startsWith("-"))!;

/** A compose duration ("30s", "1m30s", "1500ms"), in ms. */
function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== text.trim()) throw new Error(`not a compose duration: "${text}"`);
  const unit = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 } as const;
  return parts.reduce((ms, p) => ms + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}

/** "2gb", "512mb", "1073741824" as Redis reads a memory size. */
function redisBytes(text: string): number {
  const m = text.trim().toLowerCase().match(/^(\d+)(b|k|kb|m|mb|g|gb)?$/);
  if (!m) throw new Error(`not a Redis memory size: "${text}"`);
  const unit: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(m[1]) * unit[m[2] ?? "b"];
}

/** The value following `--flag` in a redis-server command line. */
function redisArg(command: string[], flag: string): string | undefined {
  const i = command.indexOf(flag);
  return i < 0 ? undefined : command[i + 1];
}

const [readme, scalingOut, configurationPage, { text: composeText, compose }, dockerfile, pkg] = await Promise.all([
  read("README.md"),
  read("docs/scaling-out.md"),
  read("docs/configuration.md"),
  readCompose(),
  read("Dockerfile"),
  Bun.file(join(REPO, "package.json")).json() as Promise<{ scripts: Record<string, string> }>,
]);
const services = compose.services ?? {};
const api = services.api;
const inference = services.inference;
const imageEnv = dockerfileEnv(dockerfile);
/** What a container of the project's image runs with: the image's ENV, then the service's environment. */
const effectiveEnv = (service: Service) => ({ ...imageEnv, ...envOf(service) });
/** The configuration `bun start` builds (src/main/serve.ts). */
const apiConfig = (): Config => loadConfig(effectiveEnv(api), 2);
/** The configuration `bun run inference` builds: src/main/inference.ts defaults QUEUE_BACKEND to redis. */
const inferenceConfig = (): Config => loadConfig({ QUEUE_BACKEND: "redis", ...effectiveEnv(inference) }, 2);

describe("helpers", () => {
  test("read what they should", () => {
    expect(durationMs("30s")).toBe(30_000);
    expect(durationMs("1m30s")).toBe(90_000);
    expect(durationMs("1500ms")).toBe(1500);
    expect(() => durationMs("30")).toThrow();
    expect(redisBytes("2gb")).toBe(2 * 1024 ** 3);
    expect(redisBytes("2g")).toBe(2e9);
    expect(interpolate("${API_KEY:-}")).toBe("");
    expect(interpolate("${X:-a}b")).toBe("ab");
    expect(dockerfileEnv("FROM a\nENV A=1\nFROM b\nENV PORT=7860 DRAIN_TIMEOUT_MS=8000\n")).toEqual({ PORT: "7860", DRAIN_TIMEOUT_MS: "8000" });
    // the names the variable table declares
    const names = configEnvNames();
    for (const name of ["PORT", "WORKERS", "ORT_THREADS", "QUEUE_BACKEND", "REDIS_URL", "REDIS_PREFIX", "JOB_LOCK_MS", "JOB_MAX_STALLS", "MODEL_PATH", "API_KEY", "LOG_LEVEL"]) {
      expect(names.has(name)).toBe(true);
    }
    expect(names.has("NODE_ENV")).toBe(false);
  });
});

describe("docs/compose.yaml", () => {
  test("is the one copy: README.md and docs/scaling-out.md link it and inline none", () => {
    expect(composeBlocks(readme)).toEqual([]);
    expect(composeBlocks(scalingOut)).toEqual([]);
    expect(readme).toContain("](docs/compose.yaml)");
    expect(scalingOut).toContain("](compose.yaml)");
  });

  test("has a redis, an api and an inference service, the two last on one image", () => {
    expect(Object.keys(services).sort()).toEqual(["api", "inference", "redis"]);
    expect(services.redis.image).toMatch(/^redis:7(\.|$|-)/);
    expect(api.image).toBeTruthy();
    expect(inference.image).toBe(api.image);
  });

  test("sets only variables that src/config/variables.ts declares, with values it accepts", () => {
    const known = configEnvNames();
    for (const [name, service] of [["api", api], ["inference", inference]] as const) {
      const unknown = Object.keys(envOf(service)).filter((key) => !known.has(key));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
    // throws ConfigError, listing every problem, on a bad value
    apiConfig();
    inferenceConfig();
  });

  test("the api service is an API-only replica on Redis, listening on its published port, checked on /health/ready", () => {
    const config = apiConfig();
    expect(envOf(api).QUEUE_BACKEND).toBe("redis");
    expect(envOf(api).WORKERS).toBe("0");
    expect(config.queueBackend).toBe("redis");
    expect(config.workers).toBe(0);
    const command = tokens(api.command ?? dockerfileCmd(dockerfile));
    expect(command.slice(0, 2)).toEqual(["bun", "run"]);
    expect(pkg.scripts[scriptOf(command)]).toContain("src/main/serve.ts");
    const targets = (api.ports ?? []).map((p) => (typeof p === "object" ? p.target : Number(String(p).split(":").at(-1)!.split("/")[0])));
    expect(targets).toContain(config.port);
    // The check asks the port the service listens on: the container's PORT.
    expect(tokens(api.healthcheck?.test ?? []).join(" ")).toContain("'http://127.0.0.1:' + process.env.PORT + '/health/ready'");
  });

  test("the inference service runs the inference process from a package.json script", () => {
    expect(inference.command).toBeDefined();
    const command = tokens(inference.command!);
    expect(command.slice(0, 2)).toEqual(["bun", "run"]);
    expect(Object.keys(pkg.scripts)).toContain(scriptOf(command));
    expect(pkg.scripts[scriptOf(command)]).toContain("src/main/inference.ts");
    const config = inferenceConfig();
    expect(config.queueBackend).toBe("redis");
    expect(config.workers).toBeGreaterThanOrEqual(1);
    // it serves no HTTP, so the image's HEALTHCHECK on /health/ready must not apply to it
    expect(dockerfile).toMatch(/^HEALTHCHECK[\s\S]*\/health\/ready/m);
    expect(inference.healthcheck?.disable).toBe(true);
  });

  test("the inference service's stop_grace_period outlasts its DRAIN_TIMEOUT_MS (as the image and compose set it)", () => {
    expect(inference.stop_grace_period).toBeDefined();
    const graceMs = durationMs(inference.stop_grace_period!);
    const { drainTimeoutMs } = inferenceConfig();
    // the process still closes its connections after the drain
    expect(graceMs).toBeGreaterThanOrEqual(drainTimeoutMs + 1000);
  });

  test("every process points at the redis service, under one prefix", () => {
    const redisCommand = tokens(services.redis.command ?? []);
    const redisPort = Number(redisArg(redisCommand, "--port") ?? 6379);
    const apiConf = apiConfig();
    const workerConf = inferenceConfig();
    for (const config of [apiConf, workerConf]) {
      const url = new URL(config.redisUrl!);
      expect(url.hostname).toBe("redis");
      expect(Number(url.port || 6379)).toBe(redisPort);
    }
    expect(workerConf.redisPrefix).toBe(apiConf.redisPrefix);
    expect(workerConf.taskTtlMs).toBe(apiConf.taskTtlMs);
  });

  test("redis never evicts (BullMQ requires it) and has room beyond MAX_STORE_BYTES", () => {
    const redisCommand = tokens(services.redis.command ?? []);
    expect(redisArg(redisCommand, "--maxmemory-policy")).toBe("noeviction");
    const maxmemory = redisArg(redisCommand, "--maxmemory");
    expect(maxmemory).toBeDefined();
    // uploads not yet finished are capped by MAX_STORE_BYTES; results kept TASK_TTL_S need the rest
    expect(redisBytes(maxmemory!)).toBeGreaterThan(apiConfig().maxStoreBytes);
  });
});

test("docs/configuration.md's table lists every variable src/config/variables.ts declares", () => {
  const documented = new Set([...configurationPage.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]));
  const missing = [...configEnvNames()].filter((name) => !documented.has(name));
  expect(missing).toEqual([]);
});
