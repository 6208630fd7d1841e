import { loadConfig } from "../../src/config/config";
import type { Clock } from "../../src/domain/clock";
import { resolveModels } from "../../src/model/resolve-model";
import { createService, type Service } from "../../src/main/create-service";
import { jsonLogger } from "../../src/util/logger";
import { backendEnv } from "./backend";
import { waitFor } from "./wait";

export interface TestService {
  service: Service;
  app: Service["app"];
  /** every structured log line the service wrote, parsed */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * The real service in this process, on the real model, with its log captured.
 * Resolves once a worker has loaded and warmed the model.
 */
export async function startTestService(
  env: Record<string, string> = {},
  opts: { workerEntry?: string | URL; waitReady?: boolean; clock?: Clock; random?: () => number; resolve?: (host: string) => Promise<string[]>; imageUrlAllowance?: (address: string) => boolean } = {},
): Promise<TestService> {
  const config = loadConfig({ LOG_LEVEL: "info", ...backendEnv(), ...env });
  const models = await resolveModels(config);
  const logs: Record<string, unknown>[] = [];
  // TEST_LOG=1 echoes the service's log while debugging a test.
  const log = jsonLogger("info", (line) => {
    logs.push(JSON.parse(line));
    if (process.env.TEST_LOG) console.error(line);
  });
  // A fixture entry (a worker that crashes or hangs on demand) in place of the real one.
  const spawn = opts.workerEntry ? () => new Worker(opts.workerEntry!) : undefined;
  const service = createService({ config, models, log, spawn, clock: opts.clock, random: opts.random, resolve: opts.resolve, imageUrlAllowance: opts.imageUrlAllowance });
  service.start();
  if (opts.waitReady !== false) await waitFor(() => !service.backend.notReadyReason(), 30_000, "model ready");
  return { service, app: service.app, logs, stop: () => service.stop() };
}

export { waitFor };

/** A task's status as the backend holds it (either backend), or undefined once unknown. */
export async function statusOf(svc: TestService, id: string) {
  return (await svc.service.backend.find(id, { withImage: false }))?.task.status;
}

/** A task as the backend holds it, without its image. */
export async function taskOf(svc: TestService, id: string) {
  return (await svc.service.backend.find(id, { withImage: false }))?.task;
}
