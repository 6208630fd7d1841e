import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CLIENT_TYPES_PATH } from "../../src/tools/client-types";
import { IMAGES, REPO } from "../support/paths";
import { startTestService, type TestService } from "../support/test-service";

let svc: TestService;
let server: { stop(force?: boolean): void };
let base: string;
let dir: string;

beforeAll(async () => {
  svc = await startTestService();
  const listening = svc.app.listen({ port: 0, hostname: "127.0.0.1" });
  server = listening.server!;
  base = `http://127.0.0.1:${listening.server!.port}`;
  dir = mkdtempSync(join(tmpdir(), "client-types-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  server?.stop(true);
  await svc?.stop();
});

async function run(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(["bun", ...args], { cwd: REPO, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code: await proc.exited, stdout, stderr };
}

describe("the typed TypeScript client", () => {
  test("clients/typescript/api.d.ts is what the running service's document generates (else: bun run client:types)", async () => {
    const fresh = join(dir, "api.d.ts");
    const gen = await run(["src/tools/client-types.ts", `${base}/docs/json`, fresh]);
    expect(gen.stderr).toBe("");
    expect(gen.code).toBe(0);
    const committed = await Bun.file(CLIENT_TYPES_PATH).text();
    expect(committed === (await Bun.file(fresh).text()), "clients/typescript/api.d.ts is stale: run `bun run client:types` against a running service").toBe(true);
  }, 60_000);

  test("the example uploads an image, follows it to the end and prints the detections", async () => {
    const example = await run(["clients/typescript/detect.ts", resolve(IMAGES, "dog.jpg"), base]);
    expect(example.stderr).toBe("");
    expect(example.code).toBe(0);
    expect(example.stdout).toMatch(/^task [0-9a-f-]{36} completed: \d+ detections$/m);
    expect(example.stdout).toMatch(/^dog \d+% \[\d+, \d+, \d+, \d+\]$/m);
  }, 60_000);
});
