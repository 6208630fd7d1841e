import type { TArray, TBoolean, TLiteral, TNumber, TOptional, TSchema, TString, TUnion } from "@sinclair/typebox";
import { t } from "elysia";
import { type BooleanKnob, type ChoiceKnob, type ClassesKnob, KNOBS, type Knob, knobDefaultText } from "../domain/knobs";

/** The route schema Elysia gets for each kind of knob. */
type SchemaOf<K extends Knob> = K extends ClassesKnob
  ? TUnion<[TString, TArray<TString>]>
  : K extends BooleanKnob
    ? TBoolean
    : K extends ChoiceKnob
      ? TUnion<TLiteral<K["values"][number]>[]>
      : TNumber;

/** OpenAPI's text for a knob: its meaning and what an absent knob means. */
export function knobDescription(knob: Knob): string {
  // "default: all" for the one knob whose default is a word, not a value.
  const gap = knob.kind === "classes" ? ": " : " ";
  return `${knob.description} (default${gap}${knobDefaultText(knob)})`;
}

/**
 * Multipart fields arrive as strings, so numbers and booleans use Elysia's
 * string-coercing Numeric and BooleanString; the range sits on the number.
 */
function knobSchema(knob: Knob) {
  const description = knobDescription(knob);
  switch (knob.kind) {
    case "number":
    case "integer": {
      const whole = knob.kind === "integer" ? { multipleOf: knob.step ?? 1 } : {};
      // JSON Schema has no "0, or from min": 0 passes here, and the gap is refused by numberFits
      // (knob-errors.ts and the intake), with the same 422.
      return t.Numeric({ minimum: knob.orZero ? 0 : knob.min, maximum: knob.max, ...whole, description, examples: [knob.default] });
    }
    case "boolean":
      return t.BooleanString({ description, examples: [knob.default] });
    case "classes":
      // No example: Swagger UI would pre-fill it and filter every "Try it out" upload.
      return t.Union([t.String(), t.Array(t.String())], { description });
    case "choice": {
      // Elysia gives a word list its first word as default, and fills an absent field with it: the
      // form's filled-in word would then override the query's, and a default that is not the first
      // word (rect's) would never apply. An absent knob stays absent; the intake applies knobs.ts's default.
      const { default: _, ...schema } = t.UnionEnum(knob.values as [string, ...string[]], { description, examples: [knob.default] });
      return schema as ReturnType<typeof t.UnionEnum>;
    }
  }
}

/** The plain (non-string) branch of a string-coercing knob schema, or a choice's word list: it carries the range. */
export function plainBranch(schema: TSchema): TSchema | undefined {
  const branches = (schema as { anyOf?: TSchema[] }).anyOf ?? [schema];
  return branches.find((b) => b.type === "number" || b.type === "boolean" || Array.isArray((b as { enum?: unknown }).enum));
}

/**
 * The knobs of POST /predict as form fields and query parameters, built from
 * src/domain/knobs.ts. The mapped type keeps each field's own static type
 * (number, boolean, string or string[]) for the handlers.
 */
export const DetectKnobs = Object.fromEntries(KNOBS.map((knob) => [knob.name, t.Optional(knobSchema(knob))])) as unknown as {
  [K in (typeof KNOBS)[number] as K["name"]]: TOptional<SchemaOf<K>>;
};
