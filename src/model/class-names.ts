/**
 * Ultralytics writes `names` into the ONNX metadata as a Python dict literal:
 * {0: 'person', 1: 'bicycle', ..., 77: "teddy bear"}. No maintained JS library
 * parses Python literals, and this is one fixed shape, so it is parsed here
 * strictly: anything else returns undefined and the caller falls back.
 */
export function parseNamesLiteral(text: string): string[] | undefined {
  const body = text.trim();
  if (!body.startsWith("{") || !body.endsWith("}")) return undefined;
  const entry = /\s*(\d+)\s*:\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*(,|$)/y;
  const inner = body.slice(1, -1);
  const byId = new Map<number, string>();
  entry.lastIndex = 0;
  while (entry.lastIndex < inner.length) {
    const m = entry.exec(inner);
    if (!m) return undefined;
    const quoted = m[2];
    const name = quoted.slice(1, -1).replace(/\\(.)/g, "$1");
    byId.set(Number(m[1]), name);
    // End of input, or only whitespace after a trailing comma (one entry per line is valid Python).
    if (m[3] === "" || inner.slice(entry.lastIndex).trim() === "") break;
  }
  if (byId.size === 0) return undefined;
  const names: string[] = [];
  for (let i = 0; i < byId.size; i++) {
    const name = byId.get(i);
    if (name === undefined) return undefined; // ids must be 0..n-1 without gaps
    names.push(name);
  }
  return names;
}

/** The 80 COCO classes in Ultralytics order: used only when a model carries no names. */
export const COCO_NAMES: readonly string[] = [
  "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
  "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
  "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
  "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
  "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
  "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
  "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
  "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
  "teddy bear", "hair drier", "toothbrush",
];
