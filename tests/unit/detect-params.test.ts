import { describe, expect, test } from "bun:test";
import { DomainError } from "../../src/domain/errors";
import { COCO_NAMES } from "../../src/model/class-names";
import { type ParamsModel, resolveParams } from "../../src/intake/detect-params";
import { onlySize } from "../../src/model/model-info";

/** A model as resolveParams sees it: its names, its own size and the imgsz it allows. */
const modelOf = (names: readonly string[], side = 640, imgsz = onlySize(side)) => ({ name: "m", names, inputWidth: side, inputHeight: side, imgsz });
const COCO = modelOf(COCO_NAMES);

/** Runs resolveParams expecting a DomainError, and returns it. */
const paramError = (classes: string | string[]): DomainError => {
  try {
    resolveParams({ classes }, COCO);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error(`classes ${JSON.stringify(classes).slice(0, 50)} was accepted`);
};

describe("resolveParams", () => {
  test("defaults", () => {
    const p = resolveParams({}, COCO);
    expect(p).toEqual({ conf: 0.25, iou: 0.7, maxDet: 300, annotate: true, agnosticNms: false, rect: "on", tile: "off", tileSize: 0, tileOverlap: 0.2, imgsz: 0 });
    expect("classes" in p).toBe(false); // no filter at all, not an empty one
  });

  test("knobs map onto params", () => {
    const p = resolveParams({ conf: 0.6, iou: 0.7, max_det: 5, annotate: false, agnostic_nms: true, rect: "off" }, COCO);
    expect(p).toEqual({ conf: 0.6, iou: 0.7, maxDet: 5, annotate: false, agnosticNms: true, rect: "off", tile: "off", tileSize: 0, tileOverlap: 0.2, imgsz: 0 });
  });

  test("conf 0 is kept, not replaced by the default", () => {
    expect(resolveParams({ conf: 0 }, COCO).conf).toBe(0);
  });

  test("classes by id", () => {
    expect(resolveParams({ classes: "16" }, COCO).classes).toEqual([16]);
    expect(resolveParams({ classes: "0" }, COCO).classes).toEqual([0]);
    expect(resolveParams({ classes: "79" }, COCO).classes).toEqual([79]);
  });

  test("classes by name, case-insensitive, names with spaces included", () => {
    expect(resolveParams({ classes: "dog" }, COCO).classes).toEqual([16]);
    expect(resolveParams({ classes: "DOG, Person" }, COCO).classes).toEqual([0, 16]);
    expect(resolveParams({ classes: "Traffic Light" }, COCO).classes).toEqual([9]);
  });

  test("comma-separated and repeated values mix ids and names", () => {
    expect(resolveParams({ classes: ["dog,0", " cat ", "2"] }, COCO).classes).toEqual([0, 2, 15, 16]);
  });

  test("duplicates collapse and the ids are sorted", () => {
    expect(resolveParams({ classes: "16,dog,DOG,16" }, COCO).classes).toEqual([16]);
    expect(resolveParams({ classes: "5,3,1" }, COCO).classes).toEqual([1, 3, 5]);
  });

  test("names are checked against the model's own names, not COCO", () => {
    expect(resolveParams({ classes: "dog" }, modelOf(["cat", "dog"])).classes).toEqual([1]);
    expect(() => resolveParams({ classes: "person" }, modelOf(["cat", "dog"]))).toThrow(DomainError);
    expect(() => resolveParams({ classes: "2" }, modelOf(["cat", "dog"]))).toThrow(DomainError);
  });

  test("an unknown name is an invalid_parameter on the classes field", () => {
    const err = paramError("dog,unicorn");
    expect(err.code).toBe("invalid_parameter");
    expect(err.fields?.[0].field).toBe("classes");
    expect(err.message).toContain("unicorn");
  });

  test("an out-of-range id is refused", () => {
    const err = paramError("80");
    expect(err.code).toBe("invalid_parameter");
    expect(err.fields?.[0].field).toBe("classes");
    expect(err.message).toContain('"80"');
  });

  test("negative and fractional ids are refused", () => {
    expect(paramError("-1").code).toBe("invalid_parameter");
    expect(paramError("1.5").code).toBe("invalid_parameter");
  });

  test("an empty class field means no filter, as when an HTML form or Swagger sends it empty", () => {
    for (const empty of ["", " , ,", []]) expect("classes" in resolveParams({ classes: empty }, COCO)).toBe(false);
  });

  test("a huge token does not blow up the error message", () => {
    const err = paramError("x".repeat(100_000));
    expect(err.message.length).toBeLessThanOrEqual(300);
    expect(err.fields![0].message.length).toBeLessThanOrEqual(300);
  });

  test("many unknown tokens do not blow up the error message either", () => {
    // the message echoes client input: it must stay bounded however many tokens arrive
    const err = paramError(Array.from({ length: 1000 }, (_, i) => `nope${i}`).join(","));
    expect(err.message.length).toBeLessThanOrEqual(300);
    expect(err.fields![0].message.length).toBeLessThanOrEqual(300);
  });
});

describe("imgsz against the chosen model", () => {
  const free = modelOf(COCO_NAMES, 640, { min: 320, max: 1280, step: 32 });
  const refusal = (imgsz: number, model: ParamsModel) => {
    try {
      resolveParams({ imgsz }, model);
    } catch (e) {
      return { code: (e as DomainError).code, fields: (e as DomainError).fields };
    }
    return "accepted";
  };

  test("a free-shape model takes every multiple of 32 in its range, and 0", () => {
    for (const imgsz of [0, 320, 352, 640, 1248, 1280]) expect([imgsz, resolveParams({ imgsz }, free).imgsz]).toEqual([imgsz, imgsz]);
  });

  test("a model with a session per shape takes its own size and 0; any other is a 422 on imgsz listing what it allows", () => {
    const own = modelOf(COCO_NAMES, 320);
    expect([resolveParams({ imgsz: 320 }, own).imgsz, resolveParams({ imgsz: 0 }, own).imgsz]).toEqual([320, 0]);
    expect(refusal(640, { ...own, name: "yolo11n-320" })).toEqual({
      code: "validation_failed",
      fields: [{ field: "imgsz", message: "must be 0 (its own size, 320) or a size model yolo11n-320 allows: 320" }],
    });
  });

  test("outside the knob's range, or off the 32 grid, the knob's own rule answers, whatever the model", () => {
    const rule = [{ field: "imgsz", message: "must be 0 or a multiple of 32 from 320 to 1280" }];
    for (const imgsz of [288, 1312, 500]) expect(refusal(imgsz, free)).toEqual({ code: "validation_failed", fields: rule });
  });

  test("a description without imgsz (an older inference process's) allows only its own size", () => {
    const older = { ...COCO, imgsz: undefined };
    expect([resolveParams({ imgsz: 640 }, older).imgsz, refusal(320, older) !== "accepted"]).toEqual([640, true]);
  });
});
