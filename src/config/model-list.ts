/**
 * MODELS: the detectors one service runs, as `name=source` items separated by
 * commas. A source is a file path, or an http(s) URL followed by
 * `#sha256=<64 hex>` (the checksum MODEL_SHA256 gives MODEL_URL), downloaded
 * once into models/<name>.onnx. The first item is the default model.
 */
export type ModelSource = { name: string; path: string } | { name: string; url: string; sha256?: string };

/** A model's name: what the `model` knob, /models, the task and the metrics call it. */
export const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MODEL_NAME_RULE = "lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64";

const CHECKSUM = /#sha256=([0-9a-fA-F]{64})$/;

/** The items of MODELS; each problem (never echoing a URL, which may carry a password) goes to `problem`. */
export function parseModelList(raw: string, problem: (text: string) => void): ModelSource[] {
  const models: ModelSource[] = [];
  const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
  items.forEach((item, i) => {
    const at = `MODELS item ${i + 1}`;
    const eq = item.indexOf("=");
    if (eq < 1) return problem(`${at} must be name=path or name=url (got no name)`);
    const name = item.slice(0, eq).trim();
    const source = item.slice(eq + 1).trim();
    if (!MODEL_NAME.test(name)) return problem(`${at}: the name "${name.slice(0, 64)}" must be ${MODEL_NAME_RULE}`);
    if (models.some((m) => m.name === name)) return problem(`${at}: the name "${name}" is given twice`);
    if (!source) return problem(`${at} (${name}) has no path or URL`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
      if (!/^https?:\/\//i.test(source)) return problem(`${at} (${name}): a URL must start with http:// or https://`);
      const sum = CHECKSUM.exec(source);
      models.push({ name, url: sum ? source.slice(0, sum.index) : source, ...(sum ? { sha256: sum[1].toLowerCase() } : {}) });
    } else {
      models.push({ name, path: source });
    }
  });
  return models;
}

/** The name a lone model goes by (MODEL_PATH, or the default file): its file name without `.onnx`, made a valid name. */
export function modelNameOf(path: string): string {
  const stem = (path.split("/").pop() ?? path).replace(/\.onnx$/i, "").toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "");
  return (stem || "model").slice(0, 64);
}
