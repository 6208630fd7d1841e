import type { ModelInfo } from "./model-info";

/**
 * The models a service runs, as its workers describe them, the default first.
 * `name` undefined asks for the default; an unknown name (or no models yet) gives undefined.
 */
export function modelFor(models: readonly ModelInfo[] | undefined, name: string | undefined): ModelInfo | undefined {
  if (!models?.length) return undefined;
  return name === undefined ? models[0] : models.find((m) => m.name === name);
}
