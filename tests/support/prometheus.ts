/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every
 * line is a comment (# HELP / # TYPE) or `name{labels} value`; throws on
 * anything else. Returns samples keyed by `name{labels}`.
 */
export function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|\+Inf|-Inf))( \d+)?$/;
  const types = new Set<string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("# HELP ")) continue;
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ");
      if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(type)) throw new Error(`bad TYPE line: ${line}`);
      if (types.has(name)) throw new Error(`TYPE repeated for ${name}`);
      types.add(name);
      continue;
    }
    const m = line.match(sample);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ""}`, Number(m[3].replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
  }
  return samples;
}
