import { describe, expect, test } from "bun:test";
import type { TaskSnapshot } from "../../src/backend/task-backend";
import type { Task } from "../../src/domain/task";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";
import { ViewCache, viewVersion } from "../../src/http/view-cache";

const task = (over: Partial<Task> = {}): Task => ({
  id: "t1",
  status: "pending",
  createdAt: 1000,
  updatedAt: 1000,
  params: DEFAULT_PARAMS,
  size: { width: 10, height: 10 },
  ...over,
});
const done = (id: string, jpegBytes: number): TaskSnapshot => ({
  task: task({
    id,
    status: "completed",
    updatedAt: 2000,
    result: { detections: [], image: { width: 10, height: 10 }, timings: { queue: 1, preprocess: 1, inference: 1, postprocess: 1, annotate: 1, total: 4 }, annotated: new Uint8Array(jpegBytes) },
  }),
  queuePosition: 0,
});

describe("viewVersion", () => {
  test("a finished task has a strong tag; an open one a weak tag that changes with its place and estimate", () => {
    expect(viewVersion(done("a", 3))).toBe('"a.2000"');
    const pending = { task: task(), queuePosition: 3, etaMs: 900 };
    expect(viewVersion(pending)).toBe('W/"t1.pending.1000.3.900"');
    expect(viewVersion({ ...pending, queuePosition: 2 })).not.toBe(viewVersion(pending));
    expect(viewVersion({ ...pending, etaMs: 800 })).not.toBe(viewVersion(pending));
  });
});

describe("ViewCache", () => {
  test("renders a version once: the same object comes back until the task changes", () => {
    const cache = new ViewCache(1 << 20);
    const first = cache.render(done("a", 100));
    expect(JSON.parse(first.body).result.annotated_image).toStartWith("data:image/jpeg;base64,");
    expect(cache.render(done("a", 100))).toBe(first);
    const open = cache.render({ task: task({ id: "a" }), queuePosition: 1, etaMs: 500 });
    expect(open).not.toBe(first);
    expect(open.retryAfter).toBe("1");
    expect(first.retryAfter).toBeUndefined();
  });

  test("stays within its byte budget, dropping the least recently used first", () => {
    const one = new ViewCache(1 << 20).render(done("x", 30_000)).body.length;
    const cache = new ViewCache(Math.floor(one * 2.5));
    const a = cache.render(done("a", 30_000));
    cache.render(done("b", 30_000));
    expect(cache.render(done("a", 30_000))).toBe(a); // a is now the most recent
    cache.render(done("c", 30_000)); // over budget: b goes
    expect(cache.has(done("a", 30_000))).toBe(true);
    expect(cache.has(done("b", 30_000))).toBe(false);
    expect(cache.has(done("c", 30_000))).toBe(true);
  });

  test("a view larger than the whole budget is served but not kept", () => {
    const cache = new ViewCache(1000);
    expect(cache.render(done("big", 10_000)).body.length).toBeGreaterThan(1000);
    expect(cache.has(done("big", 10_000))).toBe(false);
  });
});
