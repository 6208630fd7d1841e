import { readdirSync, readFileSync } from "node:fs";

/**
 * The pids below `pid`, depth first, from /proc (Linux). `bun run` starts a
 * script as its child, so stopping or measuring what was started means
 * walking the whole tree, not just the process Bun.spawn returned.
 */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      for (const child of children ? children.split(/\s+/).map(Number) : []) out.push(child, ...descendants(child));
    }
  } catch {
    // gone already
  }
  return out;
}
