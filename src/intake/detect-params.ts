import { rejectRequest, rejectUpload } from "../domain/errors";
import { defaultParams, KNOBS, type Knob, knobRule, numberFits, type RawKnobs } from "../domain/knobs";
import type { DetectParams } from "../domain/task";
import { imgszAllowed, imgszText, type ModelInfo, ownSide } from "../model/model-info";

/** What a request that sets no knob runs with (src/domain/knobs.ts holds the values). */
export const DEFAULT_PARAMS: DetectParams = defaultParams();

/** What resolveParams needs of the chosen model. */
export type ParamsModel = Pick<ModelInfo, "name" | "inputWidth" | "inputHeight" | "imgsz"> & { names: readonly string[] };

/**
 * Turns validated knobs into detection parameters; `classes` accepts ids and
 * names (comma-separated or repeated) and is checked against the model's names,
 * and `imgsz` against the sizes the model runs.
 */
export function resolveParams(knobs: RawKnobs, model: ParamsModel): DetectParams {
  const params: DetectParams = { ...DEFAULT_PARAMS };
  // What the route schema cannot say (tile_size: 0, or from 64), refused as the schema refuses the rest.
  const outOfRange = (KNOBS as readonly Knob[]).filter((k) => (k.kind === "number" || k.kind === "integer") && typeof knobs[k.name as keyof RawKnobs] === "number" && !numberFits(k, knobs[k.name as keyof RawKnobs] as number));
  if (outOfRange.length) throw rejectRequest.invalidFields(outOfRange.map((k) => ({ field: k.name, message: knobRule(k) })));
  // The knob's range is what a free-shape session runs; a model with a session per shape runs fewer.
  if (knobs.imgsz !== undefined && !imgszAllowed(model, knobs.imgsz)) {
    const message = `must be 0 (its own size, ${ownSide(model)}) or a size model ${model.name} allows: ${imgszText(model)}`;
    throw rejectRequest.invalidFields([{ field: "imgsz", message }]);
  }
  for (const knob of KNOBS as readonly Knob[]) {
    const value = knobs[knob.name as keyof RawKnobs];
    // `classes` needs the model's names; every other knob is its parameter as is.
    if (knob.kind !== "classes" && value !== undefined) Object.assign(params, { [knob.param]: value });
  }
  const tokens = [knobs.classes ?? []]
    .flat()
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  // An empty field (as an HTML form sends it) means no filter, like no field.
  if (tokens.length) params.classes = resolveClasses(tokens, model.names);
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
    throw rejectUpload.unknownClasses(shown, names.length);
  }
  return [...ids].sort((a, b) => a - b);
}
