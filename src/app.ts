import { cors } from "@elysiajs/cors";
import { Elysia } from "elysia";
import pkg from "../package.json";
import { docs } from "./http/docs";
import { errorHandler } from "./http/error-handler";
import { healthController } from "./http/health.controller";
import { metricsController } from "./http/metrics.controller";
import { pageController } from "./http/page.controller";
import { predictController } from "./http/predict.controller";
import { resultController } from "./http/result.controller";
import type { Metrics } from "./metrics/metrics";
import type { Runner } from "./runner/runner";
import { Intake } from "./service/intake";
import type { Logger } from "./util/logger";

export interface AppDeps {
  runner: Runner;
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
  const { runner, metrics, log } = deps;
  const intake = new Intake(runner, { maxUploadBytes: deps.maxUploadBytes, maxPixels: deps.maxPixels });
  return new Elysia()
    .use(
      cors({
        origin: deps.corsOrigins === "*" ? true : deps.corsOrigins,
        exposeHeaders: ["Location", "Retry-After", "Preference-Applied"],
      }),
    )
    .use(errorHandler(log, (code) => metrics.rejected(code)))
    .use(docs(pkg.version))
    .use(predictController(intake, runner, deps.maxUploadBytes, deps.apiKey))
    .use(resultController(runner, deps.apiKey))
    .use(healthController(runner, { queueMax: deps.queueMax, maxStoreBytes: deps.maxStoreBytes }))
    .use(metricsController(metrics))
    .use(pageController());
}

export type App = ReturnType<typeof createApp>;
