import { describe, expect, test } from "bun:test";
import { REFUSAL_LOG_WINDOW_MS, RefusalLog } from "../../src/http/refusal-log";
import type { Logger } from "../../src/util/logger";
import { FakeClock } from "../support/fake-clock";

function recorder() {
  const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (msg: string, fields?: Record<string, unknown>) => lines.push({ msg, fields });
  const log: Logger = { debug: at, info: at, warn: at, error: at };
  return { lines, log };
}

describe("RefusalLog: every refused upload in the log, a flood in two lines", () => {
  test("the first refusal of a code is logged at once, with its status and client", () => {
    const { lines, log } = recorder();
    new RefusalLog(log, new FakeClock()).note("queue_full", "ip:127.0.0.1");
    expect(lines).toEqual([{ msg: "upload refused", fields: { code: "queue_full", status: 429, client: "ip:127.0.0.1" } }]);
  });

  test("150 refusals within the window: the first line, then one line with the other 149 and how many clients", () => {
    const { lines, log } = recorder();
    const clock = new FakeClock();
    const refusals = new RefusalLog(log, clock);
    for (let i = 0; i < 150; i++) refusals.note("client_queue_full", `ip:127.0.1.${i % 3}`);
    expect(lines).toHaveLength(1);
    clock.advance(REFUSAL_LOG_WINDOW_MS);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toEqual({ msg: "uploads refused", fields: { code: "client_queue_full", status: 429, count: 149, clients: 3, window_s: 10 } });
    // The window is over: the next refusal shows at once again.
    refusals.note("client_queue_full");
    expect(lines.map((l) => l.msg)).toEqual(["upload refused", "uploads refused", "upload refused"]);
  });

  test("each code has its own window; a lone refusal leaves no summary line; codes that are not upload refusals are not logged here", () => {
    const { lines, log } = recorder();
    const clock = new FakeClock();
    const refusals = new RefusalLog(log, clock);
    refusals.note("payload_too_large");
    refusals.note("inflight_full");
    refusals.note("task_not_found");
    clock.advance(REFUSAL_LOG_WINDOW_MS);
    expect(lines.map((l) => [l.msg, l.fields?.code])).toEqual([
      ["upload refused", "payload_too_large"],
      ["upload refused", "inflight_full"],
    ]);
  });
});
