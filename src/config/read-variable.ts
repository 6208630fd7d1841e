import type { Condition, DefaultContext, IntVariable, NamedKey, Variable } from "./variable-types";
import { parseModelList } from "./model-list";

/** What reading one variable may use besides the environment. */
export interface ReadContext extends DefaultContext {
  /** whether another variable, as read, has the condition's value */
  holds: (condition: Condition) => boolean;
  /** records a problem; reading goes on, so every problem is listed at once */
  problem: (text: string) => void;
}

/** A variable's raw text, or undefined when unset or blank (an empty `VAR=` counts as unset). */
function rawOf(v: Variable, env: DefaultContext["env"]): string | undefined {
  const raw = env[v.name];
  return raw === undefined || raw.trim() === "" ? undefined : raw;
}

function fallbackOf<T>(fallback: T | { compute: (ctx: DefaultContext) => T }, ctx: ReadContext): T {
  return typeof fallback === "object" && fallback !== null && "compute" in fallback ? fallback.compute(ctx) : (fallback as T);
}

/** The lowest value allowed now: some variables allow less under a condition (WORKERS=0 on Redis). */
export function effectiveMin(v: IntVariable, holds: ReadContext["holds"]): number {
  return v.lowerMinWhen && holds(v.lowerMinWhen) ? v.lowerMinWhen.min : v.min;
}

/**
 * One variable's value as its Config field holds it. A bad value is recorded
 * as a problem and replaced by the default, so the rest can still be checked.
 */
export function readVariable(v: Variable, ctx: ReadContext): unknown {
  const raw = rawOf(v, ctx.env);
  if (raw === undefined && v.requiredWhen && ctx.holds(v.requiredWhen)) {
    const { variable, equals, example } = v.requiredWhen;
    ctx.problem(`${v.name} is required when ${variable}=${equals} (e.g. ${example})`);
  }
  switch (v.type) {
    case "int": {
      const scale = v.scale ?? 1;
      const fallback = fallbackOf(v.default, ctx) * scale;
      if (raw === undefined) return fallback;
      const n = Number(raw);
      const min = effectiveMin(v, ctx.holds);
      if (!Number.isInteger(n) || n < min || n > v.max) {
        ctx.problem(`${v.name} must be a whole number from ${min} to ${v.max} (got "${raw}")`);
        return fallback;
      }
      return n * scale;
    }
    case "enum": {
      if (raw === undefined) return v.default;
      const value = raw.trim();
      if (v.values.includes(value)) return value;
      ctx.problem(`${v.name} must be one of ${v.values.join(", ")} (got "${value}")`);
      return v.default;
    }
    case "string":
      return raw?.trim() ?? v.default;
    case "url": {
      if (raw === undefined) return v.default;
      const url = raw.trim();
      // Not echoed: the URL may carry a password.
      if (!v.schemes.some((scheme) => url.startsWith(`${scheme}://`))) {
        ctx.problem(`${v.name} must start with ${v.schemes.map((s) => `${s}://`).join(" or ")}`);
      }
      return url;
    }
    case "sha256": {
      const digest = raw?.trim().toLowerCase() ?? v.default.compute(ctx);
      if (digest !== undefined && !/^[0-9a-f]{64}$/.test(digest)) ctx.problem(`${v.name} must be 64 hex digits`);
      return digest;
    }
    case "list": {
      const items = (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      return items.length === 0 || items.includes("*") ? "*" : items;
    }
    case "keys":
      return readKeys(v.name, raw, ctx);
    case "models":
      return parseModelList(raw ?? "", ctx.problem);
    case "bool": {
      if (raw === undefined) return v.default;
      const word = raw.trim().toLowerCase();
      if (["true", "1", "yes"].includes(word)) return true;
      if (["false", "0", "no"].includes(word)) return false;
      ctx.problem(`${v.name} must be true or false (got "${raw.trim()}")`);
      return v.default;
    }
    case "secret": {
      // Not echoed: it is a secret.
      const secret = raw?.trim();
      if (secret !== undefined && !v.pattern.test(secret)) ctx.problem(`${v.name} must be ${v.hint.replaceAll("`", "")}`);
      return secret;
    }
  }
}

/**
 * `name:key` pairs. The name is what logs and /health show; the key never
 * appears in a problem (only the pair's place in the list does).
 */
function readKeys(variable: string, raw: string | undefined, ctx: ReadContext): NamedKey[] {
  const keys: NamedKey[] = [];
  const pairs = (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  pairs.forEach((pair, i) => {
    const colon = pair.indexOf(":");
    const name = pair.slice(0, Math.max(0, colon)).trim();
    const key = pair.slice(colon + 1).trim();
    if (colon < 1 || !/^[\w.-]{1,64}$/.test(name) || !key) return ctx.problem(`${variable}: pair ${i + 1} must be name:key, the name 1-64 letters, digits, '.', '_' or '-'`);
    if (keys.some((k) => k.name === name)) return ctx.problem(`${variable}: the name "${name}" is given twice`);
    if (keys.some((k) => k.key === key)) return ctx.problem(`${variable}: pair ${i + 1} repeats another pair's key`);
    keys.push({ name, key });
  });
  return keys;
}
