import type { TaskBackend } from "../backend/task-backend";
import type { Cancel, Clock } from "../domain/clock";
import { refuse } from "../domain/errors";
import type { TaskStatus } from "../domain/task";
import { Throughput } from "./throughput";

/** What the service-wide event stream says, as counts only: nothing names a client or a task. */
export interface ServiceStats {
  at: string;
  queue_depth: number;
  tasks: Partial<Record<TaskStatus, number>>;
  /** every worker running this queue's tasks (every inference process on Redis) */
  workers: { total: number; warm: number; busy: number };
  /** clients with tasks waiting: the fair queue gives each of them one turn in this many */
  clients_waiting: number;
  /** completions per second, oldest first, one per second of the window */
  throughput: number[];
  images_per_second: number;
}

export interface ServiceStatsOptions {
  maxSubscribers: number;
  /** how often the counts are read while someone listens */
  tickMs?: number;
  windowS?: number;
}

/** Hears a reading, and the same as JSON text (serialised once for every listener). */
type Listener = (stats: ServiceStats, json: string) => void;

/**
 * One reading of the service's counts for every listener of `GET /events`:
 * the backend's health is read once per tick however many listen, and
 * nothing is read while no one does. Listeners are capped: past
 * `maxSubscribers`, subscribe() refuses with `too_many_subscribers`.
 */
export class ServiceStatsHub {
  private readonly listeners = new Set<Listener>();
  private readonly throughput: Throughput;
  private stopTicker: Cancel | undefined;
  private reading = false;
  private lastKey = "";
  private latest: ServiceStats | undefined;

  constructor(
    private readonly backend: TaskBackend,
    private readonly clock: Clock,
    private readonly opts: ServiceStatsOptions,
  ) {
    this.throughput = new Throughput(opts.windowS ?? 60);
    // Completions are counted from the start, listened to or not: a one-off JSON reading (or the
    // first visitor) sees the last minute's rate, where counting began with the first listener
    // and a JSON reading alone showed zeros after completions.
    backend.subscribe((event) => {
      if (event.type === "transition" && event.status === "completed") this.throughput.add(this.clock.now());
    });
  }

  /** The most listeners at once (EVENTS_MAX_SUBSCRIBERS). */
  get maxSubscribers(): number {
    return this.opts.maxSubscribers;
  }

  /** Adds a listener, which hears the current counts at once and every change after; returns its unsubscribe. */
  subscribe(listener: Listener): Cancel {
    if (this.listeners.size >= this.opts.maxSubscribers) throw refuse.tooManySubscribers(this.opts.maxSubscribers);
    this.listeners.add(listener);
    if (this.latest) listener(this.latest, JSON.stringify(this.latest));
    this.stopTicker ??= this.clock.setInterval(() => void this.tick(), this.opts.tickMs ?? 500);
    void this.tick();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.stopTicker?.();
        this.stopTicker = undefined;
      }
    };
  }

  /** Reads the counts; tells the listeners when anything but the time changed. */
  async tick(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const stats = await this.read();
      const { at: _, ...counts } = stats;
      const key = JSON.stringify(counts);
      this.latest = stats;
      if (key === this.lastKey) return;
      this.lastKey = key;
      const json = JSON.stringify(stats);
      for (const listener of this.listeners) listener(stats, json);
    } catch {
      // Redis unreachable: no reading this tick; /health says why.
    } finally {
      this.reading = false;
    }
  }

  /** One reading now, for a client that asks once rather than listening. */
  current(): Promise<ServiceStats> {
    return this.read();
  }

  private async read(): Promise<ServiceStats> {
    const h = await this.backend.health();
    const now = this.clock.now();
    const completions = this.throughput.reading(now);
    return {
      at: new Date(now).toISOString(),
      queue_depth: h.queueDepth,
      tasks: h.tasks,
      workers: h.inference.workers,
      clients_waiting: h.clients.active,
      throughput: completions.series,
      images_per_second: Math.round(completions.perSecond * 100) / 100,
    };
  }
}
