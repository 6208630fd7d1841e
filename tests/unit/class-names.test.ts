import { describe, expect, test } from "bun:test";
import { COCO_NAMES, parseNamesLiteral } from "../../src/model/class-names";

describe("COCO_NAMES", () => {
  test("has the 80 classes in Ultralytics order", () => {
    expect(COCO_NAMES.length).toBe(80);
    expect(COCO_NAMES[0]).toBe("person");
    expect(COCO_NAMES[16]).toBe("dog");
    expect(COCO_NAMES[79]).toBe("toothbrush");
  });
});

describe("parseNamesLiteral", () => {
  test("parses an 80-entry dict in the exact form Ultralytics writes", () => {
    // str(dict) in Python: "{0: 'person', 1: 'bicycle', ..., 79: 'toothbrush'}"
    const literal = `{${COCO_NAMES.map((n, i) => `${i}: '${n}'`).join(", ")}}`;
    expect(literal.startsWith("{0: 'person', 1: 'bicycle', 2: 'car',")).toBe(true);
    expect(parseNamesLiteral(literal)).toEqual([...COCO_NAMES]);
  });

  test("double-quoted names may contain apostrophes", () => {
    // Python switches to double quotes for a string containing a single quote
    expect(parseNamesLiteral(`{0: "person's hat", 1: 'b'}`)).toEqual(["person's hat", "b"]);
  });

  test("backslash-escaped quotes are unescaped", () => {
    expect(parseNamesLiteral(String.raw`{0: 'it\'s', 1: "say \"hi\""}`)).toEqual(["it's", 'say "hi"']);
  });

  test("ids out of order are placed by id", () => {
    expect(parseNamesLiteral(`{1: 'b', 0: 'a'}`)).toEqual(["a", "b"]);
  });

  test("a trailing comma is accepted", () => {
    expect(parseNamesLiteral(`{0: 'a', 1: 'b',}`)).toEqual(["a", "b"]);
  });

  test("whitespace and newlines around entries and the braces are accepted", () => {
    expect(parseNamesLiteral(`\n  {\n  0 :  'a',\n  1:"b"\n}\n`)).toEqual(["a", "b"]);
  });

  test("a trailing comma followed by whitespace or a newline is accepted", () => {
    // Valid Python, e.g. a hand-formatted dict: one entry per line, comma after each.
    expect(parseNamesLiteral(`{0: 'a', 1: 'b', }`)).toEqual(["a", "b"]);
    expect(parseNamesLiteral(`{\n  0: 'a',\n  1: 'b',\n}`)).toEqual(["a", "b"]);
  });

  test("gaps in the ids give undefined", () => {
    expect(parseNamesLiteral(`{0: 'a', 2: 'c'}`)).toBeUndefined();
    expect(parseNamesLiteral(`{1: 'a', 2: 'b'}`)).toBeUndefined(); // no id 0
  });

  test("anything that is not this dict shape gives undefined", () => {
    expect(parseNamesLiteral("person, bicycle")).toBeUndefined();
    expect(parseNamesLiteral(`["person", "bicycle"]`)).toBeUndefined(); // JSON array
    expect(parseNamesLiteral(`{"0": "person"}`)).toBeUndefined(); // JSON object: quoted key
    expect(parseNamesLiteral(`{0: person}`)).toBeUndefined(); // unquoted value
    expect(parseNamesLiteral(`{0: 'a' 1: 'b'}`)).toBeUndefined(); // missing comma
    expect(parseNamesLiteral(`{0: 'a}`)).toBeUndefined(); // unterminated string
    expect(parseNamesLiteral("")).toBeUndefined();
  });

  test("an empty dict gives undefined", () => {
    expect(parseNamesLiteral("{}")).toBeUndefined();
    expect(parseNamesLiteral("{ }")).toBeUndefined();
  });
});
