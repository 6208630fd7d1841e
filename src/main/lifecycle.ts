import { type Config, ConfigError, loadConfig } from "../config/config";
import { type ModelFile, ModelNotFound, resolveModels } from "../model/resolve-model";
import { type Fields, jsonLogger, type Logger } from "../util/logger";
import { progressBar } from "../util/progress";

/** What every entry point starts from: its configuration, its logger and (when it runs inference) its models. */
export interface StartUp {
  startedAt: number;
  config: Config;
  log: Logger;
  /** the models it runs, the default first; none for a process that runs no inference */
  models: ModelFile[];
  /** no worker could load the model (the executor has logged why): exit 2 */
  onFatal(reason: string): void;
}

/**
 * The one start-up path: configuration (every problem listed), the models
 * (found, or downloaded, their progress shown) when `needsModel` says so, and
 * what a model that cannot load does to the process.
 */
export async function startUp(env: Record<string, string | undefined>, needsModel: (config: Config) => boolean): Promise<StartUp> {
  const startedAt = performance.now();
  const config = loadConfig(env);
  const log = jsonLogger(config.logLevel);
  const models = needsModel(config) ? await resolveModels({ ...config, onProgress: downloadProgress(log) }) : [];
  const onFatal = () => process.exit(2);
  return { startedAt, config, log, models, onFatal };
}

/**
 * The model download's progress: a bar for a person at a terminal; in a log
 * (no TTY: a container, a Space) a JSON line per 10 %, as the rest of the log.
 */
export function downloadProgress(log: Logger, tty = Boolean(process.stderr.isTTY)): (fraction: number | undefined, bytes: number) => void {
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  if (tty) {
    const bar = progressBar("downloading model");
    return (fraction, bytes) => bar.update(fraction, `${mb(bytes)} MB`);
  }
  // A step is a tenth of the file, or 10 MB when the server gave no size.
  let logged = -1;
  return (fraction, bytes) => {
    const step = fraction === undefined ? Math.floor(bytes / 1e7) : Math.floor(fraction * 10);
    if (step <= logged) return;
    logged = step;
    log.info("downloading model", { ...(fraction === undefined ? {} : { percent: step * 10 }), mb: mb(bytes) });
  };
}

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
export function drainOnSignals(log: Logger, draining: () => Promise<Fields>, drain: () => Promise<Fields>) {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("draining", { signal, ...(await draining()) });
    const result = await drain();
    log.info("stopped", result);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

/**
 * Runs an entry point: configuration and model problems end it with one JSON
 * line ("cannot start") and exit 2, anything else with exit 1; never a stack.
 * The line is written whatever LOG_LEVEL says: the configuration may be what
 * failed to load.
 */
export function runMain(main: () => Promise<void>, what: string) {
  main().catch((err) => {
    const log = jsonLogger();
    if (err instanceof ConfigError || err instanceof ModelNotFound) {
      log.error("cannot start", { error: err.message });
      process.exit(2);
    }
    log.error("cannot start", { error: `${what} could not start: ${err instanceof Error ? err.message : String(err)}` });
    process.exit(1);
  });
}
