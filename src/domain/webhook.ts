/**
 * Webhooks as data: which events a task reports, the published retry
 * schedule, and what a delivery's state looks like. Sending, signing and the
 * address rules live in src/webhook/.
 */

/** `start`: the task began processing. `completed`: it ended, whichever way (completed, failed, canceled). */
export type WebhookEvent = "start" | "completed";

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ["start", "completed"];

/** What a client asked for at upload. */
export interface WebhookRequest {
  url: string;
  events: WebhookEvent[];
}

/**
 * Seconds between attempts, published in README: after the first attempt
 * fails, the next comes 5 s later, then 30 s, 2 min, 10 min and 30 min; after
 * the sixth attempt the event is given up.
 */
export const RETRY_DELAYS_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000, 1_800_000];

/** Each delay is stretched by up to this fraction, at random, so retries from many tasks do not arrive together. */
export const RETRY_JITTER = 0.1;

/** How long one attempt may take, connection included. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** When the attempt after `attempts` attempts is due, or undefined when the event is to be given up. */
export function nextAttemptAt(attempts: number, now: number, random: () => number = Math.random): number | undefined {
  const delay = RETRY_DELAYS_MS[attempts - 1];
  return delay === undefined ? undefined : now + Math.round(delay * (1 + RETRY_JITTER * random()));
}

export type DeliveryOutcome = "pending" | "delivered" | "given_up";

/** One event's delivery as the task view shows it. */
export interface DeliveryState {
  event: WebhookEvent;
  /** the `webhook-id` header, the same on every attempt */
  webhookId: string;
  state: DeliveryOutcome;
  attempts: number;
  /** the receiver's HTTP status on the last attempt; absent when it gave none */
  lastStatus?: number;
  /** why the last attempt failed without a status (timeout, refused address, …) */
  lastError?: string;
  lastAttemptAt?: number;
  nextAttemptAt?: number;
}

/** The id an event is sent under: derived, so every replica and every retry names it alike. */
export function webhookIdOf(taskId: string, event: WebhookEvent): string {
  return `msg_${taskId}_${event}`;
}

/** The event a move reports, if any: the first move to processing is `start`; any terminal move is `completed`. */
export function eventOfMove(from: string | undefined, to: string): WebhookEvent | undefined {
  if (to === "processing") return from === "pending" || from === undefined ? "start" : undefined;
  return to === "completed" || to === "failed" || to === "canceled" ? "completed" : undefined;
}
