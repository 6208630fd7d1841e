import { Elysia } from "elysia";
import { type Clock, systemClock } from "../domain/clock";
import { ServiceStatsHub } from "../monitor/service-stats";
import { eventsController } from "./events.controller";
import pkg from "../../package.json";
import { ClientIdentity, needsKey } from "./client-identity";
import { cors } from "./cors";
import { docs } from "./docs";
import { errorHandler } from "./error-handler";
import { healthController } from "./health.controller";
import { InflightBudget } from "./inflight-budget";
import { metricsController } from "./metrics.controller";
import { modelsController } from "./models.controller";
import { pageController } from "./page.controller";
import { predictController } from "./predict.controller";
import { RefusalLog } from "./refusal-log";
import { resultController } from "./result.controller";
import type { Metrics } from "../metrics/metrics";
import type { TaskBackend } from "../backend/task-backend";
import { Intake } from "../intake/intake";
import type { Logger } from "../util/logger";
import type { WebhookPolicy } from "./webhook-field";
import type { ImageUrlPolicy } from "./request-images";
import type { Config, NamedKey } from "../config/variables";

/** The settings the HTTP surface takes as they are; each means what its variable says (src/config/variables.ts). */
export const APP_SETTINGS = [
  "maxUploadBytes", "maxPixels", "queueMax", "clientQueueMax", "maxStoreBytes", "maxInflightBytes",
  "uploadTimeoutMs", "trustProxyHops", "corsOrigins", "eventsMaxSubscribers", "contactUrl", "maxImagesPerRequest", "imageUrlTimeoutMs",
] as const satisfies readonly (keyof Config)[];

export interface AppDeps extends Pick<Config, (typeof APP_SETTINGS)[number]> {
  backend: TaskBackend;
  metrics: Metrics;
  log: Logger;
  /** API_KEY (as the client "default") and API_KEYS */
  apiKeys: NamedKey[];
  /** time for the live counts (a fake one in tests) */
  clock?: Clock;
  /** WEBHOOK_SECRET, WEBHOOK_ALLOW_PRIVATE and how names resolve, for the `webhook` field */
  webhooks: WebhookPolicy;
  /** IMAGE_URL_ALLOW_PRIVATE, IMAGE_URL_TIMEOUT_MS and how names resolve, for the `url` field */
  imageUrls: ImageUrlPolicy;
  /** the models this process was told of (MODELS or the one model), the default first; none on an API replica told nothing */
  models: readonly string[];
}

const safely = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

/** The HTTP surface, with no listening socket: tests drive it with app.handle(). */
export function createApp(deps: AppDeps) {
  const { backend, metrics, log } = deps;
  const intake = new Intake(backend, { maxUploadBytes: deps.maxUploadBytes, maxPixels: deps.maxPixels, models: deps.models });
  const identity = new ClientIdentity({ keys: deps.apiKeys, trustProxyHops: deps.trustProxyHops });
  const budget = new InflightBudget(deps.maxInflightBytes);
  metrics.watchInflight(() => budget.bytes);
  const clock = deps.clock ?? systemClock;
  const stats = new ServiceStatsHub(backend, clock, { maxSubscribers: deps.eventsMaxSubscribers });
  const refusals = new RefusalLog(log, clock);
  return new Elysia()
    .use(cors(deps.corsOrigins, ["Location", "Retry-After", "Preference-Applied", "Idempotent-Replayed"]))
    .use(
      errorHandler(log, (code, request, server) => {
        metrics.rejected(code);
        // A refusal for a wrong key names no client: asking would refuse again.
        refusals.note(code, code === "unauthorized" ? undefined : safely(() => identity.clientOf(request, server)));
      }),
    )
    // Writes (uploads, cancels) need a key when keys are configured; reads by task id stay open.
    // Checked here, before any route reads a body, so it holds for every write route alike.
    .onRequest(({ request }) => {
      if (identity.keysRequired && needsKey(request.method)) identity.authenticate(request.headers);
    })
    .use(docs(pkg.version, { keysRequired: identity.keysRequired, contactUrl: deps.contactUrl }))
    // The upload's limits and webhook policy come from deps as they are (PredictOptions names them).
    .use(predictController(intake, backend, { ...deps, budget, identity }))
    .use(modelsController(backend, deps.models))
    .use(resultController(backend))
    .use(eventsController(stats))
    .use(healthController(backend, { queueMax: deps.queueMax, maxStoreBytes: deps.maxStoreBytes, inflight: budget, refusals: () => metrics.refusals(), models: deps.models }))
    .use(metricsController(metrics))
    .use(pageController());
}

export type App = ReturnType<typeof createApp>;
