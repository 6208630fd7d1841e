import { Elysia } from "elysia";
import pkg from "../package.json";
import { docs } from "./http/docs";
import { errorHandler } from "./http/error-handler";
import { healthController } from "./http/health.controller";
import { predictController } from "./http/predict.controller";
import { resultController } from "./http/result.controller";
import type { Runner } from "./runner/runner";
import { Intake } from "./service/intake";
import type { Logger } from "./util/logger";

export interface AppDeps {
  runner: Runner;
  log: Logger;
  maxUploadBytes: number;
  maxPixels: number;
}

/** The HTTP surface, with no listening socket: tests drive it with app.handle(). */
export function createApp({ runner, log, maxUploadBytes, maxPixels }: AppDeps) {
  const intake = new Intake(runner, { maxUploadBytes, maxPixels });
  return new Elysia()
    .use(errorHandler(log))
    .use(docs(pkg.version))
    .use(predictController(intake, runner, maxUploadBytes))
    .use(resultController(runner))
    .use(healthController(runner));
}

export type App = ReturnType<typeof createApp>;
