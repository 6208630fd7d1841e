import { Webhook } from "standardwebhooks";
import type { Cancel, Clock } from "../domain/clock";
import { nextAttemptAt, WEBHOOK_TIMEOUT_MS, type WebhookEvent, webhookIdOf } from "../domain/webhook";
import type { Logger } from "../util/logger";
import type { DeliveryClaim, DeliveryQueue } from "./delivery-queue";
import { type Resolver, systemResolver } from "../outbound/resolve-host";
import { type AttemptResult, sendWebhook } from "./send-webhook";

export interface DispatcherOptions {
  queue: DeliveryQueue;
  /** the task as its webhook reports it (the view without the inline image), or undefined once it is gone */
  render: (taskId: string) => Promise<object | undefined>;
  /** WEBHOOK_SECRET (`whsec_…`) */
  secret: string;
  allowPrivate: boolean;
  /** most attempts in flight at once */
  concurrency: number;
  clock: Clock;
  log: Logger;
  resolve?: Resolver;
  /** for the jitter; tests may pin it */
  random?: () => number;
  timeoutMs?: number;
}

/** How often the queue is looked at for due events, besides the nudges of new ones. */
export const POLL_MS = 1000;

const EVENT_TYPES: Record<WebhookEvent, string> = { start: "task.started", completed: "task.completed" };

/**
 * Sends webhook events from a DeliveryQueue: signs each with the Standard
 * Webhooks library, posts it through sendWebhook (address checks, 10 s
 * timeout, no redirects), and records the outcome: delivered on any 2xx,
 * otherwise retried on the published schedule (domain/webhook.ts) until
 * given up. At most `concurrency` attempts run at once; the rest wait in the
 * queue, so a slow or dead receiver holds at most that many sockets.
 */
export class WebhookDispatcher {
  private readonly signer: Webhook;
  private readonly running = new Set<Promise<void>>();
  private stopPoll?: Cancel;
  private claiming = false;
  private again = false;
  private stopped = false;

  constructor(private readonly opts: DispatcherOptions) {
    this.signer = new Webhook(opts.secret);
  }

  start() {
    this.stopPoll = this.opts.clock.setInterval(() => this.nudge(), POLL_MS);
  }

  /** Looks for due events now (a new event was queued, or a slot came free). */
  nudge() {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    void this.fill(false);
  }

  /** Stops looking for work; attempts in flight finish (each within its timeout). */
  async stop() {
    this.stopped = true;
    this.stopPoll?.();
    await Promise.all(this.running);
  }

  /**
   * Shutdown of a process that holds its queue (embedded): every waiting
   * event gets one attempt now, whatever its schedule, within `timeoutMs`;
   * what still fails is lost with the process, as the docs say.
   */
  async drain(timeoutMs: number) {
    this.stopPoll?.();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.stopped = false;
      const started = await this.fill(true);
      this.stopped = true;
      if (started === 0 && this.running.size === 0) break;
      if (Date.now() >= deadline) break;
      await Promise.race([Promise.all(this.running), Bun.sleep(Math.max(0, deadline - Date.now()))]);
    }
    await Promise.race([Promise.all(this.running), Bun.sleep(Math.max(0, deadline - Date.now()))]);
  }

  get inFlight() {
    return this.running.size;
  }

  private async fill(all: boolean): Promise<number> {
    let started = 0;
    this.claiming = true;
    try {
      do {
        this.again = false;
        const free = this.opts.concurrency - this.running.size;
        if (free <= 0 || this.stopped) break;
        const claims = await this.opts.queue.claimDue(this.opts.clock.now(), free, { all });
        for (const claim of claims) this.track(this.attempt(claim));
        started += claims.length;
      } while (this.again);
    } catch (err) {
      // Redis away: the next poll tries again, and a lease lapsed meanwhile is taken over.
      this.opts.log.warn("webhook queue unreachable", { error: String(err) });
    } finally {
      this.claiming = false;
    }
    return started;
  }

  private track(p: Promise<void>) {
    this.running.add(p);
    void p.finally(() => {
      this.running.delete(p);
      this.nudge();
    });
  }

  private async attempt(claim: DeliveryClaim) {
    const { clock, log } = this.opts;
    const webhookId = webhookIdOf(claim.taskId, claim.event);
    const fields = { task_id: claim.taskId, event: claim.event, webhook_id: webhookId, attempt: claim.attempts };
    try {
      let payload = claim.payload;
      if (payload === undefined) {
        const built = await this.payloadOf(claim);
        payload = built === undefined ? undefined : await this.opts.queue.fixPayload(claim, built);
      }
      let result: AttemptResult;
      if (payload === undefined) result = { error: "the task expired before its event could be sent" };
      else {
        const sentAt = new Date(clock.now());
        const headers = {
          "webhook-id": webhookId,
          "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
          "webhook-signature": this.signer.sign(webhookId, sentAt, payload),
        };
        result = await sendWebhook(new URL(claim.url), payload, headers, {
          allowPrivate: this.opts.allowPrivate,
          resolve: this.opts.resolve ?? systemResolver,
          timeoutMs: this.opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
        });
      }
      const at = clock.now();
      const delivered = "status" in result && result.status >= 200 && result.status < 300;
      const nextAt = delivered || payload === undefined ? undefined : nextAttemptAt(claim.attempts, at, this.opts.random);
      const outcome = delivered ? "delivered" : nextAt === undefined ? "given_up" : "pending";
      await this.opts.queue.record(claim, { at, result, payload: payload ?? "", outcome, nextAt });
      const answer = "status" in result ? { status: result.status } : { error: result.error };
      if (outcome === "delivered") log.info("webhook delivered", { ...fields, ...answer });
      else if (outcome === "given_up") log.warn("webhook given up", { ...fields, ...answer });
      else log.info("webhook attempt failed", { ...fields, ...answer, retry_in_ms: nextAt! - at });
    } catch (err) {
      // Could not record (Redis away): the lease lapses and another attempt is made, at least once.
      log.warn("webhook attempt not recorded", { ...fields, error: String(err) });
    }
  }

  /** The body every attempt of this event sends: Standard Webhooks' {type, timestamp, data}. */
  private async payloadOf(claim: DeliveryClaim): Promise<string | undefined> {
    const data = await this.opts.render(claim.taskId);
    if (!data) return undefined;
    return JSON.stringify({ type: EVENT_TYPES[claim.event], timestamp: new Date(this.opts.clock.now()).toISOString(), data });
  }
}
