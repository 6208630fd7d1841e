import { cors } from "@elysiajs/cors";
import { Elysia } from "elysia";
import pkg from "../../package.json";
import { docs } from "./docs";
import { errorHandler } from "./error-handler";
import { healthController } from "./health.controller";
import { metricsController } from "./metrics.controller";
import { pageController } from "./page.controller";
import { predictController } from "./predict.controller";
import { resultController } from "./result.controller";
import type { Metrics } from "../metrics/metrics";
import type { TaskBackend } from "../backend/task-backend";
import { Intake } from "../intake/intake";
import type { Logger } from "../util/logger";

export interface AppDeps {
  backend: TaskBackend;
  metrics: Metrics;
  log: Logger;
  maxUploadBytes: number;
  maxPixels: number;
  queueMax: number;
  maxStoreBytes: number;
  apiKey?: string;
  corsOrigins: string[] | "*";
}

/** The HTTP surface, with no listening socket: tests drive it with app.handle(). */
export function createApp(deps: AppDeps) {
  const { backend, metrics, log } = deps;
  const intake = new Intake(backend, { maxUploadBytes: deps.maxUploadBytes, maxPixels: deps.maxPixels });
  return new Elysia()
    .use(
      cors({
        origin: deps.corsOrigins === "*" ? true : deps.corsOrigins,
        exposeHeaders: ["Location", "Retry-After", "Preference-Applied"],
      }),
    )
    .use(errorHandler(log, (code) => metrics.rejected(code)))
    .use(docs(pkg.version))
    .use(predictController(intake, backend, deps.maxUploadBytes, deps.apiKey))
    .use(resultController(backend, deps.apiKey))
    .use(healthController(backend, { queueMax: deps.queueMax, maxStoreBytes: deps.maxStoreBytes }))
    .use(metricsController(metrics))
    .use(pageController());
}

export type App = ReturnType<typeof createApp>;
