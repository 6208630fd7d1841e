import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { type ErrorCode, UPLOAD_REFUSALS } from "../domain/errors";
import { TASK_STATUSES } from "../domain/task";
import type { BackendHealth, TaskBackend } from "../backend/task-backend";
import { SLOT_STATES } from "../executor/slot-state";

/** Upload refusals, counted by reason (the problem code): every one an upload can get. */
const REJECTIONS: ReadonlySet<ErrorCode> = new Set(UPLOAD_REFUSALS);

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * How often the event-loop lag gauges (yolo_nodejs_eventloop_lag_*) sample
 * the loop, in ms. prom-client's 10 ms woke the HTTP thread 100 times a
 * second, busy or idle: 3.3 of the 4.5 ms of CPU per second an idle service's
 * HTTP thread spent, and each wake-up takes a core from an inference thread.
 * Ten samples a second still see any stall longer than 100 ms, and some of
 * the shorter ones.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * Prometheus metrics, on a registry of this service's own (tests run several
 * services in one process). Gauges are read from the backend when scraped;
 * counters and histograms are fed by task transitions. On Redis every replica
 * hears every transition, so those are cluster-wide: aggregate replicas with
 * max(), not sum().
 */
export function createMetrics(backend: TaskBackend) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "yolo_", eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const registers = [registry];
  // One backend read per scrape, shared by the gauges below.
  let scrape: Promise<BackendHealth> | undefined;
  const health = () => (scrape ??= backend.health().finally(() => queueMicrotask(() => (scrape = undefined))));

  new Gauge({
    name: "yolo_backend_up",
    help: "1 when the task store is reachable (always, embedded), by backend",
    labelNames: ["backend"],
    registers,
    async collect() {
      const h = await health();
      this.set({ backend: h.kind }, h.connection === "up" ? 1 : 0);
    },
  });
  new Gauge({ name: "yolo_queue_depth", help: "Tasks waiting in the (shared) queue", registers, async collect() { this.set((await health()).queueDepth); } });
  new Gauge({
    name: "yolo_inference_processes",
    help: "Inference processes running this queue's tasks (1 when embedded)",
    registers,
    async collect() {
      this.set((await health()).inference.processes);
    },
  });
  new Gauge({
    name: "yolo_inference_workers",
    help: "Bun Workers of every inference process running this queue's tasks, by state",
    labelNames: ["state"],
    registers,
    async collect() {
      const w = (await health()).inference.workers;
      for (const [state, n] of [["warm", w.warm], ["busy", w.busy], ["total", w.total]] as const) this.set({ state }, n);
    },
  });
  new Gauge({
    name: "yolo_tasks",
    help: "Tasks held, by status (redis: pending and processing only)",
    labelNames: ["status"],
    registers,
    async collect() {
      const counts = (await health()).tasks;
      for (const status of TASK_STATUSES) if (counts[status] !== undefined) this.set({ status }, counts[status]);
    },
  });
  new Gauge({ name: "yolo_active_clients", help: "Clients with tasks waiting in the (shared) queue", registers, async collect() { this.set((await health()).clients.active); } });
  new Gauge({
    name: "yolo_client_backlog",
    help: "Tasks waiting of the clients with the most waiting, by rank (1 = most); ranks, not clients, so the labels stay bounded and name no one",
    labelNames: ["rank"],
    registers,
    async collect() {
      const largest = (await health()).clients.largest;
      this.reset();
      largest.forEach((b, i) => this.set({ rank: String(i + 1) }, b.waiting));
    },
  });
  new Gauge({ name: "yolo_held_bytes", help: "Bytes held by tasks (embedded: uploads waiting and results; redis: uploads not yet finished)", registers, async collect() { this.set((await health()).heldBytes); } });
  new Gauge({ name: "yolo_process_rss_bytes", help: "Resident memory of the process", registers, collect() { this.set(process.memoryUsage().rss); } });
  new Gauge({
    name: "yolo_workers",
    help: "Inference workers, by state",
    labelNames: ["state"],
    registers,
    async collect() {
      const states = (await health()).workers.map((w) => w.state);
      for (const state of SLOT_STATES) this.set({ state }, states.filter((s) => s === state).length);
    },
  });
  let restartsSeen = 0;
  new Counter({
    name: "yolo_worker_restarts_total",
    help: "Workers that crashed, failed to start or timed out and were replaced",
    registers,
    collect() {
      this.inc(backend.workerFailures - restartsSeen);
      restartsSeen = backend.workerFailures;
    },
  });
  const rejections = new Counter({ name: "yolo_rejections_total", help: "Uploads refused, by reason", labelNames: ["reason"], registers });
  /** the same counts, for /health */
  const refusals = new Map<ErrorCode, number>();
  const finished = new Counter({ name: "yolo_tasks_finished_total", help: "Tasks that reached a terminal state, by status", labelNames: ["status"], registers });
  const queueWait = new Histogram({ name: "yolo_queue_wait_seconds", help: "Time from upload to a worker taking the task", buckets: SECONDS_BUCKETS, registers });
  new Gauge({
    name: "yolo_model_loaded",
    help: "1 when a warm worker holds the model (redis: some live inference process), by model",
    labelNames: ["model"],
    registers,
    collect() {
      for (const m of backend.models ?? []) this.set({ model: m.name }, backend.holds(m.name) ? 1 : 0);
    },
  });
  const phases = new Histogram({
    name: "yolo_phase_seconds",
    help: "Time per processing phase of completed tasks, by phase and model",
    labelNames: ["phase", "model"],
    buckets: SECONDS_BUCKETS,
    registers,
  });

  backend.subscribe((event) => {
    if (event.type !== "transition") return;
    if (event.status === "processing" && event.queueMs !== undefined) queueWait.observe(event.queueMs / 1000);
    if (event.status === "completed" || event.status === "failed" || event.status === "canceled") finished.inc({ status: event.status });
    if (event.status === "completed" && event.timings) {
      const { queue, total, ...perPhase } = event.timings;
      for (const [phase, ms] of Object.entries(perPhase)) phases.observe({ phase, model: event.model ?? "" }, ms / 1000);
    }
  });

  return {
    registry,
    contentType: registry.contentType,
    rejected(code: ErrorCode) {
      if (!REJECTIONS.has(code)) return;
      rejections.inc({ reason: code });
      refusals.set(code, (refusals.get(code) ?? 0) + 1);
    },
    /** refusals so far in this process, by reason */
    refusals: (): Record<string, number> => Object.fromEntries(refusals),
    /** reports the bytes of request bodies being received (the HTTP layer holds them) */
    watchInflight(bytes: () => number) {
      new Gauge({ name: "yolo_inflight_bytes", help: "Bytes of request bodies being received (against MAX_INFLIGHT_BYTES)", registers, collect() { this.set(bytes()); } });
    },
    text: () => registry.metrics(),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
