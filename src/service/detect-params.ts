import { DomainError } from "../domain/errors";
import type { DetectParams } from "../domain/task";

export const DEFAULT_PARAMS: DetectParams = {
  conf: 0.25,
  iou: 0.45,
  maxDet: 300,
  agnosticNms: false,
  annotate: true,
};

/** Knobs as they arrive (already range-checked by the route schema). */
export interface RawKnobs {
  conf?: number;
  iou?: number;
  max_det?: number;
  classes?: string | string[];
  annotate?: boolean;
  agnostic_nms?: boolean;
}

/**
 * Turns validated knobs into detection parameters; `classes` accepts ids and
 * names (comma-separated or repeated) and is checked against the model's names.
 */
export function resolveParams(knobs: RawKnobs, names: readonly string[]): DetectParams {
  const params: DetectParams = {
    conf: knobs.conf ?? DEFAULT_PARAMS.conf,
    iou: knobs.iou ?? DEFAULT_PARAMS.iou,
    maxDet: knobs.max_det ?? DEFAULT_PARAMS.maxDet,
    agnosticNms: knobs.agnostic_nms ?? DEFAULT_PARAMS.agnosticNms,
    annotate: knobs.annotate ?? DEFAULT_PARAMS.annotate,
  };
  const tokens = [knobs.classes ?? []]
    .flat()
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  // An empty field (as an HTML form sends it) means no filter, like no field.
  if (tokens.length) params.classes = resolveClasses(tokens, names);
  return params;
}

function resolveClasses(tokens: string[], names: readonly string[]): number[] {
  const byName = new Map(names.map((n, i) => [n.toLowerCase(), i]));
  const ids = new Set<number>();
  const unknown: string[] = [];
  for (const token of tokens) {
    const id = /^\d+$/.test(token) ? Number(token) : byName.get(token.toLowerCase());
    if (id === undefined || id >= names.length) unknown.push(token);
    else ids.add(id);
  }
  if (unknown.length) {
    // Echo at most a few short tokens: the message must stay small whatever the client sent.
    const shown = unknown.slice(0, 3).map((u) => JSON.stringify(u.slice(0, 40)));
    if (unknown.length > 3) shown.push(`and ${unknown.length - 3} more`);
    const what = `unknown class ${shown.join(", ")}`;
    throw new DomainError("invalid_parameter", `classes: ${what}. The model knows ids 0-${names.length - 1} and their names (see GET /health).`, [
      { field: "classes", message: `${what}; use ids 0-${names.length - 1} or class names` },
    ]);
  }
  return [...ids].sort((a, b) => a - b);
}
