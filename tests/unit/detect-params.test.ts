import { describe, expect, test } from "bun:test";
import { DomainError } from "../../src/domain/errors";
import { COCO_NAMES } from "../../src/model/class-names";
import { resolveParams } from "../../src/intake/detect-params";

/** Runs resolveParams expecting a DomainError, and returns it. */
const paramError = (classes: string | string[]): DomainError => {
  try {
    resolveParams({ classes }, COCO_NAMES);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error(`classes ${JSON.stringify(classes).slice(0, 50)} was accepted`);
};

describe("resolveParams", () => {
  test("defaults", () => {
    const p = resolveParams({}, COCO_NAMES);
    expect(p).toEqual({ conf: 0.25, iou: 0.7, maxDet: 300, annotate: true, agnosticNms: false, rect: "on", tile: "off", tileSize: 0, tileOverlap: 0.2 });
    expect("classes" in p).toBe(false); // no filter at all, not an empty one
  });

  test("knobs map onto params", () => {
    const p = resolveParams({ conf: 0.6, iou: 0.7, max_det: 5, annotate: false, agnostic_nms: true, rect: "off" }, COCO_NAMES);
    expect(p).toEqual({ conf: 0.6, iou: 0.7, maxDet: 5, annotate: false, agnosticNms: true, rect: "off", tile: "off", tileSize: 0, tileOverlap: 0.2 });
  });

  test("conf 0 is kept, not replaced by the default", () => {
    expect(resolveParams({ conf: 0 }, COCO_NAMES).conf).toBe(0);
  });

  test("classes by id", () => {
    expect(resolveParams({ classes: "16" }, COCO_NAMES).classes).toEqual([16]);
    expect(resolveParams({ classes: "0" }, COCO_NAMES).classes).toEqual([0]);
    expect(resolveParams({ classes: "79" }, COCO_NAMES).classes).toEqual([79]);
  });

  test("classes by name, case-insensitive, names with spaces included", () => {
    expect(resolveParams({ classes: "dog" }, COCO_NAMES).classes).toEqual([16]);
    expect(resolveParams({ classes: "DOG, Person" }, COCO_NAMES).classes).toEqual([0, 16]);
    expect(resolveParams({ classes: "Traffic Light" }, COCO_NAMES).classes).toEqual([9]);
  });

  test("comma-separated and repeated values mix ids and names", () => {
    expect(resolveParams({ classes: ["dog,0", " cat ", "2"] }, COCO_NAMES).classes).toEqual([0, 2, 15, 16]);
  });

  test("duplicates collapse and the ids are sorted", () => {
    expect(resolveParams({ classes: "16,dog,DOG,16" }, COCO_NAMES).classes).toEqual([16]);
    expect(resolveParams({ classes: "5,3,1" }, COCO_NAMES).classes).toEqual([1, 3, 5]);
  });

  test("names are checked against the model's own names, not COCO", () => {
    expect(resolveParams({ classes: "dog" }, ["cat", "dog"]).classes).toEqual([1]);
    expect(() => resolveParams({ classes: "person" }, ["cat", "dog"])).toThrow(DomainError);
    expect(() => resolveParams({ classes: "2" }, ["cat", "dog"])).toThrow(DomainError);
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
    for (const empty of ["", " , ,", []]) expect("classes" in resolveParams({ classes: empty }, COCO_NAMES)).toBe(false);
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
