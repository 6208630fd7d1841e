import type { BackendDeps } from "./backend-deps";
import { createEmbeddedBackend } from "./embedded/create-embedded-backend";
import { createRedisBackend } from "./redis/create-redis-backend";
import type { TaskBackend } from "./task-backend";

/** The backend QUEUE_BACKEND names, built with everything it runs (workers, housekeeping, connections). */
export function createBackend(deps: BackendDeps): TaskBackend {
  return deps.config.queueBackend === "redis" ? createRedisBackend(deps) : createEmbeddedBackend(deps);
}
