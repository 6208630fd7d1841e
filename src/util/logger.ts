/** One JSON object per line on stdout: what log shippers and `jq` expect. */
export type Fields = Record<string, unknown>;
export type Level = "debug" | "info" | "warn" | "error" | "silent";

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

/**
 * A line for the log from code that has no logger of its own (an inference
 * worker's pipeline): the worker posts it, the main thread's logger writes it.
 */
export type LogLine = (level: "warn" | "error", msg: string, fields?: Fields) => void;

const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function jsonLogger(level: Level = "info", write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  const at = (lvl: Exclude<Level, "silent">) => (msg: string, fields: Fields = {}) => {
    if (RANK[lvl] < RANK[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }));
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
