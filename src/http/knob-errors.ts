import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { FieldError } from "../domain/errors";
import { KNOBS, type Knob, knobRule, numberFits } from "../domain/knobs";
import { DetectKnobs, plainBranch } from "./knob-schema";

function coerce(raw: unknown, branch: TSchema): unknown {
  if (typeof raw !== "string") return raw;
  if (branch.type === "number") return raw.trim() === "" ? Number.NaN : Number(raw);
  if (branch.type === "boolean") return raw === "true" ? true : raw === "false" ? false : raw;
  return raw;
}

/**
 * Every knob in a request that breaks its schema. Elysia stops at the first
 * failing string-coerced field and loses its path, so each submitted knob is
 * checked here against its own schema to report all of them by name.
 */
export function knobErrors(input: unknown): FieldError[] {
  if (!input || typeof input !== "object") return [];
  const errors: FieldError[] = [];
  for (const knob of KNOBS as readonly Knob[]) {
    const raw = (input as Record<string, unknown>)[knob.name];
    if (raw === undefined) continue;
    const schema: TSchema = DetectKnobs[knob.name as keyof typeof DetectKnobs];
    const branch = plainBranch(schema);
    const fits = (v: unknown) => (knob.kind === "number" || knob.kind === "integer" ? numberFits(knob, v as number) : true);
    const ok = branch ? [raw].flat().every((v) => Value.Check(branch, coerce(v, branch)) && fits(coerce(v, branch))) : Value.Check(schema, raw);
    if (!ok) errors.push({ field: knob.name, message: knobRule(knob) });
  }
  return errors;
}
