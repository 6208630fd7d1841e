import { expect } from "bun:test";
import { runQuiet } from "../../src/tools/container/shell";

/**
 * Containers for the container tests: every one on the host's network (so
 * all traffic stays on loopback), each on its own PORT, named so a failed
 * run's leftovers are found and removed.
 */
const NAME_PREFIX = "yolo-api-test-";
const started = new Set<string>();

export interface RunOptions {
  env?: Record<string, string>;
  /** extra `docker run` flags (--read-only, --memory, …) */
  flags?: string[];
  /** the command, when not the image's CMD */
  command?: string[];
}

export function docker(args: string[]): string {
  const out = runQuiet(["docker", ...args]);
  if (!out.ok) throw new Error(`docker ${args.join(" ")}: ${out.stderr.trim()}`);
  return out.stdout.trim();
}

/** `docker run -d --network host`; returns the container's name. */
export function runContainer(image: string, label: string, o: RunOptions = {}): string {
  const name = `${NAME_PREFIX}${label}-${crypto.randomUUID().slice(0, 8)}`;
  const env = Object.entries(o.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  docker(["run", "-d", "--network", "host", "--name", name, ...env, ...(o.flags ?? []), image, ...(o.command ?? [])]);
  started.add(name);
  return name;
}

export function removeContainers(): void {
  for (const name of started) runQuiet(["docker", "rm", "-f", name]);
  started.clear();
}

/** Leftovers of an earlier, interrupted run. */
function removeStaleContainers(): void {
  const names = docker(["ps", "-a", "--filter", `name=${NAME_PREFIX}`, "--format", "{{.Names}}"]).split("\n").filter(Boolean);
  for (const name of names) runQuiet(["docker", "rm", "-f", name]);
}

export function inspect(name: string, format: string): string {
  return docker(["inspect", "--format", format, name]);
}

/** stdout and stderr of the container, as one list of lines. */
export function logLines(name: string): string[] {
  const out = runQuiet(["docker", "logs", name]);
  return `${out.stdout}\n${out.stderr}`.split("\n").filter((l) => l.trim() !== "");
}

/** Lines a JSON parser refuses: the container's log must have none. */
export function nonJsonLines(lines: readonly string[]): string[] {
  return lines.filter((line) => {
    try {
      return typeof JSON.parse(line) !== "object";
    } catch {
      return true;
    }
  });
}

/** Waits for `url` to answer 200, failing with the container's log when it stops first. */
export async function waitForReady(url: string, name: string, timeoutMs: number): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    if (await fetch(url).then((r) => r.status === 200, () => false)) return;
    if (inspect(name, "{{.State.Running}}") !== "true") throw new Error(`${name} stopped before it was ready:\n${logLines(name).slice(-20).join("\n")}`);
    if (performance.now() - t0 > timeoutMs) throw new Error(`${name} was not ready after ${timeoutMs} ms:\n${logLines(name).slice(-20).join("\n")}`);
    await Bun.sleep(50);
  }
}

/** dog.jpg's detection: the three reference classes. */
export function expectDogClasses(task: any): void {
  expect(task.status).toBe("completed");
  expect(task.result.detections.map((d: any) => d.class).sort()).toEqual(["bicycle", "car", "dog", "truck"]);
}

let building: Promise<string> | undefined;
/** The project's image, built once per test run (every container test file shares it). */
export function projectImage(): Promise<string> {
  building ??= import("../../src/tools/container/project-image").then(async (m) => {
    const tag = await m.ensureProjectImage();
    removeStaleContainers();
    return tag;
  });
  return building;
}
/** Long enough for a first build on a fresh machine: debootstrap, the npm install inside the build. */
export const BUILD_TIMEOUT_MS = 15 * 60_000;

/**
 * The container's memory use (its cgroup's, v1 or v2 with the cgroupfs driver), sampled every
 * 50 ms until stopped: the highest seen, or undefined when the host does not show it.
 */
export function sampleMemory(name: string): { stop(): number | undefined } {
  const id = inspect(name, "{{.Id}}");
  const paths = [`/sys/fs/cgroup/memory/docker/${id}/memory.usage_in_bytes`, `/sys/fs/cgroup/docker/${id}/memory.current`];
  let highest: number | undefined;
  const timer = setInterval(async () => {
    for (const path of paths) {
      const text = await Bun.file(path).text().catch(() => undefined);
      if (text !== undefined) highest = Math.max(highest ?? 0, Number(text.trim()));
    }
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return highest;
    },
  };
}
