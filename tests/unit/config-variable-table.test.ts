import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/config";
import { type Variable, VARIABLES } from "../../src/config/variables";
import { configError } from "../support/config-error";

describe("the variable table drives loadConfig", () => {
  const variables = VARIABLES as readonly Variable[];

  test("each variable has its own name and fills its own Config field", () => {
    expect(new Set(variables.map((v) => v.name)).size).toBe(variables.length);
    expect(new Set(variables.map((v) => v.key)).size).toBe(variables.length);
  });

  test("a rule that depends on another variable names a declared one, by one of its values", () => {
    for (const v of variables) {
      const conditions = [v.requiredWhen, v.type === "int" ? v.lowerMinWhen : undefined].filter((c) => c !== undefined);
      for (const c of conditions) {
        const other = variables.find((o) => o.name === c.variable);
        expect(other?.type).toBe("enum");
        expect(other?.type === "enum" && other.values.includes(c.equals)).toBe(true);
      }
    }
  });

  test("every whole-number variable is read, scaled and range-checked under its own name", () => {
    for (const v of variables) {
      if (v.type !== "int") continue;
      const scale = v.scale ?? 1;
      expect([v.name, loadConfig({ [v.name]: String(v.max) }, 2)[v.key]]).toEqual([v.name, v.max * scale]);
      const tooBig = String(v.max + 1);
      expect(configError({ [v.name]: tooBig }).problems).toEqual([`${v.name} must be a whole number from ${v.min} to ${v.max} (got "${tooBig}")`]);
      if (typeof v.default === "number") expect([v.name, loadConfig({}, 2)[v.key]]).toEqual([v.name, v.default * scale]);
    }
  });

  test("every enumerated variable accepts its values and refuses others, listing them", () => {
    for (const v of variables) {
      if (v.type !== "enum") continue;
      const env = (value: string) => ({ [v.name]: value, REDIS_URL: "redis://r:6379" });
      for (const value of v.values) expect(loadConfig(env(` ${value} `), 2)[v.key]).toBe(value);
      expect(configError(env("bogus")).problems).toEqual([`${v.name} must be one of ${v.values.join(", ")} (got "bogus")`]);
    }
  });

  test("a blank LOG_LEVEL counts as unset, like every other variable", () => {
    expect(loadConfig({ LOG_LEVEL: "" }, 2).logLevel).toBe("info");
  });

  test("MODEL_URL must be a web address (it is downloaded with fetch)", () => {
    expect(configError({ MODEL_URL: "ftp://example.com/m.onnx" }).problems).toEqual(["MODEL_URL must start with https:// or http://"]);
  });

  test("PREPROCESS is no longer a setting", () => {
    expect(variables.some((v) => v.name === "PREPROCESS")).toBe(false);
    expect("preprocessIn" in loadConfig({ PREPROCESS: "main" }, 2)).toBe(false);
  });
});
