import { expect, test } from "bun:test";
import { freePort, waitUntilReady } from "../../src/util/free-port";

test("a child that exits before it is ready: the error names its exit code and its JSON error line", async () => {
  const line = JSON.stringify({ level: "error", msg: "cannot start", error: "PORT must be an integer" });
  const child = Bun.spawn(["bun", "-e", `console.log(${JSON.stringify(JSON.stringify({ level: "info", msg: "starting" }))}); console.log(${JSON.stringify(line)}); process.exit(2)`], { stdout: "pipe", stderr: "pipe" });
  await child.exited;
  const failure = await waitUntilReady(`http://127.0.0.1:${freePort()}/health`, child, 5_000).catch((err: Error) => err.message);
  expect(failure).toBe(`the service exited with 2 before it was ready: ${line}`);
});
