import type Redis from "ioredis";
import { once } from "node:events";
import type { ModelInfo } from "../../model/model-info";
import { knownModels } from "../../model/catalogue";
import type { Logger } from "../../util/logger";
import { BACKLOGS_SHOWN, type BackendHealth } from "../task-backend";
import type { InferenceStats } from "../../executor/executor";
import { FairLanes } from "./fair-lanes";
import { clusterRate, type Heartbeat, InferenceRegistry } from "./inference-registry";
import type { RedisTaskStore } from "./redis-task-store";
import { TiledAhead } from "./tiled-ahead";

/**
 * What an API replica knows of the cluster, refreshed about once a second:
 * whether Redis answers, the live inference processes, the models they hold,
 * the shared queue's totals and its clients' backlogs. Requests read it without a round trip.
 */
export class ClusterView {
  up = false;
  /** every model an inference process has described, by name (the catalogue lists those still held or configured) */
  described = new Map<string, ModelInfo>();
  beats: Heartbeat[] = [];
  totals = { pending: 0, processing: 0, inputBytes: 0 };
  clients: { active: number; largest: { client: string; waiting: number }[] } = { active: 0, largest: [] };
  private serverVersion?: string;
  private lastReplyError?: string;
  private everConnected = false;
  private refreshing?: Promise<void>;
  /** when the connection last delivered bytes from Redis (performance.now()) */
  private lastHeard = -Infinity;
  /** the rates (all models, and per model) of the heartbeats they were worked out from (the array is replaced, never changed, on each refresh) */
  private rated?: { beats: Heartbeat[]; rates: Map<string | undefined, ReturnType<typeof clusterRate>> };
  /** the catalogue as last worked out, and what it was worked out from */
  private listed?: { beats: Heartbeat[]; local: ModelInfo[] | undefined; models: ModelInfo[] | undefined };
  private readonly registry: InferenceRegistry;
  private readonly lanes: FairLanes;
  /** the open tiled tasks, as of the last refresh */
  readonly tiled: TiledAhead;

  constructor(
    private readonly redis: Redis,
    private readonly store: RedisTaskStore,
    private readonly log: Logger,
  ) {
    this.registry = new InferenceRegistry(redis, store.keys);
    this.lanes = new FairLanes(redis, store.keys);
    this.tiled = new TiledAhead(redis, store.keys, store);
    redis.on("ready", () => {
      // Every reply, whoever asked: proof that Redis answers, which a timed-out command alone is not.
      redis.stream?.on("data", () => (this.lastHeard = performance.now()));
      this.connection(true);
    });
    redis.on("close", () => this.connection(false));
    redis.on("error", () => {}); // reported once through "close"; ioredis reconnects by itself
    this.up = redis.status === "ready";
  }

  /** Why Redis itself keeps the replica from serving, or undefined. */
  redisProblem(): string | undefined {
    if (!this.up) return "redis unreachable";
    if (this.serverVersion && Number(this.serverVersion.split(".")[0]) < 7) return `redis ${this.serverVersion} is too old: 7 or later is required`;
    return undefined;
  }

  /** Worked out once per refresh and model: every read's ETA asks for it (~30 per image when event streams follow pending tasks). */
  rate(model?: string) {
    if (this.rated?.beats !== this.beats) this.rated = { beats: this.beats, rates: new Map() };
    let rate = this.rated.rates.get(model);
    if (!rate) this.rated.rates.set(model, (rate = clusterRate(this.beats, model)));
    return rate;
  }

  /** /health's view of the cluster as last refreshed, with this replica's own workers (`local`) when it has some. */
  health(local: InferenceStats | undefined): BackendHealth {
    const { totals, beats } = this;
    const sum = (pick: (b: Heartbeat) => number) => beats.reduce((n, b) => n + pick(b), 0);
    return {
      kind: "redis",
      connection: this.up ? "up" : "down",
      queueDepth: totals.pending,
      tasks: { pending: totals.pending, processing: totals.processing },
      heldBytes: totals.inputBytes,
      workers: local?.workers() ?? [],
      inference: { processes: beats.length, workers: { total: sum((b) => b.workers), warm: sum((b) => b.ready), busy: sum((b) => b.busy) } },
      warmupMs: this.rate().warmupMs ?? local?.warmupMs,
      clients: this.clients,
    };
  }

  /** Whether a live inference process holds the model. */
  holds(model: string): boolean {
    return this.beats.some((b) => b.models?.includes(model));
  }

  /**
   * Every model the inference processes (and `local`, a replica's own
   * workers) have described, in the order of knownModels (this replica's
   * MODELS first, the default first among them), then the live processes'
   * own. A model described once that no live process holds and this replica
   * was not told of has left the deployment: it is forgotten (an upload naming
   * it gets 422 unknown_model). Worked out once per refresh: every read's ETA asks.
   */
  catalogue(local: ModelInfo[] | undefined, configured: readonly string[]): ModelInfo[] | undefined {
    if (this.listed?.beats === this.beats && this.listed.local === local) return this.listed.models;
    const described = new Map(this.described);
    for (const m of local ?? []) described.set(m.name, m);
    const held = [...(local ?? []).map((m) => m.name), ...this.beats.flatMap((b) => b.models ?? [])];
    const names = knownModels(configured, held.map((name) => ({ name }))).filter((n) => described.has(n));
    const models = names.length ? names.map((n) => described.get(n)!) : undefined;
    this.listed = { beats: this.beats, local, models };
    return models;
  }

  /**
   * A command sent at `sentAt` failed without an answer (refused, or timed
   * out). Down until the next refresh gets an answer, unless Redis has been
   * heard from since that command went out: then it answers and the command
   * was only slow, or its reply waited unread while this process was starved
   * of CPU (ioredis's timer fires before a socket read that is due in the same
   * turn). A busy machine must not turn one late reply into a second of 503s.
   */
  async commandFailed(sentAt: number) {
    // Let the socket be read first: the reply may already be waiting in it (a few turns of the loop, no more).
    for (let turn = 0; turn < 5 && this.lastHeard < sentAt; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
    if (this.redis.status === "ready" && this.lastHeard >= sentAt) return;
    this.connection(false);
  }

  /** One at a time, and callers share it: on a Redis that hangs, each would wait out its command timeout. */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refreshOnce() {
    const redis = this.redis;
    // Just started: give the first connection a moment rather than report an outage.
    if (!this.everConnected && ["wait", "connecting", "connect"].includes(redis.status)) {
      await Promise.race([once(redis, "ready"), Bun.sleep(1000)]).catch(() => {});
    }
    if (redis.status !== "ready") return this.connection(false);
    const sentAt = performance.now();
    try {
      this.serverVersion ??= await this.checkVersion();
      // The models are re-read too: a rollout of another model shows within a second.
      const [beats, described, totals, clients] = await Promise.all([
        this.registry.alive(),
        this.registry.models(),
        this.store.totals(),
        this.lanes.stats(BACKLOGS_SHOWN),
        this.tiled.refresh(),
      ]);
      this.beats = beats;
      for (const [name, info] of described) this.described.set(name, info);
      this.totals = totals;
      this.clients = clients;
      this.connection(true);
    } catch (err) {
      // An answer that is an error (wrong type, a refused script) is not an outage: say what it is, once.
      if (err instanceof Error && err.name === "ReplyError") {
        if (err.message !== this.lastReplyError) this.log.error("redis refused a read", { error: err.message.slice(0, 300) });
        this.lastReplyError = err.message;
        return;
      }
      await this.commandFailed(sentAt);
    }
  }

  /**
   * Once per connection (a reconnect, as after a failover, checks again): the Lua scripts use Redis 7 flags, so an older server
   * would refuse every move; and a Redis that evicts keys when full drops tasks
   * and queued jobs instead of refusing new uploads. BullMQ makes the same
   * checks but prints them as plain text, so its own are skipped
   * (`skipVersionCheck`) and these log them.
   */
  private async checkVersion(): Promise<string> {
    const version = (await this.redis.info("server")).match(/redis_version:([\d.]+)/)?.[1] ?? "unknown";
    if (Number(version.split(".")[0]) < 7) this.log.error("redis too old", { version, detail: "Redis 7 or later is required" });
    const policy = (await this.redis.info("memory")).match(/maxmemory_policy:(\S+)/)?.[1];
    if (policy && policy !== "noeviction") {
      this.log.warn("redis evicts keys", { policy, detail: "a full Redis would drop tasks and queued jobs: set maxmemory-policy noeviction" });
    }
    return version;
  }

  private connection(up: boolean) {
    if (up) this.everConnected = true;
    if (up === this.up) return;
    this.up = up;
    if (up) this.log.info("redis connected", {});
    else this.log.error("redis unreachable", { detail: "uploads get 503 until it is back" });
    // The server that answers next may be another one (a failover): check it again.
    if (!up) this.serverVersion = undefined;
  }
}
