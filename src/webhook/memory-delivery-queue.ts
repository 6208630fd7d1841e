import type { Task } from "../domain/task";
import { type DeliveryOutcome, type DeliveryState, eventOfMove, WEBHOOK_EVENTS, type WebhookEvent, webhookIdOf } from "../domain/webhook";
import type { Logger } from "../util/logger";
import type { AttemptRecord, DeliveryClaim, DeliveryQueue } from "./delivery-queue";

interface Entry {
  taskId: string;
  event: WebhookEvent;
  url: string;
  state: DeliveryOutcome;
  attempts: number;
  dueAt: number;
  leased: boolean;
  payload?: string;
  lastStatus?: number;
  lastError?: string;
  lastAttemptAt?: number;
  finishedAt?: number;
}

/**
 * The embedded backend's delivery queue: a Map in this process, lost if the
 * process dies (a drain attempts what waits). Bounded: at most `maxWaiting`
 * events wait at once (each holds its payload, a few KB); past that a new
 * event is given up at once and recorded so. Finished deliveries are kept
 * `retainMs` (TASK_TTL_S) for the task view, then dropped.
 */
export class MemoryDeliveryQueue implements DeliveryQueue {
  private readonly entries = new Map<string, Entry>();
  private waiting = 0;

  constructor(
    private readonly maxWaiting: number,
    private readonly retainMs: number,
    private readonly log: Logger,
  ) {}

  /** Queues the event a task's move causes, if its webhook asked for it. */
  onTransition(task: Task, now: number) {
    const event = task.webhook && eventOfMove(undefined, task.status);
    if (!event || !task.webhook!.events.includes(event)) return;
    if (!this.enqueue(task.id, event, task.webhook!.url, now)) this.log.warn("webhook given up", { task_id: task.id, event, error: "the delivery queue was full" });
  }

  /** Queues an event due at `now`; false when the queue was full and the event was given up. */
  enqueue(taskId: string, event: WebhookEvent, url: string, now: number): boolean {
    const key = `${taskId}:${event}`;
    if (this.entries.has(key)) return true;
    const full = this.waiting >= this.maxWaiting;
    this.entries.set(key, {
      taskId, event, url, attempts: 0, dueAt: now, leased: false,
      ...(full ? { state: "given_up", lastError: "the delivery queue was full", finishedAt: now } : { state: "pending" }),
    });
    if (!full) this.waiting++;
    return !full;
  }

  async claimDue(now: number, limit: number, { all = false } = {}): Promise<DeliveryClaim[]> {
    const claims: DeliveryClaim[] = [];
    for (const [key, e] of this.entries) {
      if (e.finishedAt !== undefined && now - e.finishedAt > this.retainMs) this.entries.delete(key);
      if (claims.length >= limit || e.state !== "pending" || e.leased || (!all && e.dueAt > now)) continue;
      e.leased = true;
      e.attempts++;
      claims.push({ taskId: e.taskId, event: e.event, url: e.url, attempts: e.attempts, payload: e.payload });
    }
    return claims;
  }

  async fixPayload(claim: DeliveryClaim, payload: string) {
    const e = this.entries.get(`${claim.taskId}:${claim.event}`);
    if (e) e.payload ??= payload;
    return e?.payload ?? payload;
  }

  async record(claim: DeliveryClaim, attempt: AttemptRecord) {
    const e = this.entries.get(`${claim.taskId}:${claim.event}`);
    if (!e) return;
    e.leased = false;
    e.payload = attempt.outcome === "pending" ? attempt.payload : undefined;
    e.lastAttemptAt = attempt.at;
    e.lastStatus = "status" in attempt.result ? attempt.result.status : undefined;
    e.lastError = "error" in attempt.result ? attempt.result.error : undefined;
    e.state = attempt.outcome;
    if (attempt.outcome === "pending") e.dueAt = attempt.nextAt ?? attempt.at;
    else {
      e.finishedAt = attempt.at;
      this.waiting--;
    }
  }

  async statesOf(taskId: string): Promise<DeliveryState[]> {
    const out: DeliveryState[] = [];
    for (const event of WEBHOOK_EVENTS) {
      const e = this.entries.get(`${taskId}:${event}`);
      if (!e) continue;
      out.push({
        event, webhookId: webhookIdOf(taskId, event), state: e.state, attempts: e.attempts,
        ...(e.lastStatus !== undefined ? { lastStatus: e.lastStatus } : {}),
        ...(e.lastError !== undefined ? { lastError: e.lastError } : {}),
        ...(e.lastAttemptAt !== undefined ? { lastAttemptAt: e.lastAttemptAt } : {}),
        // While an attempt is in flight there is no next one yet.
        ...(e.state === "pending" && e.attempts > 0 && !e.leased ? { nextAttemptAt: e.dueAt } : {}),
      });
    }
    return out;
  }
}
