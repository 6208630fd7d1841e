import { describe, expect, test } from "bun:test";
import { VARIABLES } from "../../src/config/variables";
import { KNOBS } from "../../src/domain/knobs";
import { configTable, currentTable, GENERATED_TABLES, knobTable, PAGES, pagePath, withGeneratedTables } from "../../src/tools/docs-tables";

const readme = await Bun.file(pagePath("README.md")).text();

describe("the generated tables in their pages", () => {
  test("every table is in exactly one page", () => {
    expect(Object.values(PAGES).flat().sort()).toEqual(Object.keys(GENERATED_TABLES).sort());
  });

  for (const [page, names] of Object.entries(PAGES)) {
    for (const name of names) {
      test(`${page}: the ${name} table is what its source generates`, async () => {
        const text = await Bun.file(pagePath(page)).text();
        expect(currentTable(text, name), `${page}'s ${name} table is out of date: run \`bun run docs:tables\``).toBe(GENERATED_TABLES[name]());
      });
    }
  }

  test("PREPROCESS is documented nowhere: the variable is gone", async () => {
    for (const page of Object.keys(PAGES)) expect(await Bun.file(pagePath(page)).text()).not.toContain("PREPROCESS");
  });
});

describe("the check", () => {
  test("notices a hand edit of a generated table, and regenerating restores it", () => {
    const edited = readme.replace("| `conf` | 0..1 | 0.25 |", "| `conf` | 0..1 | 0.3 |");
    expect(edited).not.toBe(readme);
    expect(currentTable(edited, "knobs")).not.toBe(knobTable());
    const { text, changed } = withGeneratedTables(edited, ["knobs"]);
    expect(changed).toEqual(["knobs"]);
    expect(text).toBe(readme);
  });

  test("leaves an up-to-date README as it is", () => {
    expect(withGeneratedTables(readme, ["knobs"])).toEqual({ text: readme, changed: [] });
  });

  test("refuses a README without the markers rather than passing silently", () => {
    expect(() => withGeneratedTables("# README\n\nno tables here\n", ["knobs"])).toThrow("<!-- knobs:start -->");
    expect(() => currentTable("<!-- config:start -->\n| a |\n", "config")).toThrow("<!-- config:end -->");
  });
});

describe("the generated tables", () => {
  const rows = (table: string) => table.split("\n").slice(2);

  test("the knob table has one row per knob, with its range and default", () => {
    expect(rows(knobTable()).map((row) => row.split(" | ")[0])).toEqual(KNOBS.map((k) => `| \`${k.name}\``));
    expect(knobTable()).toContain("| `max_det` | 1..300 | 300 | most detections returned |");
    expect(knobTable()).toContain("| `classes` | ids or names | all |");
    // an acronym keeps its capitals when the meaning is lower-cased
    expect(knobTable()).toContain("| IoU above which");
  });

  test("the configuration table has one row per variable, with defaults in words where the machine decides", () => {
    expect(rows(configTable()).map((row) => row.split(" | ")[0])).toEqual(VARIABLES.map((v) => `| \`${v.name}\``));
    expect(configTable()).toContain("| `TASK_TTL_S` | 300 | 1..604800 seconds |");
    expect(configTable()).toContain("| `WORKERS` | cores + 1, at most 9 (3 on 2 cores) | 1..64 workers (from 0 with `QUEUE_BACKEND=redis`) |");
    expect(configTable()).toContain("| `REDIS_URL` | — | `redis://` or `rediss://` URL; required with `QUEUE_BACKEND=redis` |");
    expect(configTable()).toContain("| `LOG_LEVEL` | info | `debug`, `info`, `warn`, `error`, `silent` |");
  });
});
