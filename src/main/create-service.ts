import type { BackendDeps } from "../backend/backend-deps";
import { createBackend } from "../backend/create-backend";
import { systemClock } from "../domain/clock";
import { APP_SETTINGS, createApp } from "../http/app";
import { configuredNames } from "../model/catalogue";
import { taskView } from "../http/task-view";
import { createMetrics } from "../metrics/metrics";
import { WebhookDispatcher } from "../webhook/dispatcher";
import { type Resolver, systemResolver } from "../outbound/resolve-host";
import type { PrivateAllowance } from "../outbound/address-policy";

export type ServiceOptions = Omit<BackendDeps, "clock"> &
  Partial<Pick<BackendDeps, "clock">> & {
    /** how webhook and image URL host names resolve; tests keep every name on loopback */
    resolve?: Resolver;
    /** the webhook retries' jitter; tests pin it */
    random?: () => number;
    /** which non-public addresses a `url` may reach, in place of IMAGE_URL_ALLOW_PRIVATE's all or none; tests name one loopback address */
    imageUrlAllowance?: PrivateAllowance;
  };

/** Wires the backend (QUEUE_BACKEND), the webhook dispatcher and the HTTP app; nothing listens yet. */
export function createService(opts: ServiceOptions) {
  const { config, log } = opts;
  const clock = opts.clock ?? systemClock;
  const backend = createBackend({ ...opts, clock });
  const metrics = createMetrics(backend);
  const resolve = opts.resolve ?? systemResolver;
  // Every process with HTTP sends webhooks (an inference process has no view to send); without a secret nothing is signed, and uploads with a webhook are refused.
  const dispatcher = config.webhookSecret
    ? new WebhookDispatcher({
        queue: backend.deliveries,
        render: async (id) => {
          const snap = await backend.find(id, { withImage: false });
          if (!snap) return undefined;
          // The deliveries are left out: they describe the sending of this very payload, and would be stale in it.
          const { webhook, ...view } = taskView(snap, { inlineImage: false });
          return webhook ? { ...view, webhook: { url: webhook.url, events_filter: webhook.events_filter } } : view;
        },
        secret: config.webhookSecret,
        allowPrivate: config.webhookAllowPrivate,
        concurrency: config.webhookConcurrency,
        clock,
        log,
        resolve,
        random: opts.random,
      })
    : undefined;
  const settings = Object.fromEntries(APP_SETTINGS.map((key) => [key, config[key]])) as Pick<typeof config, (typeof APP_SETTINGS)[number]>;
  const app = createApp({
    ...settings,
    backend,
    metrics,
    log,
    // API_KEY is one more key, whose client is named "default".
    apiKeys: [...(config.apiKey ? [{ name: "default", key: config.apiKey }] : []), ...config.apiKeys],
    clock,
    webhooks: { secret: config.webhookSecret, allowPrivate: config.webhookAllowPrivate, resolve },
    imageUrls: { allowPrivate: opts.imageUrlAllowance ?? config.imageUrlAllowPrivate, resolve, timeoutMs: config.imageUrlTimeoutMs },
    models: configuredNames(opts.models, config.models),
  });
  let unsubscribe = () => {};
  return {
    app,
    backend,
    dispatcher,
    start: () => {
      backend.start();
      if (!dispatcher) return;
      dispatcher.start();
      // A transition may have queued an event: look now rather than at the next poll.
      unsubscribe = backend.subscribe((e) => e.type === "transition" && dispatcher.nudge());
    },
    stop: async () => {
      unsubscribe();
      await dispatcher?.stop();
      await backend.stop();
    },
    /**
     * SIGTERM: stop taking work, let tasks finish for DRAIN_TIMEOUT_MS, then stop
     * (embedded: cancel the rest). Embedded, the deliveries live in this process:
     * each waiting one gets an attempt now. On Redis they stay queued for the
     * other replicas, and this one only finishes the attempts it has begun.
     */
    drain: async () => {
      if (backend.kind !== "embedded") {
        unsubscribe();
        await dispatcher?.stop();
        return backend.drain(config.drainTimeoutMs);
      }
      const result = await backend.drain(config.drainTimeoutMs);
      unsubscribe();
      await dispatcher?.drain(config.drainTimeoutMs);
      return result;
    },
  };
}

export type Service = ReturnType<typeof createService>;
