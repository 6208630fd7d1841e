import { describe, expect, test } from "bun:test";
import type { Task, TaskStatus } from "../../src/domain/task";
import { LEGAL_TRANSITIONS } from "../../src/domain/task";
import { IllegalTransition, MapTaskStore } from "../../src/domain/task-store";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";

const STATUSES: TaskStatus[] = ["pending", "processing", "completed", "failed", "canceled"];

const makeTask = (id: string, status: TaskStatus = "pending", at = 1_000): Task => ({
  id,
  size: { width: 640, height: 480 },
  status,
  createdAt: at,
  updatedAt: at,
  params: { ...DEFAULT_PARAMS, rect: "off" },
  input: new Uint8Array([1, 2, 3]),
});

const zeroTimings = { queue: 0, preprocess: 0, inference: 0, postprocess: 0, annotate: 0, total: 0 };

describe("MapTaskStore basics", () => {
  test("create, get, size, values, delete", () => {
    const store = new MapTaskStore();
    expect(store.size).toBe(0);
    const a = makeTask("a");
    const b = makeTask("b");
    store.create(a);
    store.create(b);
    expect(store.size).toBe(2);
    expect(store.get("a")).toBe(a);
    expect(store.get("nope")).toBeUndefined();
    expect([...store.values()].map((t) => t.id)).toEqual(["a", "b"]);
    expect(store.delete("a")).toBe(true);
    expect(store.delete("a")).toBe(false);
    expect(store.get("a")).toBeUndefined();
    expect(store.size).toBe(1);
  });

  test("creating a duplicate id throws and keeps the original", () => {
    const store = new MapTaskStore();
    const original = makeTask("a");
    store.create(original);
    expect(() => store.create(makeTask("a", "completed"))).toThrow(/already exists/);
    expect(store.get("a")).toBe(original);
    expect(store.size).toBe(1);
  });
});

describe("MapTaskStore.transition: legal moves", () => {
  // the lifecycle table must contain exactly these moves
  test("LEGAL_TRANSITIONS is the documented lifecycle", () => {
    expect(LEGAL_TRANSITIONS).toEqual({
      pending: ["processing", "failed", "canceled"],
      processing: ["completed", "failed", "canceled"],
      completed: [],
      failed: [],
      canceled: [],
    });
  });

  for (const from of STATUSES) {
    for (const to of LEGAL_TRANSITIONS[from]) {
      test(`${from} -> ${to} succeeds, stamps updatedAt and applies the patch`, () => {
        const store = new MapTaskStore();
        store.create(makeTask("t", from, 1_000));
        const patch = {
          startedAt: 1_500,
          input: undefined, // releasing the upload is done by patching it away
          result: to === "completed" ? { detections: [], image: { width: 4, height: 3 }, timings: zeroTimings } : undefined,
          error: to === "failed" ? { code: "inference_failed" as const, message: "boom" } : undefined,
        };
        const returned = store.transition("t", to, 2_000, patch);
        const stored = store.get("t")!;
        expect(returned).toBe(stored);
        expect(stored.status).toBe(to);
        expect(stored.updatedAt).toBe(2_000);
        expect(stored.createdAt).toBe(1_000);
        expect(stored.startedAt).toBe(1_500);
        expect(stored.input).toBeUndefined();
        expect(stored.result).toEqual(patch.result);
        expect(stored.error).toEqual(patch.error);
      });
    }
  }

  test("without a patch only status and updatedAt change", () => {
    const store = new MapTaskStore();
    store.create(makeTask("t"));
    store.transition("t", "processing", 2_000);
    const t = store.get("t")!;
    expect(t.status).toBe("processing");
    expect(t.updatedAt).toBe(2_000);
    expect(t.input).toEqual(new Uint8Array([1, 2, 3]));
  });

  test("the whole happy path pending -> processing -> completed", () => {
    const store = new MapTaskStore();
    store.create(makeTask("t"));
    store.transition("t", "processing", 2_000, { startedAt: 2_000 });
    store.transition("t", "completed", 3_000);
    expect(store.get("t")).toMatchObject({ status: "completed", startedAt: 2_000, updatedAt: 3_000 });
  });
});

describe("MapTaskStore.transition: illegal moves", () => {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      if (LEGAL_TRANSITIONS[from].includes(to)) continue;
      test(`${from} -> ${to} throws IllegalTransition and leaves the task unchanged`, () => {
        const store = new MapTaskStore();
        store.create(makeTask("t", from, 1_000));
        const before = structuredClone(store.get("t"));
        expect(() =>
          store.transition("t", to, 2_000, { startedAt: 9, error: { code: "timeout", message: "x" } }),
        ).toThrow(IllegalTransition);
        expect(store.get("t")).toEqual(before);
      });
    }
  }

  test("a move on a missing id throws IllegalTransition and creates nothing", () => {
    const store = new MapTaskStore();
    expect(() => store.transition("ghost", "processing", 2_000)).toThrow(IllegalTransition);
    expect(() => store.transition("ghost", "processing", 2_000)).toThrow(/ghost.*missing -> processing/);
    expect(store.size).toBe(0);
  });

  test("the error names the task and both states", () => {
    const store = new MapTaskStore();
    store.create(makeTask("abc", "completed"));
    expect(() => store.transition("abc", "processing", 2_000)).toThrow("task abc: illegal transition completed -> processing");
  });
});
