import { readFileSync } from "node:fs";
import { totalmem } from "node:os";

/** Where a container's memory limit shows inside it: cgroup v2, then v1. */
const CGROUP_LIMITS = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"];

/**
 * The memory this process may use: the container's limit when it has one
 * (`docker run --memory`, a Space's hardware tier), else the machine's. An
 * unlimited cgroup reads "max" (v2) or a huge number (v1); both lose to
 * totalmem().
 */
export function memoryLimit(): number {
  let limit = totalmem();
  for (const path of CGROUP_LIMITS) {
    try {
      const value = Number(readFileSync(path, "utf8").trim());
      if (Number.isFinite(value) && value > 0) limit = Math.min(limit, value);
    } catch {
      // not in a cgroup that limits memory, or not on Linux
    }
  }
  return limit;
}
