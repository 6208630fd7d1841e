import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const RESULTS = resolve(import.meta.dir, "results");

/**
 * Writes one run's figures as JSON, to `out` or to bench/results/<prefix><start
 * time>.json (gitignored), and says where: every mode of the bench keeps its
 * figures the same way.
 */
export async function writeResults(prefix: string, started: Date, report: object, out?: string) {
  const file = out ?? join(RESULTS, `${prefix}${started.toISOString().replace(/[:.]/g, "-")}.json`);
  mkdirSync(dirname(file), { recursive: true });
  await Bun.write(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written: ${file}`);
}
