import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { KNOBS, type Knob, knobRule, numberFits } from "../../src/domain/knobs";
import { knobErrors } from "../../src/http/knob-errors";
import { DetectKnobs, knobDescription } from "../../src/http/knob-schema";
import { PredictQuery } from "../../src/http/upload-schemas";
import { DEFAULT_PARAMS } from "../../src/intake/detect-params";

const knobs = KNOBS as readonly Knob[];
const knob = (name: string) => knobs.find((k) => k.name === name)!;

describe("the knob table", () => {
  test("names each knob once and fills each parameter once", () => {
    expect(new Set(knobs.map((k) => k.name)).size).toBe(knobs.length);
    expect(new Set(knobs.map((k) => k.param)).size).toBe(knobs.length);
  });

  test("DEFAULT_PARAMS holds the table's defaults and no class filter", () => {
    for (const k of knobs) {
      if (k.kind === "classes") expect("classes" in DEFAULT_PARAMS).toBe(false);
      else expect([k.name, DEFAULT_PARAMS[k.param]]).toEqual([k.name, k.default]);
    }
  });

  test("every default is a value its knob takes", () => {
    for (const k of knobs) if (k.kind === "number" || k.kind === "integer") expect([k.name, numberFits(k, k.default)]).toEqual([k.name, true]);
  });
});

describe("the route schema built from it", () => {
  test("has one optional field per knob, documented with its default", () => {
    expect(Object.keys(DetectKnobs)).toEqual(knobs.map((k) => k.name));
    expect(knobDescription(knob("conf"))).toBe("Confidence a box must exceed (default 0.25)");
    expect(knobDescription(knob("annotate"))).toBe("Draw the boxes and labels on the image (default true)");
    expect(knobDescription(knob("classes"))).toStartWith("Classes to keep");
    expect(knobDescription(knob("classes"))).toEndWith("(default: all)");
    expect(Value.Check(PredictQuery, {})).toBe(true);
  });

  test("max_det takes whole numbers only; conf takes fractions", () => {
    const schema = DetectKnobs.max_det as unknown as { anyOf: { type: string; multipleOf?: number }[] };
    expect(schema.anyOf.find((b) => b.type === "number")?.multipleOf).toBe(1);
    expect(knobErrors({ max_det: "1.5" })).toEqual([{ field: "max_det", message: "must be a whole number from 1 to 300" }]);
    expect(knobErrors({ conf: "0.5", max_det: "300" })).toEqual([]);
  });

  test("imgsz takes multiples of 32 only (the head's coarsest stride), and 0", () => {
    const schema = DetectKnobs.imgsz as unknown as { anyOf: { type: string; multipleOf?: number }[] };
    expect(schema.anyOf.find((b) => b.type === "number")?.multipleOf).toBe(32);
    expect(knobErrors({ imgsz: "0", tile_size: "0" })).toEqual([]);
    expect(knobErrors({ imgsz: "352" })).toEqual([]);
    expect(knobErrors({ imgsz: "336" })).toEqual([{ field: "imgsz", message: "must be 0 or a multiple of 32 from 320 to 1280" }]);
  });
});

describe("knobErrors, with the table's rules", () => {
  test("the rule texts the 422 answers give, as clients have seen them", () => {
    expect(Object.fromEntries(knobs.map((k) => [k.name, knobRule(k)]))).toEqual({
      conf: "must be a number from 0 to 1",
      iou: "must be a number from 0 to 1",
      max_det: "must be a whole number from 1 to 300",
      rect: "must be one of off, on",
      classes: "must be class ids or names, comma-separated or repeated",
      annotate: "must be true or false",
      agnostic_nms: "must be true or false",
      tile: "must be one of off, auto, on",
      tile_size: "must be 0 or a whole number from 64 to 4096",
      tile_overlap: "must be a number from 0 to 0.5",
      imgsz: "must be 0 or a multiple of 32 from 320 to 1280",
    });
  });

  test("a choice takes its words only", () => {
    expect(knobErrors({ tile: "auto" })).toEqual([]);
    expect(knobErrors({ tile: "off" })).toEqual([]);
    expect(knobErrors({ tile: "sometimes" })).toEqual([{ field: "tile", message: "must be one of off, auto, on" }]);
    expect(knobErrors({ tile: "" })).toEqual([{ field: "tile", message: "must be one of off, auto, on" }]);
  });

  test("range ends are accepted and values just past them refused, for every numeric knob", () => {
    for (const k of knobs) {
      if (k.kind !== "number" && k.kind !== "integer") continue;
      expect(knobErrors({ [k.name]: String(k.min) })).toEqual([]);
      expect(knobErrors({ [k.name]: String(k.max) })).toEqual([]);
      expect(knobErrors({ [k.name]: String(k.max + 1) })).toEqual([{ field: k.name, message: knobRule(k) }]);
      // Just under the range is refused, unless it is the 0 a knob also takes (tile_size).
      if (!(k.orZero && k.min - 1 < 1)) expect(knobErrors({ [k.name]: String(k.min - 1) })).toEqual([{ field: k.name, message: knobRule(k) }]);
      expect(knobErrors({ [k.name]: "" })).toEqual([{ field: k.name, message: knobRule(k) }]);
    }
  });

  test("tile_size takes 0 (the model's input size) or 64 and up, as the docs say, and nothing between", () => {
    expect(knobErrors({ tile_size: "0" })).toEqual([]);
    expect(knobErrors({ tile_size: "64" })).toEqual([]);
    for (const v of ["1", "10", "63"]) expect(knobErrors({ tile_size: v })).toEqual([{ field: "tile_size", message: "must be 0 or a whole number from 64 to 4096" }]);
  });

  test("booleans take true and false only", () => {
    expect(knobErrors({ annotate: "false", agnostic_nms: "true" })).toEqual([]);
    expect(knobErrors({ annotate: "yes", agnostic_nms: "1" })).toEqual([
      { field: "annotate", message: "must be true or false" },
      { field: "agnostic_nms", message: "must be true or false" },
    ]);
  });

  test("every bad knob of a request is reported, each by name; absent knobs are not", () => {
    expect(knobErrors({ conf: "1.5", iou: "x", classes: "dog" }).map((e) => e.field)).toEqual(["conf", "iou"]);
    expect(knobErrors({})).toEqual([]);
    expect(knobErrors(undefined)).toEqual([]);
  });
});
