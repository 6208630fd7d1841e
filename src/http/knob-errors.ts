import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { FieldError } from "../domain/errors";
import { DetectKnobs, KNOB_RULES } from "./model";

type KnobName = keyof typeof DetectKnobs;

/** The plain (non-string) branch of a string-coercing knob schema: it carries the range. */
export function plainBranch(schema: TSchema): TSchema | undefined {
  const branches = (schema as { anyOf?: TSchema[] }).anyOf ?? [schema];
  return branches.find((b) => b.type === "number" || b.type === "boolean");
}

function coerce(raw: unknown, branch: TSchema): unknown {
  if (typeof raw !== "string") return raw;
  if (branch.type === "number") return raw.trim() === "" ? Number.NaN : Number(raw);
  return raw === "true" ? true : raw === "false" ? false : raw;
}

/**
 * Every knob in a request that breaks its schema. Elysia stops at the first
 * failing string-coerced field and loses its path, so each submitted knob is
 * checked here against its own schema to report all of them by name.
 */
export function knobErrors(input: unknown): FieldError[] {
  if (!input || typeof input !== "object") return [];
  const errors: FieldError[] = [];
  for (const name of Object.keys(DetectKnobs) as KnobName[]) {
    const raw = (input as Record<string, unknown>)[name];
    if (raw === undefined) continue;
    const branch = plainBranch(DetectKnobs[name]);
    const ok = branch ? [raw].flat().every((v) => Value.Check(branch, coerce(v, branch))) : Value.Check(DetectKnobs[name], raw);
    if (!ok) errors.push({ field: name, message: KNOB_RULES[name] });
  }
  return errors;
}
