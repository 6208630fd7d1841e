import type { DeliveryOutcome, DeliveryState, WebhookEvent } from "../domain/webhook";
import type { AttemptResult } from "./send-webhook";

/** One attempt handed to a dispatcher; it is leased to it until recorded (or, on Redis, until the lease lapses). */
export interface DeliveryClaim {
  taskId: string;
  event: WebhookEvent;
  url: string;
  /** counting this one */
  attempts: number;
  /** the signed body, fixed by the first attempt so every retry sends the same bytes; undefined before it */
  payload?: string;
}

/** What an attempt came to, and what happens next. */
export interface AttemptRecord {
  at: number;
  result: AttemptResult;
  payload: string;
  outcome: DeliveryOutcome;
  /** when the next attempt is due, while `pending` */
  nextAt?: number;
}

/**
 * Where webhook events wait for their attempts: in this process (embedded)
 * or in Redis, shared by every API replica. Events enter it from the backend,
 * at the transition that causes them.
 */
export interface DeliveryQueue {
  /**
   * Leases up to `limit` events whose attempt is due at `now` (every waiting
   * one when `all`, for a drain), counting the attempt as made from here on.
   */
  claimDue(now: number, limit: number, opts?: { all?: boolean }): Promise<DeliveryClaim[]>;
  /**
   * Stores the body of an event's first attempt before it is sent, so every
   * later attempt (here or on a replica that takes it over) sends the same
   * bytes; resolves to the body stored (another's, if one was already).
   */
  fixPayload(claim: DeliveryClaim, payload: string): Promise<string>;
  record(claim: DeliveryClaim, attempt: AttemptRecord): Promise<void>;
  /** the task's deliveries, for its view */
  statesOf(taskId: string): Promise<DeliveryState[]>;
}
