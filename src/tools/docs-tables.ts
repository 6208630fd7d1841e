import { join } from "node:path";
import { type IntVariable, type Variable, VARIABLES } from "../config/variables";
import { ERROR_CODES, taskFailureCodes } from "../domain/errors";
import { KNOBS, type Knob, knobDefaultText, knobRangeText } from "../domain/knobs";
import { PROBLEMS } from "../http/problem";

/**
 * The knob table (README.md), the configuration table (docs/configuration.md)
 * and the error codes (docs/api.md), generated from the tables they describe
 * (src/domain/knobs.ts, src/config/variables.ts, src/http/problem.ts) so they
 * cannot drift.
 * `bun run docs:tables` rewrites them between their marker comments;
 * tests/unit/docs-tables.test.ts fails while a page holds anything else.
 */

const REPO = join(import.meta.dir, "..", "..");

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
    case "models":
      return `comma-separated \`name=path\` or \`name=url#sha256=…\`${required}`;
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
    case "models":
      return "the one model (`MODEL_PATH`, or the default)";
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

/** Every error code: the status a response carries it with, and whether a task can end `failed` with it. */
export function errorTable(): string {
  const taskOnly = new Set<string>(ERROR_CODES.task);
  const endsTasks = taskFailureCodes();
  const rows = PROBLEMS.map(({ code, status, title }) => [`\`${code}\``, taskOnly.has(code) ? "—" : String(status), endsTasks.has(code) ? "yes" : "", title]);
  return markdownTable(["code", "status", "a failed task's `error.code`", "title"], rows);
}

/** Each generated table, by the name its markers carry (`<!-- knobs:start -->` … `<!-- knobs:end -->`), in its page. */
export const GENERATED_TABLES: Record<string, () => string> = { knobs: knobTable, config: configTable, errors: errorTable };
/** Which page holds which tables, by path from the repository's root. */
export const PAGES: Record<string, string[]> = { "README.md": ["knobs"], "docs/configuration.md": ["config"], "docs/api.md": ["errors"] };
export const pagePath = (page: string) => join(REPO, page);

const markers = (name: string) => ({ start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` });

/** The text between a table's markers, without the blank lines around it; throws when the markers are missing. */
export function currentTable(readme: string, name: string): string {
  const { start, end } = markers(name);
  const from = readme.indexOf(start);
  const to = readme.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`the page has no ${start} … ${end} markers`);
  return readme.slice(from + start.length, to).trim();
}

/** A page with its generated tables (`names`) rewritten from their sources, and the names of those that changed. */
export function withGeneratedTables(page: string, names: readonly string[]): { text: string; changed: string[] } {
  let text = page;
  const changed: string[] = [];
  for (const name of names) {
    const table = GENERATED_TABLES[name]();
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
  for (const [page, names] of Object.entries(PAGES)) {
    const { text, changed } = withGeneratedTables(await Bun.file(pagePath(page)).text(), names);
    if (changed.length) await Bun.write(pagePath(page), text);
    console.log(changed.length ? `${page}: rewrote the ${changed.join(" and ")} table` : `${page}: tables already up to date`);
  }
}
