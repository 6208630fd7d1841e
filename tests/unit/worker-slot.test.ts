import { describe, expect, test } from "bun:test";
import type { InitMessage } from "../../src/executor/protocol";
import { IllegalSlotTransition, SLOT_STATES, SLOT_TRANSITIONS } from "../../src/executor/slot-state";
import { WorkerSlot } from "../../src/executor/worker-slot";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";
import { FakeWorker } from "../support/fake-worker";

const INIT: InitMessage = { type: "init", models: [{ name: "m", path: "m.onnx" }], threads: 1, maxPixels: 1e6, timeoutSeconds: 1, annotatedMaxSide: 0 };
const SIZE = { width: 10, height: 10 };

function slotWithLog() {
  const worker = new FakeWorker();
  const events: string[] = [];
  const slot = new WorkerSlot(0, 0, () => worker, INIT, {
    ready: () => events.push("ready"),
    reply: (_s, r) => events.push(`reply ${r.runId}`),
    lost: (_s, reason, inFlight) => events.push(`lost ${reason}${inFlight ? ` ${inFlight}` : ""}`),
    log: (_s, line) => events.push(`log ${line.level} ${line.msg}`),
  });
  return { worker, slot, events };
}

describe("the slot's transition table", () => {
  test("every state is in it, a defunct slot goes nowhere, and only busy or starting slots retire", () => {
    expect(Object.keys(SLOT_TRANSITIONS).sort()).toEqual([...SLOT_STATES].sort());
    expect(SLOT_TRANSITIONS.defunct).toEqual([]);
    const retiringFrom = SLOT_STATES.filter((s) => SLOT_TRANSITIONS[s].includes("retiring"));
    expect(retiringFrom.sort()).toEqual(["busy", "starting"]);
  });
});

describe("WorkerSlot", () => {
  test("starting → ready → busy → ready: init first, one predict with the image transferred, one reply", () => {
    const { worker, slot, events } = slotWithLog();
    expect([slot.state, worker.received[0].type]).toEqual(["starting", "init"]);
    worker.ready();
    expect(slot.state).toBe("ready");
    slot.predict("j1", new ArrayBuffer(4), { size: SIZE, params: DEFAULT_PARAMS });
    expect([slot.state, slot.inFlight, worker.lastRun]).toEqual(["busy", "j1", "j1"]);
    worker.finish();
    expect([slot.state, slot.inFlight]).toEqual(["ready", undefined]);
    expect(events).toEqual(["ready", "reply j1"]);
  });

  test("a predict on a slot that is not ready is refused by the table and changes nothing", () => {
    const { worker, slot } = slotWithLog();
    expect(() => slot.predict("j1", new ArrayBuffer(4), { size: SIZE, params: DEFAULT_PARAMS })).toThrow(IllegalSlotTransition);
    expect([slot.state, worker.received.length]).toEqual(["starting", 1]);
  });

  test("a crash while busy: lost once with the job, terminated, and later messages ignored", () => {
    const { worker, slot, events } = slotWithLog();
    worker.ready();
    slot.predict("j1", new ArrayBuffer(4), { size: SIZE, params: DEFAULT_PARAMS });
    worker.crash("kaput");
    worker.exit();
    expect([slot.state, worker.terminated]).toEqual(["defunct", true]);
    expect(events).toEqual(["ready", "lost worker error: kaput j1"]);
  });

  test("a model that fails to load: lost without ever becoming ready", () => {
    const { worker, slot, events } = slotWithLog();
    worker.answer({ type: "init_failed", message: "no such file" });
    expect([slot.state, slot.becameReady]).toEqual(["defunct", false]);
    expect(events).toEqual(["lost model failed to load: no such file"]);
  });

  test("retired while busy: lost at once, but terminated only when it next answers, and that answer is dropped", () => {
    const { worker, slot, events } = slotWithLog();
    worker.ready();
    slot.predict("j1", new ArrayBuffer(4), { size: SIZE, params: DEFAULT_PARAMS });
    slot.retire("task timed out");
    expect([slot.state, worker.terminated]).toEqual(["retiring", false]);
    worker.finish();
    expect([slot.state, worker.terminated]).toEqual(["defunct", true]);
    expect(events).toEqual(["ready", "lost task timed out j1"]);
  });

  test("a log line is passed on and answers nothing: a busy or retiring worker stays as it is", () => {
    const { worker, slot, events } = slotWithLog();
    worker.answer({ type: "log", level: "warn", msg: "during load", fields: {} });
    expect(slot.state).toBe("starting");
    worker.ready();
    slot.predict("j1", new ArrayBuffer(4), { size: SIZE, params: DEFAULT_PARAMS });
    slot.retire("task timed out");
    worker.answer({ type: "log", level: "error", msg: "inference error", fields: { run_id: "j1" } });
    // Still in native code as far as the slot knows: not terminated on a log line.
    expect([slot.state, worker.terminated]).toEqual(["retiring", false]);
    worker.finish();
    expect([slot.state, worker.terminated]).toEqual(["defunct", true]);
    expect(events).toEqual(["log warn during load", "ready", "lost task timed out j1", "log error inference error"]);
  });

  test("stopped: an idle worker ends now; one still starting is never terminated before its first answer", () => {
    const idle = slotWithLog();
    idle.worker.ready();
    idle.slot.stop();
    expect([idle.slot.state, idle.worker.terminated]).toEqual(["defunct", true]);

    const starting = slotWithLog();
    starting.slot.stop();
    expect([starting.slot.state, starting.worker.terminated]).toEqual(["retiring", false]);
    starting.worker.ready();
    expect([starting.slot.state, starting.worker.terminated]).toEqual(["defunct", true]);
    expect(starting.events).toEqual(["lost service stopping"]);
  });
});
