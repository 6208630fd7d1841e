import { join } from "node:path";
import { REPO } from "./paths";

/** What the tests read of a compose service. */
export type Service = {
  image?: string;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  stop_grace_period?: string;
  restart?: string;
  deploy?: { replicas?: number };
};
export type Compose = { services: Record<string, Service> };

/** docs/compose.yaml, parsed: the file both the compose-docs and the container tests read. */
export async function readCompose(): Promise<{ text: string; compose: Compose }> {
  const text = await Bun.file(join(REPO, "docs/compose.yaml")).text();
  return { text, compose: Bun.YAML.parse(text) as Compose };
}

/** Compose's `${VAR:-default}` / `${VAR-default}` / `${VAR}`, as with VAR unset. */
export function interpolate(value: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_m, _name, fallback) => fallback ?? "");
}

/** A service's environment as compose gives it to the container, with no variables set in the shell. */
export function envOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  const pairs: [string, string][] = Array.isArray(env)
    ? env.map((line) => {
        const i = line.indexOf("=");
        return i < 0 ? [line, ""] : [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(env).map(([k, v]) => [k, v === null ? "" : String(v)]);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v)]));
}

/** A command as a list of words, in either of compose's forms. */
export function tokens(command: string | string[]): string[] {
  return Array.isArray(command) ? command : command.trim().split(/\s+/);
}
