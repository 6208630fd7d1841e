import { join } from "node:path";
import { type IntVariable, type Variable, VARIABLES } from "../config/variables";
import { KNOBS, type Knob, knobDefaultText, knobRangeText } from "../domain/knobs";

/**
 * README's knob and configuration tables, generated from the tables they
 * describe (src/domain/knobs.ts, src/config/variables.ts) so they cannot
 * drift. `bun run docs:tables` rewrites them between their marker comments;
 * tests/unit/docs-tables.test.ts fails while README holds anything else.
 */

export const README_PATH = join(import.meta.dir, "..", "..", "README.md");

/** A table cell: a `|` inside it would end the cell early. */
const cell = (text: string) => text.replaceAll("|", "\\|");

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

/** README starts its meanings lower case, as they continue the row; an acronym ("IoU") keeps its case. */
const lowerFirst = (text: string) => (/^[A-Z][a-z]*\b/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text);

export function knobTable(): string {
  const rows = (KNOBS as readonly Knob[]).map((knob) => [`\`${knob.name}\``, knobRangeText(knob), knobDefaultText(knob), lowerFirst(knob.description)]);
  return markdownTable(["knob", "range", "default", "meaning"], rows);
}

function intRange(v: IntVariable): string {
  const unit = v.unit ? ` ${v.unit}` : "";
  const lower = v.lowerMinWhen ? ` (from ${v.lowerMinWhen.min} with \`${v.lowerMinWhen.variable}=${v.lowerMinWhen.equals}\`)` : "";
  return `${v.min}..${v.max}${unit}${lower}`;
}

/** What a variable accepts, in words. */
function allowedText(v: Variable): string {
  const required = v.requiredWhen ? `; required with \`${v.requiredWhen.variable}=${v.requiredWhen.equals}\`` : "";
  switch (v.type) {
    case "int":
      return intRange(v) + required;
    case "enum":
      return v.values.map((value) => `\`${value}\``).join(", ") + required;
    case "string":
      return `text${required}`;
    case "url":
      return `${v.schemes.map((s) => `\`${s}://\``).join(" or ")} URL${required}`;
    case "sha256":
      return `64 hex digits${required}`;
    case "list":
      return `comma-separated, or \`*\` for any${required}`;
    case "keys":
      return `comma-separated \`name:key\` pairs${required}`;
    case "bool":
      return `\`true\` or \`false\`${required}`;
    case "secret":
      return `${v.hint}${required}`;
  }
}

/** What an unset variable means, in words. */
function defaultText(v: Variable): string {
  switch (v.type) {
    case "int":
    case "sha256":
      return typeof v.default === "object" ? v.default.words : String(v.default);
    case "enum":
      return v.default;
    case "string":
      return v.default ?? "—";
    case "url":
      return v.defaultWords ?? v.default ?? "—";
    case "list":
      return "`*`";
    case "keys":
    case "secret":
      return "—";
    case "bool":
      return String(v.default);
  }
}

export function configTable(): string {
  const rows = (VARIABLES as readonly Variable[]).map((v) => [`\`${v.name}\``, defaultText(v), allowedText(v), v.description]);
  return markdownTable(["variable", "default", "allowed", "meaning"], rows);
}

/** Each generated table, by the name its markers carry: `<!-- knobs:start -->` … `<!-- knobs:end -->`. */
export const GENERATED_TABLES: Record<string, () => string> = { knobs: knobTable, config: configTable };

const markers = (name: string) => ({ start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` });

/** The text between a table's markers, without the blank lines around it; throws when the markers are missing. */
export function currentTable(readme: string, name: string): string {
  const { start, end } = markers(name);
  const from = readme.indexOf(start);
  const to = readme.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`README.md has no ${start} … ${end} markers`);
  return readme.slice(from + start.length, to).trim();
}

/** README with every generated table rewritten from its source, and the names of those that changed. */
export function withGeneratedTables(readme: string): { text: string; changed: string[] } {
  let text = readme;
  const changed: string[] = [];
  for (const [name, render] of Object.entries(GENERATED_TABLES)) {
    const table = render();
    if (currentTable(text, name) === table) continue;
    const { start, end } = markers(name);
    const from = text.indexOf(start);
    const to = text.indexOf(end, from) + end.length;
    text = `${text.slice(0, from)}${start}\n${table}\n${end}${text.slice(to)}`;
    changed.push(name);
  }
  return { text, changed };
}

if (import.meta.main) {
  const { text, changed } = withGeneratedTables(await Bun.file(README_PATH).text());
  if (changed.length) await Bun.write(README_PATH, text);
  console.log(changed.length ? `README.md: rewrote the ${changed.join(" and ")} table` : "README.md: tables already up to date");
}
