import type { ModelInfo } from "./model-info";

/**
 * The models a service runs, as its workers describe them, the default first.
 * `name` undefined asks for the default; an unknown name (or no models yet) gives undefined.
 */
export function modelFor(models: readonly ModelInfo[] | undefined, name: string | undefined): ModelInfo | undefined {
  if (!models?.length) return undefined;
  return name === undefined ? models[0] : models.find((m) => m.name === name);
}

/**
 * The names an upload may give, the default first: the ones this process was
 * told of (MODELS, or the one model, in their order), then any other a worker
 * has described (on Redis, an inference process holding a model this replica
 * was not told of). The one rule for which model is the default.
 */
export function knownModels(configured: readonly string[], described: readonly { name: string }[] | undefined): string[] {
  return [...new Set([...configured, ...(described ?? []).map((m) => m.name)])];
}

/**
 * The names this process was told of, the default first: the models it loads
 * (MODELS, or the one model named after its file) or, on an API replica that
 * loads none (WORKERS=0), MODELS' names as given; none when it was told nothing.
 */
export function configuredNames(loaded: readonly { name: string }[], listed: readonly { name: string }[]): string[] {
  return (loaded.length ? loaded : listed).map((m) => m.name);
}
