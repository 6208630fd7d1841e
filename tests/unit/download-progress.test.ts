import { expect, test } from "bun:test";
import { downloadProgress } from "../../src/main/lifecycle";
import { jsonLogger } from "../../src/util/logger";

test("without a terminal, the model download's progress is a JSON log line per 10 %", () => {
  const lines: Record<string, unknown>[] = [];
  const progress = downloadProgress(jsonLogger("info", (l) => lines.push(JSON.parse(l))), false);
  for (const [fraction, bytes] of [[0.01, 1e5], [0.05, 6e5], [0.12, 1.5e6], [0.19, 2.4e6], [0.5, 6.4e6], [1, 12.82e6]] as const) progress(fraction, bytes);
  expect(lines.map(({ msg, percent, mb }) => ({ msg, percent, mb }))).toEqual([
    { msg: "downloading model", percent: 0, mb: 0.1 },
    { msg: "downloading model", percent: 10, mb: 1.5 },
    { msg: "downloading model", percent: 50, mb: 6.4 },
    { msg: "downloading model", percent: 100, mb: 12.8 },
  ]);
});

test("without a size from the server, a line per 10 MB", () => {
  const lines: Record<string, unknown>[] = [];
  const progress = downloadProgress(jsonLogger("info", (l) => lines.push(JSON.parse(l))), false);
  for (const bytes of [1e6, 9e6, 1.1e7, 1.5e7, 2.05e7]) progress(undefined, bytes);
  expect(lines.map(({ percent, mb }) => ({ percent, mb }))).toEqual([{ percent: undefined, mb: 1 }, { percent: undefined, mb: 11 }, { percent: undefined, mb: 20.5 }]);
});
