import { ConfigError } from "../config/config";
import { ModelNotFound } from "../model/resolve-model";
import type { Fields, Logger } from "./logger";

/** Logs "ready" once, the first time `isReady()` holds, with the time since start. */
export function logWhenReady(log: Logger, startedAt: number, isReady: () => boolean, fields: () => Fields) {
  const check = setInterval(() => {
    if (!isReady()) return;
    clearInterval(check);
    log.info("ready", { ms_since_start: Math.round(performance.now() - startedAt), ...fields() });
  }, 20);
}

/**
 * SIGTERM or SIGINT drains once: "draining" is logged, `drain` runs, "stopped"
 * is logged with what it returned, and the process exits 0.
 */
export function drainOnSignals(log: Logger, draining: () => Fields, drain: () => Promise<Fields>) {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("draining", { signal, ...draining() });
    const result = await drain();
    log.info("stopped", result);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

/** Runs a CLI entry: configuration and model problems end it with one line and exit 2, anything else with exit 1; never a stack. */
export function runMain(main: () => Promise<void>, what: string) {
  main().catch((err) => {
    if (err instanceof ConfigError || err instanceof ModelNotFound) {
      console.error(`error: ${err.message}`);
      process.exit(2);
    }
    console.error(`error: ${what} could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
